"""Assessments for statistics tests, stored the way the bot stores them, and a plain Python
reference computation of every figure the statistics report."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import fmean

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge import InterviewState, KnowledgeBase, QuestionSet, Readiness, assess
from storage.assessments import (
    cancel_assessment,
    complete_assessment,
    save_interview_state,
    start_assessment,
)
from storage.models import Assessment
from storage.respondents import forget_respondent, get_or_create_respondent
from storage.stats import Dimension

TELEGRAM_BASE = 900_000_000_000
#: Typed by a respondent as the organisation's name: it must never reach a statistics file.
TYPED_ORGANISATION = "Ali Rezaei's private office"


@dataclass(frozen=True)
class Spec:
    """One assessment: who, their profile, when, which checklist and the answers given."""

    respondent: int
    sector: str | None = "health"
    region: str | None = "tehran"
    role: str | None = "it_digital"
    org_code: str | None = None
    month: int = 1
    question_set: QuestionSet = QuestionSet.CORE
    values: tuple[int | None, ...] = (2,)
    # None: completed; otherwise left unfinished (active, or cancelled) at `cursor`.
    unfinished: str | None = None
    cursor: int = 0

    def answers(self, kb: KnowledgeBase) -> dict[str, int | None]:
        """The answer to every question of the set (values cycled), or up to the cursor."""
        questions = kb.questions(self.question_set)
        limit = len(questions) if self.unfinished is None else self.cursor
        cycle = itertools.cycle(self.values)
        return {q.id: next(cycle) for q in questions[:limit]}

    @property
    def month_key(self) -> str:
        """`YYYY-MM` of the completion."""
        return f"2025-{self.month:02d}"

    def key(self, dimension: Dimension) -> str | None:
        """The group this assessment falls in under `dimension`."""
        if dimension is Dimension.MONTH:
            return self.month_key
        if dimension is Dimension.ORGANISATION:
            return self.org_code
        value: str | None = getattr(self, dimension.value)
        return value


@dataclass
class Stored:
    """What a test stored, to check against and to delete afterwards."""

    telegram_ids: set[int] = field(default_factory=set)


async def store_specs(
    session: AsyncSession, kb: KnowledgeBase, specs: Iterable[Spec], stored: Stored
) -> None:
    """Store each spec through the repository functions the bot uses, then commit."""
    for spec in specs:
        telegram_id = TELEGRAM_BASE + spec.respondent
        stored.telegram_ids.add(telegram_id)
        respondent = await get_or_create_respondent(session=session, telegram_id=telegram_id)
        assert respondent.id is not None
        profile = {
            name: value
            for name, value in (
                ("sector", spec.sector),
                ("region", spec.region),
                ("role", spec.role),
                ("organisation", spec.org_code or TYPED_ORGANISATION),
            )
            if value is not None
        }
        assessment = await start_assessment(
            session=session,
            respondent_id=respondent.id,
            kb_revision=1,
            profile=profile,
            org_code=spec.org_code,
        )
        answers = spec.answers(kb)
        state = InterviewState(profile, spec.question_set, answers, cursor=len(answers))
        await save_interview_state(session=session, assessment=assessment, state=state)
        if spec.unfinished == "cancelled":
            await cancel_assessment(session=session, assessment=assessment)
        elif spec.unfinished is None:
            readiness = assess(kb, spec.question_set, answers)
            await complete_assessment(session=session, assessment=assessment, readiness=readiness)
            when = datetime(2025, spec.month, 15, 12, 30, tzinfo=UTC)
            await session.execute(
                update(Assessment)
                .where(Assessment.id == assessment.id)  # type: ignore[arg-type]
                .values(completed_at=when)
            )
    await session.commit()


async def forget_stored(session: AsyncSession, stored: Stored) -> None:
    """Delete every respondent a test stored (with their assessments, by cascade)."""
    for telegram_id in stored.telegram_ids:
        await forget_respondent(session=session, telegram_id=telegram_id)
    await session.commit()
    stored.telegram_ids.clear()


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


@dataclass(frozen=True)
class Expected:
    """A group's figures computed in plain Python from the specs."""

    suppressed: bool
    n: int | None = None
    readiness: float | None = None
    factors: dict[str, float | None] = field(default_factory=dict)
    means: dict[str, float | None] = field(default_factory=dict)
    shares: dict[str, float | None] = field(default_factory=dict)


def expected_groups(
    kb: KnowledgeBase, specs: Sequence[Spec], by: Sequence[Dimension], k: int
) -> dict[tuple[str | None, ...], Expected]:
    """Every group of the completed specs under `by`, as the statistics should report it."""
    members: dict[tuple[str | None, ...], list[tuple[Spec, Readiness]]] = defaultdict(list)
    for spec in specs:
        if spec.unfinished is None:
            readiness = assess(kb, spec.question_set, spec.answers(kb))
            members[tuple(spec.key(d) for d in by)].append((spec, readiness))
    if not by and not members:
        return {(): Expected(suppressed=True)}
    groups = {}
    for key, rows in members.items():
        people = {spec.respondent for spec, _ in rows}
        if len(rows) < k or len(people) < k:
            groups[key] = Expected(suppressed=True)
            continue
        results = [r for _, r in rows]
        shares: dict[str, float | None] = {}
        for sf in kb.subfactors:
            effects = [r.subfactor(sf.key).effect for r in results]
            known = [e for e in effects if e is not None]
            shares[sf.key] = sum(e == "driver" for e in known) / len(known) if known else None
        groups[key] = Expected(
            suppressed=False,
            n=len(rows),
            readiness=_mean(r.index for r in results),
            factors={f.key: _mean(r.factor(f.key).score for r in results) for f in kb.factors},
            means={
                sf.key: _mean(r.subfactor(sf.key).score for r in results) for sf in kb.subfactors
            },
            shares=shares,
        )
    return groups


def close(actual: float | None, expected: float | None) -> bool:
    """Equal, allowing for floating-point summation order (None only equals None)."""
    if actual is None or expected is None:
        return actual is expected
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
