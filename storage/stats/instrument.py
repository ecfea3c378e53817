"""How the checklist itself performs: the completion funnel, answer counts, item moments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Float, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.reliability import ItemMoments
from storage.models import Answer, Assessment, AssessmentStatus

__all__ = [
    "AnswerCount",
    "DropOff",
    "Funnel",
    "get_completion_funnel",
    "get_item_moments",
    "list_answer_counts",
]


@dataclass(frozen=True, slots=True)
class DropOff:
    """Unfinished assessments (active or cancelled) that stopped at one place.

    `question_set` None: still in the profile, before choosing a checklist; otherwise
    `position` is the index of the first unanswered question of that set.
    """

    question_set: str | None
    position: int
    count: int


@dataclass(frozen=True, slots=True)
class Funnel:
    """Assessments started, by how far they got."""

    started: int
    completed: int
    active: int
    cancelled: int
    stopped: tuple[DropOff, ...]


@dataclass(frozen=True, slots=True)
class AnswerCount:
    """How many completed assessments gave `value` (None: "don't know") to a question."""

    question_id: str
    value: int | None
    count: int


async def get_completion_funnel(*, session: AsyncSession) -> Funnel:
    """Started, completed, and where every unfinished assessment stopped."""
    statuses = await session.execute(
        select(col(Assessment.status), func.count()).group_by(col(Assessment.status))
    )
    by_status: dict[str, int] = {status: count for status, count in statuses.tuples()}
    unfinished = [AssessmentStatus.ACTIVE.value, AssessmentStatus.CANCELLED.value]
    stopped = await session.execute(
        select(col(Assessment.question_set), col(Assessment.cursor), func.count())
        .where(col(Assessment.status).in_(unfinished))
        .group_by(col(Assessment.question_set), col(Assessment.cursor))
    )
    drop_offs = sorted(
        (DropOff(question_set, position, count) for question_set, position, count in stopped),
        key=lambda d: (d.question_set or "", d.position),
    )
    return Funnel(
        started=sum(by_status.values()),
        completed=by_status.get(AssessmentStatus.COMPLETED.value, 0),
        active=by_status.get(AssessmentStatus.ACTIVE.value, 0),
        cancelled=by_status.get(AssessmentStatus.CANCELLED.value, 0),
        stopped=tuple(drop_offs),
    )


async def list_answer_counts(*, session: AsyncSession) -> list[AnswerCount]:
    """Per question and answer value, how many completed assessments gave it."""
    statement = (
        select(col(Answer.question_id), col(Answer.value), func.count())
        .join_from(Answer, Assessment, col(Answer.assessment_id) == Assessment.id)
        .where(col(Assessment.status) == AssessmentStatus.COMPLETED.value)
        .group_by(col(Answer.question_id), col(Answer.value))
    )
    rows = await session.execute(statement)
    counts = [AnswerCount(question_id, value, count) for question_id, value, count in rows]
    return sorted(counts, key=lambda c: (c.question_id, c.value is None, c.value or 0))


async def get_item_moments(
    *, session: AsyncSession, items: Sequence[str], question_set: str = "detailed"
) -> ItemMoments:
    """Sums and sums of squares over completed `question_set` assessments that answered
    every one of `items` (none "don't know"): per item, and of each assessment's total."""
    items = tuple(dict.fromkeys(items))
    if not items:
        return ItemMoments(items=(), n=0, sums=(), squares=(), total_sum=0.0, total_squares=0.0)
    value = cast(col(Answer.value), Float)
    in_items = col(Answer.question_id).in_(items)
    complete = (
        select(col(Answer.assessment_id))
        .join_from(Answer, Assessment, col(Answer.assessment_id) == Assessment.id)
        .where(
            col(Assessment.status) == AssessmentStatus.COMPLETED.value,
            col(Assessment.question_set) == question_set,
            in_items,
            col(Answer.value).is_not(None),
        )
        .group_by(col(Answer.assessment_id))
        .having(func.count() == len(items))
    )
    answered = [in_items, col(Answer.assessment_id).in_(complete)]
    per_item = await session.execute(
        select(col(Answer.question_id), func.sum(value), func.sum(value * value))
        .where(*answered)
        .group_by(col(Answer.question_id))
    )
    moments = {question_id: (total, square) for question_id, total, square in per_item}
    totals = (
        select(func.sum(value).label("total"))
        .where(*answered)
        .group_by(col(Answer.assessment_id))
        .subquery()
    )
    n, total_sum, total_squares = (
        await session.execute(
            select(
                func.count(), func.sum(totals.c.total), func.sum(totals.c.total * totals.c.total)
            )
        )
    ).one()
    return ItemMoments(
        items=items,
        n=int(n),
        sums=tuple(float(moments.get(item, (0.0, 0.0))[0] or 0.0) for item in items),
        squares=tuple(float(moments.get(item, (0.0, 0.0))[1] or 0.0) for item in items),
        total_sum=float(total_sum or 0.0),
        total_squares=float(total_squares or 0.0),
    )
