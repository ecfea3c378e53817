"""Each completed assessment's scores in one wide row, for statistics: slots and the row.

`score_slot` says which column of `assessment_score` holds which factor or sub-factor; the
row is written with the long-form results at completion, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import dialect_insert
from storage.models import (
    FACTOR_SLOTS,
    SUBFACTOR_SLOTS,
    AssessmentScore,
    ScoreSlot,
    ScoreSlotKind,
    driver_column,
    factor_column,
    subfactor_column,
)
from storage.sqlite_driver import inline_on_sqlite

__all__ = [
    "ScoreSlots",
    "assign_score_slots",
    "get_score_slots",
    "score_row",
    "write_assessment_score",
]

#: Attempts at the next free slot when concurrent completions take it first.
_SLOT_ATTEMPTS = 20
_EMPTY: Mapping[str, int] = MappingProxyType({})
# Read and written inside a completion's transaction: storage/sqlite_driver.py.
_INSERT_SCORE = inline_on_sqlite(AssessmentScore.insert())
_SLOTS = inline_on_sqlite(select(col(ScoreSlot.kind), col(ScoreSlot.key), col(ScoreSlot.slot)))


@dataclass(frozen=True, slots=True)
class ScoreSlots:
    """Key -> slot, per kind, as stored in `score_slot`."""

    factors: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    subfactors: Mapping[str, int] = field(default_factory=lambda: _EMPTY)

    @property
    def fit(self) -> bool:
        """Whether every key has a column (else statistics read the long-form results)."""
        return all(slot < FACTOR_SLOTS for slot in self.factors.values()) and all(
            slot < SUBFACTOR_SLOTS for slot in self.subfactors.values()
        )


async def get_score_slots(*, session: AsyncSession) -> ScoreSlots:
    """Every slot assigned so far."""
    rows = await session.execute(_SLOTS)
    kinds: dict[str, dict[str, int]] = {kind.value: {} for kind in ScoreSlotKind}
    for kind, key, slot in rows.tuples():
        kinds[kind][key] = slot
    return ScoreSlots(
        factors=MappingProxyType(kinds[ScoreSlotKind.FACTOR]),
        subfactors=MappingProxyType(kinds[ScoreSlotKind.SUBFACTOR]),
    )


async def _take_next_slot(session: AsyncSession, kind: ScoreSlotKind, key: str) -> None:
    """Give `key` the next slot of its kind, unless it has one.

    Two completions may compute the same next slot: the unique (kind, slot) makes the later
    insert wait for the earlier transaction and then do nothing, and the caller tries again.
    """
    slot = col(ScoreSlot.slot)
    following = select(
        literal(kind.value), literal(key), func.coalesce(func.max(slot), -1) + 1
    ).where(col(ScoreSlot.kind) == kind.value)
    insert = dialect_insert(session, ScoreSlot).from_select(["kind", "key", "slot"], following)
    await session.execute(insert.on_conflict_do_nothing())


async def assign_score_slots(
    *, session: AsyncSession, factors: Iterable[str], subfactors: Iterable[str]
) -> ScoreSlots:
    """Every slot, after giving each new factor and sub-factor key the next one of its kind."""
    slots = await get_score_slots(session=session)
    wanted = (
        (ScoreSlotKind.FACTOR, [k for k in factors if k not in slots.factors]),
        (ScoreSlotKind.SUBFACTOR, [k for k in subfactors if k not in slots.subfactors]),
    )
    if not any(keys for _, keys in wanted):
        return slots
    for kind, keys in wanted:
        for key in keys:
            for _ in range(_SLOT_ATTEMPTS):
                await _take_next_slot(session, kind, key)
                taken = await session.scalar(
                    select(col(ScoreSlot.slot)).where(
                        col(ScoreSlot.kind) == kind.value, col(ScoreSlot.key) == key
                    )
                )
                if taken is not None:
                    break
            else:
                raise RuntimeError(f"no {kind.value} slot for {key!r}: too many concurrent keys")
    return await get_score_slots(session=session)


def score_row(
    *,
    assessment_id: int,
    factors: Iterable[tuple[str, float | None]],
    subfactors: Iterable[tuple[str, float | None, str | None]],
    slots: ScoreSlots,
) -> dict[str, Any]:
    """The `assessment_score` row of an assessment's (key, score) factor results and
    (key, score, effect) sub-factor results; every column is present (for executemany)."""
    row: dict[str, Any] = dict.fromkeys(AssessmentScore.c.keys())
    present = 0
    for key, score in factors:
        slot = slots.factors[key]
        if slot < FACTOR_SLOTS:
            row[factor_column(slot)] = score
            present |= 1 << (SUBFACTOR_SLOTS + slot)
    for key, score, effect in subfactors:
        slot = slots.subfactors[key]
        if slot < SUBFACTOR_SLOTS:
            row[subfactor_column(slot)] = score
            row[driver_column(slot)] = None if effect is None else int(effect == "driver")
            present |= 1 << slot
    row["assessment_id"] = assessment_id
    row["present"] = present
    return row


async def write_assessment_score(
    *,
    session: AsyncSession,
    assessment_id: int,
    factors: Mapping[str, float | None],
    subfactors: Iterable[tuple[str, float | None, str | None]],
) -> None:
    """Store an assessment's wide score row, assigning slots to keys seen for the first time."""
    subfactors = list(subfactors)
    slots = await assign_score_slots(
        session=session, factors=factors, subfactors=[key for key, _, _ in subfactors]
    )
    row = score_row(
        assessment_id=assessment_id,
        factors=factors.items(),
        subfactors=subfactors,
        slots=slots,
    )
    await session.execute(_INSERT_SCORE, [row])  # built once, so compiled once
