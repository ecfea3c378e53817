"""Assessments for statistics tests, stored the way the bot stores them, and a plain Python
reference computation of every figure the statistics report: the exact aggregates, made
publishable by the disclosure rules (storage/stats/disclosure.py) from the stored record keys."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from knowledge import InterviewState, KnowledgeBase, QuestionSet, Readiness, assess
from storage.assessments import (
    cancel_assessment,
    complete_assessment,
    save_interview_state,
    start_assessment,
)
from storage.models import (
    RECORD_KEY_MODULUS,
    SUBFACTOR_SLOTS,
    Assessment,
    ScoreSlot,
    ScoreSlotKind,
)
from storage.respondents import forget_respondent, get_or_create_respondent
from storage.stats import Dimension, GroupStats, stream_group_stats
from storage.stats.disclosure import SCORE_BOUND, SHARE_BOUND, Noise

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
    # Scored under this KB revision instead of the one the test passes (None: that one).
    kb: KnowledgeBase | None = field(default=None, compare=False)

    def knowledge(self, kb: KnowledgeBase) -> KnowledgeBase:
        """The KB this assessment is scored under, `kb` unless the spec has its own."""
        return self.kb or kb

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
) -> list[int]:
    """Store each spec through the repository functions the bot uses, then commit; the
    assessments' ids, in spec order."""
    ids: list[int] = []
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
        assert assessment.id is not None
        ids.append(assessment.id)
        answers = spec.answers(spec.knowledge(kb))
        state = InterviewState(profile, spec.question_set, answers, cursor=len(answers))
        await save_interview_state(session=session, assessment=assessment, state=state)
        if spec.unfinished == "cancelled":
            await cancel_assessment(session=session, assessment=assessment)
        elif spec.unfinished is None:
            readiness = assess(spec.knowledge(kb), spec.question_set, answers)
            await complete_assessment(session=session, assessment=assessment, readiness=readiness)
            when = datetime(2025, spec.month, 15, 12, 30, tzinfo=UTC)
            await session.execute(
                update(Assessment)
                .where(Assessment.id == assessment.id)  # type: ignore[arg-type]
                .values(completed_at=when)
            )
    await session.commit()
    return ids


async def record_keys(session: AsyncSession, ids: Sequence[int]) -> list[int]:
    """The secret record keys of these assessments, in order (for reference computations:
    tests may read them; nothing published ever contains one)."""
    rows = await session.execute(
        select(col(Assessment.id), col(Assessment.record_key)).where(col(Assessment.id).in_(ids))
    )
    stored: dict[int | None, int] = dict(rows.tuples().all())
    return [stored[i] for i in ids]


async def forget_stored(session: AsyncSession, stored: Stored) -> None:
    """Delete every respondent a test stored (with their assessments, by cascade)."""
    for telegram_id in stored.telegram_ids:
        await forget_respondent(session=session, telegram_id=telegram_id)
    await session.commit()
    stored.telegram_ids.clear()


def cell_key(keys: Iterable[int]) -> int:
    """The cell key of records with these keys: their sum modulo RECORD_KEY_MODULUS."""
    return sum(keys) % RECORD_KEY_MODULUS


def _published_mean(
    values: Sequence[tuple[float | None, int]], k: int, figure: str, bound: float, noise: Noise
) -> float | None:
    """The published mean of (value, record key) pairs, over those with a value."""
    scored = [(value, key) for value, key in values if value is not None]
    total = math.fsum(value for value, _ in scored) if scored else None
    key = cell_key(key for _, key in scored)
    return noise.mean(total, len(scored), key, k, name=figure, bound=bound)


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
    kb: KnowledgeBase,
    specs: Sequence[Spec],
    by: Sequence[Dimension],
    k: int,
    keys: Sequence[int],
    noise: Noise,
) -> dict[tuple[str | None, ...], Expected]:
    """Every published group of the completed specs under `by` (`keys`: their record keys,
    in spec order; `noise`: the deployment's), as the statistics should report it; groups
    under k are absent."""
    members: dict[tuple[str | None, ...], list[tuple[Spec, Readiness, int]]] = defaultdict(list)
    for spec, key in zip(specs, keys, strict=True):
        if spec.unfinished is None:
            own = spec.knowledge(kb)
            readiness = assess(own, spec.question_set, spec.answers(own))
            members[tuple(spec.key(d) for d in by)].append((spec, readiness, key))
    if not by and not members:
        return {(): Expected(suppressed=True)}
    groups = {}
    for group, rows in members.items():
        people = {spec.respondent for spec, _, _ in rows}
        if len(rows) < k or len(people) < k:
            if not by:
                groups[group] = Expected(suppressed=True)
            continue  # a grouping lists only the groups it publishes
        group_key = cell_key(key for _, _, key in rows)
        # A key is reported when some assessment of the group has a result for it (even an
        # unscored one): assessments scored under different KB revisions have different keys.
        factor_keys = {f.key for _, r, _ in rows for f in r.factors}
        subfactor_keys = {sf.key for _, r, _ in rows for sf in r.subfactors}
        factors = {
            f_key: _published_mean(
                [(f.score, key) for _, r, key in rows for f in r.factors if f.key == f_key],
                k,
                f"factor.{f_key}",
                SCORE_BOUND,
                noise,
            )
            for f_key in factor_keys
        }
        means: dict[str, float | None] = {}
        shares: dict[str, float | None] = {}
        for sf_key in subfactor_keys:
            scored = [(sf, key) for _, r, key in rows for sf in r.subfactors if sf.key == sf_key]
            means[sf_key] = _published_mean(
                [(sf.score, key) for sf, key in scored], k, f"mean.{sf_key}", SCORE_BOUND, noise
            )
            shares[sf_key] = _published_mean(
                [
                    (None if sf.score is None else float(sf.effect == "driver"), key)
                    for sf, key in scored
                ],
                k,
                f"driver.{sf_key}",
                SHARE_BOUND,
                noise,
            )
        indices = [r.index for _, r, _ in rows if r.index is not None]
        groups[group] = Expected(
            suppressed=False,
            n=noise.count(len(rows), group_key, k),
            readiness=noise.mean(
                math.fsum(indices) if indices else None,
                len(indices),
                group_key,
                k,
                name="readiness",
                bound=SCORE_BOUND,
            ),
            factors=factors,
            means=means,
            shares=shares,
        )
    return groups


def close(actual: float | None, expected: float | None) -> bool:
    """Equal, allowing for floating-point summation order (None only equals None)."""
    if actual is None or expected is None:
        return actual is expected
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)


async def collect(
    session: AsyncSession, by: Sequence[Dimension], k: int
) -> dict[tuple[str | None, ...], GroupStats]:
    """Every group `stream_group_stats` yields, by key (checking that no key repeats)."""
    groups = [g async for g in stream_group_stats(session=session, by=by, k=k)]
    keys = [g.key for g in groups]
    assert len(keys) == len(set(keys)), "a group was split across the stream"
    return {g.key: g for g in groups}


def assert_matches(actual: GroupStats, expected: Expected) -> None:
    """The group's figures equal the reference, key for key: none missing, none extra."""
    assert actual.suppressed == expected.suppressed, actual.key
    if expected.suppressed:
        # Nothing but the key: no count, no figure, however it is read.
        assert (actual.n, actual.readiness, dict(actual.factors), dict(actual.subfactors)) == (
            None,
            None,
            {},
            {},
        )
        return
    assert actual.n == expected.n
    assert close(actual.readiness, expected.readiness)
    assert actual.factors.keys() == expected.factors.keys(), actual.key
    for key, mean in expected.factors.items():
        assert close(actual.factors[key], mean), key
    assert actual.subfactors.keys() == expected.means.keys(), actual.key
    for key, figures in actual.subfactors.items():
        assert close(figures.mean, expected.means[key]), key
        assert close(figures.driver_share, expected.shares[key]), key


async def exhaust_subfactor_slots(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Give every sub-factor column to a key of some old KB revision (committed), so that
    the keys of assessments completed from now on have no column of the wide score row."""
    async with session_factory() as session, session.begin():
        for slot in range(SUBFACTOR_SLOTS):
            session.add(ScoreSlot(kind=ScoreSlotKind.SUBFACTOR, key=f"retired_{slot}", slot=slot))
