"""Scores materialised at completion: long-form result rows and the wide score row."""

# No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.

from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

__all__ = [
    "FACTOR_SLOTS",
    "SUBFACTOR_SLOTS",
    "AssessmentScore",
    "FactorResult",
    "ScoreSlot",
    "ScoreSlotKind",
    "SubFactorResult",
    "driver_column",
    "factor_column",
    "subfactor_column",
]


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
