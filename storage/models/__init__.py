"""The tables: respondents, their assessments and answers, results, KB revisions, audit log.

One module an aggregate; every name is re-exported here, so `from storage.models import X`
works for all of them, and importing this package registers every table on SQLModel.metadata.
"""

from storage.models.administration import AuditLog, Organisation
from storage.models.assessments import (
    ACTIVE_ASSESSMENT_INDEX,
    RECORD_KEY_MODULUS,
    Answer,
    Assessment,
    AssessmentStatus,
    Respondent,
    new_record_key,
    status_is,
)
from storage.models.columns import UtcDateTime, get_datetime_utc
from storage.models.knowledge_base import KbRevision, KbRevisionPublic, KbUpload, KbUploadStatus
from storage.models.results import (
    FACTOR_SLOTS,
    SUBFACTOR_SLOTS,
    AssessmentScore,
    FactorResult,
    ScoreSlot,
    ScoreSlotKind,
    SubFactorResult,
    driver_column,
    factor_column,
    subfactor_column,
)
from storage.models.statistics import StatsRelease, StatsSecret

__all__ = [
    "ACTIVE_ASSESSMENT_INDEX",
    "FACTOR_SLOTS",
    "RECORD_KEY_MODULUS",
    "SUBFACTOR_SLOTS",
    "Answer",
    "Assessment",
    "AssessmentScore",
    "AssessmentStatus",
    "AuditLog",
    "FactorResult",
    "KbRevision",
    "KbRevisionPublic",
    "KbUpload",
    "KbUploadStatus",
    "Organisation",
    "Respondent",
    "ScoreSlot",
    "ScoreSlotKind",
    "StatsRelease",
    "StatsSecret",
    "SubFactorResult",
    "UtcDateTime",
    "driver_column",
    "factor_column",
    "get_datetime_utc",
    "new_record_key",
    "status_is",
    "subfactor_column",
]
