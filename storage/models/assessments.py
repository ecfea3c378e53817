"""Respondents, their assessments and their answers."""

# No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ColumnElement, Index, literal_column, text
from sqlmodel import Field, SQLModel

from storage.models.columns import optional_timestamp, timestamp

__all__ = [
    "ACTIVE_ASSESSMENT_INDEX",
    "RECORD_KEY_MODULUS",
    "RESPONDENT_STATUS_INDEX",
    "Answer",
    "Assessment",
    "AssessmentStatus",
    "Respondent",
    "new_record_key",
    "status_is",
]

ACTIVE_ASSESSMENT_INDEX = "uq_assessment_one_active_per_respondent"
RESPONDENT_STATUS_INDEX = "ix_assessment_respondent_id_status"


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


def status_is(*statuses: AssessmentStatus) -> ColumnElement[bool]:
    """`assessment.status` is one of `statuses`, with the values written into the SQL.

    Never as bound values: `uq_assessment_one_active_per_respondent` is a partial index
    (WHERE status = 'active'), and when a bound value decides whether a partial index applies
    SQLite prepares the statement again at every execution. For a read of an assessment that
    was 40-60 µs of SQLite's time instead of 10 (bench/README.md). PostgreSQL's generic plans
    cannot use a partial index for a bound value either. The values are this enum's, not input.
    """
    if not statuses:
        raise ValueError("status_is needs at least one status")
    literals: list[ColumnElement[str]] = [
        literal_column(f"'{AssessmentStatus(status).value}'") for status in statuses
    ]
    column = Assessment.__table__.c.status  # type: ignore[attr-defined]
    if len(literals) == 1:
        return column == literals[0]  # type: ignore[no-any-return]
    return column.in_(literals)  # type: ignore[no-any-return]


class Respondent(SQLModel, table=True):
    """A person who talks to the bot, known only by their Telegram id."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True)
    language: str | None = None
    created_at: datetime = timestamp()
    blocked_at: datetime | None = optional_timestamp()


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
        # A respondent's assessments in one status (the latest completed one, for /start,
        # a completion's comparison and /results). With `respondent_id` alone, SQLite took
        # the status index instead and read every completed assessment: 27 ms at 100 000.
        Index(RESPONDENT_STATUS_INDEX, "respondent_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: int = Field(foreign_key="respondent.id", ondelete="CASCADE")
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
    started_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    completed_at: datetime | None = optional_timestamp(index=True)
    readiness_index: float | None = None
    stage: str | None = None
    reminder_sent_at: datetime | None = optional_timestamp()
    # "Sharper with three more minutes": the sub-factors whose detailed questions follow the
    # completed core checklist (None: not asked for), and when their answers were all in.
    refined: list[str] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    refined_at: datetime | None = optional_timestamp()
    # Secret, random, fixed at creation: published figures get noise derived from the sum of
    # their records' keys (storage/stats/disclosure.py). Never shown or exported.
    record_key: int = Field(
        default_factory=new_record_key, sa_column_kwargs={"default": new_record_key}
    )
    # The statistics release that first included this completed assessment (None: not yet).
    release_id: int | None = Field(default=None, foreign_key="stats_release.id")


class Answer(SQLModel, table=True):
    """The answer to one question; `value` None means "don't know"."""

    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", primary_key=True)
    question_id: str = Field(primary_key=True)
    value: int | None = None
    answered_at: datetime = timestamp()
