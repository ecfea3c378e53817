"""How the checklist itself performs: the completion funnel, answer counts, reliability.

Everything here is published, so it comes out perturbed (disclosure.py). The funnel is live:
it tells how far people got, never what they answered. Answer counts and Cronbach's alpha
would give a newcomer's answers away by a before/after difference, so they are computed over
released assessments only (releases.py): between two releases they do not change at all, and
a release adds at least k completions by k people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.reliability import ItemMoments, cronbach_alpha
from storage.models import RECORD_KEY_MODULUS, Answer, Assessment, AssessmentStatus, status_is
from storage.stats.disclosure import cell_key, get_noise

__all__ = [
    "AnswerCounts",
    "DropOff",
    "Funnel",
    "Reliability",
    "get_completion_funnel",
    "get_reliability",
    "list_answer_counts",
]


@dataclass(frozen=True, slots=True)
class DropOff:
    """Unfinished assessments (active or cancelled) that stopped at one place.

    `question_set` None: still in the profile, before choosing a checklist; otherwise
    `position` is the index of the first unanswered question of that set. `count` is
    published: perturbed, None under k.
    """

    question_set: str | None
    position: int
    count: int | None


@dataclass(frozen=True, slots=True)
class Funnel:
    """Assessments started, by how far they got (published counts: None under k)."""

    started: int | None
    completed: int | None
    active: int | None
    cancelled: int | None
    stopped: tuple[DropOff, ...]


@dataclass(frozen=True, slots=True)
class AnswerCounts:
    """How released assessments answered a question: `total` None under k (and no counts);
    `counts` by value (None: "don't know"), each None under k."""

    question_id: str
    total: int | None
    counts: Mapping[int | None, int | None]


@dataclass(frozen=True, slots=True)
class Reliability:
    """Cronbach's alpha over released complete responses; both None under k responses."""

    responses: int | None
    alpha: float | None


def _completed() -> ColumnElement[bool]:
    return status_is(AssessmentStatus.COMPLETED)


def _released() -> list[ColumnElement[bool]]:
    return [_completed(), col(Assessment.release_id).is_not(None)]


async def get_completion_funnel(*, session: AsyncSession, k: int) -> Funnel:
    """Started, completed, and where unfinished assessments stopped, as published counts."""
    noise = await get_noise(session)
    record_key = col(Assessment.record_key)
    people = func.count(distinct(col(Assessment.respondent_id)))
    counted = [func.count(), people, cell_key(record_key)]
    started = (await session.execute(select(*counted))).one()
    statuses = await session.execute(
        select(col(Assessment.status), *counted).group_by(col(Assessment.status))
    )
    by_status = {status: (n, people, key) for status, n, people, key in statuses}

    def status_count(status: AssessmentStatus | None) -> int | None:
        n, people, key = started if status is None else by_status.get(status.value, (0, 0, 0))
        return noise.count(n, key, k, respondents=people)

    unfinished = [AssessmentStatus.ACTIVE, AssessmentStatus.CANCELLED]
    stopped = await session.execute(
        select(
            col(Assessment.question_set),
            col(Assessment.cursor),
            *counted,
        )
        .where(status_is(*unfinished))
        .group_by(col(Assessment.question_set), col(Assessment.cursor))
    )
    drop_offs = sorted(
        (
            DropOff(question_set, position, noise.count(n, key, k, respondents=people))
            for question_set, position, n, people, key in stopped
            if n >= k and people >= k  # a small stop is not listed at all
        ),
        key=lambda d: (d.question_set or "", d.position),
    )
    return Funnel(
        started=status_count(None),
        completed=status_count(AssessmentStatus.COMPLETED),
        active=status_count(AssessmentStatus.ACTIVE),
        cancelled=status_count(AssessmentStatus.CANCELLED),
        stopped=tuple(drop_offs),
    )


async def list_answer_counts(*, session: AsyncSession, k: int) -> list[AnswerCounts]:
    """Per question, how many released assessments gave each value (published counts).

    A question's cells share one key, that of every released assessment that answered it:
    a newcomer changes the noise of all of a question's values at once, so which value
    changed cannot be read from which figure moved.
    """
    noise = await get_noise(session)
    record_key = col(Assessment.record_key)
    question = col(Answer.question_id)
    per_question = [question]
    statement = (
        select(
            question,
            col(Answer.value),
            func.count(),
            func.sum(func.count()).over(partition_by=per_question),
            func.sum(func.sum(record_key)).over(partition_by=per_question),
        )
        .join_from(Answer, Assessment, col(Answer.assessment_id) == Assessment.id)
        .where(*_released())
        .group_by(question, col(Answer.value))
    )
    rows: dict[str, tuple[int, int, dict[int | None, int]]] = {}
    for question_id, value, n, total, keys in await session.execute(statement):
        key = int(keys) % RECORD_KEY_MODULUS
        rows.setdefault(question_id, (int(total), key, {}))[2][value] = n
    published = []
    for question_id, (total, key, counts) in sorted(rows.items()):
        shown = noise.count(total, key, k)
        published.append(
            AnswerCounts(
                question_id,
                shown,
                {}
                if shown is None
                else {
                    value: noise.count(n, key, k, name=f"answer.{value}")
                    for value, n in counts.items()
                },
            )
        )
    return published


async def get_reliability(
    *, session: AsyncSession, items: Sequence[str], k: int, question_set: str = "detailed"
) -> Reliability:
    """Cronbach's alpha of `items` over released `question_set` assessments that answered
    every one of them (none "don't know"), with the published number of those responses."""
    items = tuple(dict.fromkeys(items))
    if not items:
        return Reliability(None, None)
    moments, n, key = await _item_moments(session, items, question_set)
    responses = (await get_noise(session)).count(n, key, max(k, 2))
    if responses is None:
        return Reliability(None, None)
    return Reliability(responses, cronbach_alpha(moments))


async def _item_moments(
    session: AsyncSession, items: tuple[str, ...], question_set: str
) -> tuple[ItemMoments, int, int]:
    """Exact sums and sums of squares, per item and of each response's total; n; cell key."""
    value = cast(col(Answer.value), Float)
    in_items = col(Answer.question_id).in_(items)
    complete = (
        select(col(Answer.assessment_id))
        .join_from(Answer, Assessment, col(Answer.assessment_id) == Assessment.id)
        .where(
            *_released(),
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
        select(col(Answer.assessment_id).label("assessment_id"), func.sum(value).label("total"))
        .where(*answered)
        .group_by(col(Answer.assessment_id))
        .subquery()
    )
    summary: Any = (
        await session.execute(
            select(
                func.count(),
                func.sum(totals.c.total),
                func.sum(totals.c.total * totals.c.total),
                cell_key(col(Assessment.record_key)),
            ).join_from(totals, Assessment, col(Assessment.id) == totals.c.assessment_id)
        )
    ).one()
    n, total_sum, total_squares, key = summary
    exact = ItemMoments(
        items=items,
        n=int(n),
        sums=tuple(float(moments.get(item, (0.0, 0.0))[0] or 0.0) for item in items),
        squares=tuple(float(moments.get(item, (0.0, 0.0))[1] or 0.0) for item in items),
        total_sum=float(total_sum or 0.0),
        total_squares=float(total_squares or 0.0),
    )
    return exact, int(n), int(key)
