"""Persistence: SQLModel tables, the async engine and sessions, repository functions, migrations.

Callers own transactions (`async with session_factory() as session, session.begin(): ...`);
repository functions flush, never commit.
"""

from storage.admin_sessions import AdminSession
from storage.assessments import (
    StaleAssessmentError,
    cancel_assessment,
    complete_assessment,
    get_active_assessment,
    get_assessment,
    get_factor_results,
    get_latest_completed_assessment,
    get_subfactor_results,
    load_interview_state,
    save_interview_state,
    start_assessment,
)
from storage.audit import actor_for_telegram, add_audit_entry, list_audit_entries
from storage.db import (
    build_engine,
    build_session_factory,
    default_database_url,
    normalise_database_url,
    upgrade_database,
)
from storage.handled_updates import HandledUpdate
from storage.kb_revisions import (
    add_kb_revision,
    content_checksum,
    ensure_shipped_kb_revision,
    get_active_kb_revision,
    get_kb_revision,
    list_kb_revisions,
)
from storage.kb_uploads import (
    add_kb_upload,
    decide_kb_upload,
    get_kb_upload,
    set_kb_upload_revision,
)
from storage.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AuditLog,
    FactorResult,
    KbRevision,
    KbRevisionPublic,
    KbUpload,
    KbUploadStatus,
    Organisation,
    Respondent,
    SubFactorResult,
)
from storage.organisations import (
    OrganisationCount,
    create_organisation,
    get_organisation_by_code,
    get_organisation_by_name,
    list_organisations,
)
from storage.plan_notes import PlanNoteExpected
from storage.plans import PlanSetting, PlanStep
from storage.rechecks import SubFactorRecheck
from storage.respondents import (
    forget_respondent,
    get_or_create_respondent,
    get_respondent,
    mark_respondent_blocked,
    set_respondent_language,
)

__all__ = [
    "AdminSession",
    "Answer",
    "Assessment",
    "AssessmentStatus",
    "AuditLog",
    "FactorResult",
    "HandledUpdate",
    "KbRevision",
    "KbRevisionPublic",
    "KbUpload",
    "KbUploadStatus",
    "Organisation",
    "OrganisationCount",
    "PlanNoteExpected",
    "PlanSetting",
    "PlanStep",
    "Respondent",
    "StaleAssessmentError",
    "SubFactorRecheck",
    "SubFactorResult",
    "actor_for_telegram",
    "add_audit_entry",
    "add_kb_revision",
    "add_kb_upload",
    "build_engine",
    "build_session_factory",
    "cancel_assessment",
    "complete_assessment",
    "content_checksum",
    "create_organisation",
    "decide_kb_upload",
    "default_database_url",
    "ensure_shipped_kb_revision",
    "forget_respondent",
    "get_active_assessment",
    "get_active_kb_revision",
    "get_assessment",
    "get_factor_results",
    "get_kb_revision",
    "get_kb_upload",
    "get_latest_completed_assessment",
    "get_or_create_respondent",
    "get_organisation_by_code",
    "get_organisation_by_name",
    "get_respondent",
    "get_subfactor_results",
    "list_audit_entries",
    "list_kb_revisions",
    "list_organisations",
    "load_interview_state",
    "mark_respondent_blocked",
    "normalise_database_url",
    "save_interview_state",
    "set_kb_upload_revision",
    "set_respondent_language",
    "start_assessment",
    "upgrade_database",
]
