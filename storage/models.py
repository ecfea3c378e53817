"""The tables: respondents, their assessments and answers, results, KB revisions, audit log."""

# No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.

import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

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
    "subfactor_column",
]

# Named constraints keep SQLite batch migrations and PostgreSQL in step.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ACTIVE_ASSESSMENT_INDEX = "uq_assessment_one_active_per_respondent"


def get_datetime_utc() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that always returns aware UTC datetimes, on SQLite too."""

    # SQLite has no time zone type and hands back naive values; comparing those with
    # get_datetime_utc() would raise, but only on SQLite.
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware values")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _timestamp(*, index: bool = False) -> Any:
    return Field(default_factory=get_datetime_utc, sa_type=UtcDateTime, index=index)


def _optional_timestamp(*, index: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, index=index)


#: Record keys are uniform on [0, RECORD_KEY_MODULUS); a cell key is the sum of its records'
#: keys modulo the same number (storage/stats/disclosure.py). A prime below 2**31, so that a
#: key fits a 32-bit integer column and a sum of billions of them a 64-bit one.
RECORD_KEY_MODULUS = 2**31 - 1


def new_record_key() -> int:
    """A secret random record key for an assessment (never shown, never exported)."""
    return secrets.randbelow(RECORD_KEY_MODULUS)


class AssessmentStatus(StrEnum):
    """Where an assessment is in its life; at most one per respondent is active."""

    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Respondent(SQLModel, table=True):
    """A person who talks to the bot, known only by their Telegram id."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True)
    language: str | None = None
    created_at: datetime = _timestamp()
    blocked_at: datetime | None = _optional_timestamp()


class Assessment(SQLModel, table=True):
    """One run through the checklist, from start to completion or cancellation."""

    __table_args__ = (
        Index(
            ACTIVE_ASSESSMENT_INDEX,
            "respondent_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: int = Field(foreign_key="respondent.id", ondelete="CASCADE", index=True)
    status: str = Field(default=AssessmentStatus.ACTIVE.value, index=True)
    kb_revision: int
    # The profile: what statistics group by.
    sector: str | None = Field(default=None, index=True)
    region: str | None = Field(default=None, index=True)
    organisation: str | None = Field(default=None, index=True)
    role: str | None = Field(default=None, index=True)
    org_code: str | None = Field(default=None, index=True)
    channel: str = "telegram"
    question_set: str | None = None
    cursor: int = 0
    # Bumped by every write; an UPDATE that expects an older version matches no row.
    version: int = 0
    started_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    completed_at: datetime | None = _optional_timestamp(index=True)
    readiness_index: float | None = None
    stage: str | None = None
    reminder_sent_at: datetime | None = _optional_timestamp()
    # "Sharper with three more minutes": the sub-factors whose detailed questions follow the
    # completed core checklist (None: not asked for), and when their answers were all in.
    refined: list[str] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    refined_at: datetime | None = _optional_timestamp()
    # Secret, random, fixed at creation: published figures get noise derived from the sum of
    # their records' keys (storage/stats/disclosure.py). Never shown or exported.
    record_key: int = Field(
        default_factory=new_record_key, sa_column_kwargs={"default": new_record_key}
    )
    # The statistics release that first included this completed assessment (None: not yet).
    release_id: int | None = Field(default=None, foreign_key="stats_release.id")


class StatsRelease(SQLModel, table=True):
    """A cut of the completed assessments whose answer counts and reliability are published.

    Figures that would reveal one newcomer's answers by a before/after difference are only
    computed over released assessments; a release is cut once at least k new completions by
    k people have come in (storage/stats/releases.py). `follows` is the previous release
    (0 for the first): unique, so two concurrent cuts cannot both follow the same one.
    """

    __tablename__ = "stats_release"

    id: int | None = Field(default=None, primary_key=True)
    follows: int = Field(unique=True)
    cut_at: datetime = _timestamp()


class StatsSecret(SQLModel, table=True):
    """The deployment's secret key for statistical noise: one row (id 1), made by migration
    0006. Never shown, never exported; with the record keys it fixes every figure's noise."""

    __tablename__ = "stats_secret"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    secret: str


class Answer(SQLModel, table=True):
    """The answer to one question; `value` None means "don't know"."""

    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", primary_key=True)
    question_id: str = Field(primary_key=True)
    value: int | None = None
    answered_at: datetime = _timestamp()


class SubFactorResult(SQLModel, table=True):
    """A sub-factor's result, materialised at completion for fast statistics."""

    __tablename__ = "subfactor_result"
    # Covering: statistics read every result row; this spares a table lookup for each.
    __table_args__ = (
        Index(
            "ix_subfactor_result_statistics", "assessment_id", "subfactor_key", "score", "effect"
        ),
    )

    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", primary_key=True)
    subfactor_key: str = Field(primary_key=True)
    factor_key: str
    score: float | None = None
    confidence: float
    effect: str | None = None


class FactorResult(SQLModel, table=True):
    """A factor's score, materialised at completion."""

    __tablename__ = "factor_result"
    __table_args__ = (Index("ix_factor_result_statistics", "assessment_id", "factor_key", "score"),)

    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", primary_key=True)
    factor_key: str = Field(primary_key=True)
    score: float | None = None


#: Columns of the wide score row: enough for twice the shipped KB's 4 factors and 16
#: sub-factors, so that renames in KB revisions fit for a long while (see ScoreSlot).
FACTOR_SLOTS = 8
SUBFACTOR_SLOTS = 32


class ScoreSlotKind(StrEnum):
    """What a slot of the wide score row holds: a factor's or a sub-factor's figures."""

    FACTOR = "factor"
    SUBFACTOR = "subfactor"


class ScoreSlot(SQLModel, table=True):
    """Which column of `assessment_score` holds a factor's or sub-factor's figures.

    A key gets the next slot of its kind when an assessment first completes with it, and
    keeps it for good: KB revisions add and rename keys, and a slot is never reused. A slot
    at or past the column count (FACTOR_SLOTS, SUBFACTOR_SLOTS) has no column: statistics
    then read the long-form results instead.
    """

    __tablename__ = "score_slot"
    __table_args__ = (UniqueConstraint("kind", "slot"),)

    kind: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    slot: int


def factor_column(slot: int) -> str:
    """The `assessment_score` column of a factor slot: its score."""
    return f"factor_{slot}"


def subfactor_column(slot: int) -> str:
    """The `assessment_score` column of a sub-factor slot: its score."""
    return f"subfactor_{slot}"


def driver_column(slot: int) -> str:
    """The `assessment_score` column of a sub-factor slot: 1 driver, 0 another effect, NULL none."""
    return f"driver_{slot}"


#: One wide row per completed assessment, written with its long-form results at completion,
#: so that statistics read one row per assessment instead of twenty result rows (SQLite has
#: no hash aggregation: every GROUP BY over the result rows was a sort of 2 M rows).
#: `present` has bit `slot` set for each sub-factor with a result row, and bit
#: `SUBFACTOR_SLOTS + slot` for each factor: a result whose score is NULL still counts.
#: A Core table, not a SQLModel class: its columns are addressed by slot number, never as
#: attributes.
AssessmentScore = Table(
    "assessment_score",
    SQLModel.metadata,
    Column(
        "assessment_id",
        Integer,
        ForeignKey("assessment.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("present", BigInteger, nullable=False),
    *(Column(factor_column(slot), Float) for slot in range(FACTOR_SLOTS)),
    *(Column(subfactor_column(slot), Float) for slot in range(SUBFACTOR_SLOTS)),
    *(Column(driver_column(slot), Integer) for slot in range(SUBFACTOR_SLOTS)),
)


class KbRevisionPublic(SQLModel):
    """A knowledge base revision without its content, for history lists."""

    # Assigned by storage (1 = shipped, then max + 1), never by a sequence, so that the
    # numbers are the same on every database and a concurrent second writer fails loudly.
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    created_at: datetime = _timestamp()
    author: str
    note: str = ""
    checksum: str


class KbRevision(KbRevisionPublic, table=True):
    """One revision of the knowledge base document; the highest id is the active one."""

    __tablename__ = "kb_revision"

    content: dict[str, Any] = Field(sa_type=JSON)


class AuditLog(SQLModel, table=True):
    """One administrative action: who, what, when, with details."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _timestamp(index=True)
    actor: str
    action: str
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Refusals are counted, not listed: one row per action, source and minute (its `bucket`).
    count: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})
    bucket: str | None = Field(default=None, unique=True, index=True)


class KbUploadStatus(StrEnum):
    """What became of an uploaded KB document: it waits, or was activated or dropped."""

    PENDING = "pending"
    ACTIVATED = "activated"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    STALE = "stale"


class KbUpload(SQLModel, table=True):
    """A validated KB document awaiting Confirm; kept here so that a restart loses nothing."""

    __tablename__ = "kb_upload"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _timestamp()
    author: str
    filename: str
    note: str = ""
    # The revision the change summary was computed against; Confirm refuses if it moved on.
    base_revision: int
    checksum: str
    content: dict[str, Any] = Field(sa_type=JSON)
    status: str = Field(default=KbUploadStatus.PENDING.value)
    decided_at: datetime | None = _optional_timestamp()
    decided_by: str | None = None
    revision: int | None = None


class Organisation(SQLModel, table=True):
    """An agency with a deep-link code that presets the organisation of its staff."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str = Field(unique=True)
    created_at: datetime = _timestamp()
    created_by: str
