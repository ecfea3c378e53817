"""After a crash run: is every acknowledged answer stored, and is every assessment whole?"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from sqlmodel import select

from knowledge import KnowledgeBase, QuestionSet
from storage.db import build_engine, build_session_factory
from storage.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    FactorResult,
    Respondent,
    SubFactorResult,
)

__all__ = ["find_problems"]

Acknowledged = Mapping[int, Mapping[tuple[int, str], int | None]]


def _assessment_problems(
    kb: KnowledgeBase,
    assessment: Assessment,
    answers: Mapping[str, int | None],
    subfactors: int,
    factors: int,
) -> list[str]:
    where = f"assessment {assessment.id}"
    if assessment.question_set is None:
        return [f"{where}: answers without a question set"] if answers else []
    questions = [q.id for q in kb.questions(QuestionSet(assessment.question_set))]
    problems = []
    if not 0 <= assessment.cursor <= len(questions):
        problems.append(f"{where}: cursor {assessment.cursor} outside 0..{len(questions)}")
    missing = [q for q in questions[: assessment.cursor] if q not in answers]
    if missing:
        problems.append(f"{where}: cursor {assessment.cursor} but unanswered {missing}")
    foreign = sorted(set(answers) - set(questions))
    if foreign:
        problems.append(f"{where}: answers to questions outside its set: {foreign}")
    if assessment.status == AssessmentStatus.COMPLETED:
        if assessment.cursor != len(questions) or assessment.completed_at is None:
            problems.append(f"{where}: completed at cursor {assessment.cursor} without a date")
        if (subfactors, factors) != (len(kb.subfactors), len(kb.factors)):
            problems.append(f"{where}: completed with {subfactors} sub-factor, {factors} results")
    elif subfactors or factors:
        problems.append(f"{where}: {assessment.status} but has results")
    return problems


async def find_problems(
    database_url: str,
    kb: KnowledgeBase,
    acknowledged: Acknowledged,
    *,
    finished: frozenset[int] = frozenset(),
) -> list[str]:
    """Every broken promise: lost acknowledged answers, corrupt or duplicate assessments."""
    engine = build_engine(database_url)
    try:
        async with build_session_factory(engine)() as session:
            respondents = {r.id: r.telegram_id for r in await session.scalars(select(Respondent))}
            assessments = list(await session.scalars(select(Assessment)))
            answers: dict[int, dict[str, int | None]] = defaultdict(dict)
            for row in await session.scalars(select(Answer)):
                answers[row.assessment_id][row.question_id] = row.value
            subfactors = Counter(
                r.assessment_id for r in await session.scalars(select(SubFactorResult))
            )
            factors = Counter(r.assessment_id for r in await session.scalars(select(FactorResult)))
    finally:
        await engine.dispose()
    problems: list[str] = []
    active = Counter(a.respondent_id for a in assessments if a.status == AssessmentStatus.ACTIVE)
    problems += [f"respondent {r}: {n} active assessments" for r, n in active.items() if n > 1]
    for assessment in assessments:
        assert assessment.id is not None
        problems += _assessment_problems(
            kb,
            assessment,
            answers[assessment.id],
            subfactors[assessment.id],
            factors[assessment.id],
        )
    completed = {
        respondents[a.respondent_id] for a in assessments if a.status == AssessmentStatus.COMPLETED
    }
    problems += [f"user {u}: finished, but no completed assessment" for u in finished - completed]
    for user_id, acks in acknowledged.items():
        for (assessment_id, question_id), value in acks.items():
            stored = answers[assessment_id].get(question_id, "missing")
            if stored != value:
                problems.append(
                    f"user {user_id}: acknowledged {question_id}={value} in assessment "
                    f"{assessment_id}, stored {stored}"
                )
    return problems
