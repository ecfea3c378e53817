"""Plan statistics under the disclosure model: small groups not listed, counts and shares
perturbed within their bounds, the same cell the same in every table, and a difference of two
tables that isolates one respondent keeps noise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import StatsSecret
from storage.plans import (
    NewStep,
    PlanStep,
    StepStatus,
    answer_check_in,
    commit_steps,
    list_plan_steps,
)
from storage.stats import Dimension
from storage.stats.disclosure import COUNT_NOISE_LIMIT
from storage.stats.plan_steps import PlanScope, StepShares, blocker_counts, step_shares
from tests.storage.factories import create_assessment, create_respondent

NOW = datetime(2026, 3, 1, tzinfo=UTC)
STEPS = [NewStep("s.budget", "sf.money", "d30", NOW), NewStep("s.law", "sf.law", "d30", NOW)]
K = 3


async def person(
    session: AsyncSession,
    *,
    sector: str,
    region: str = "tehran",
    status: StepStatus = StepStatus.BLOCKED,
    reason: str | None = "budget",
) -> None:
    """One respondent, one assessment in `sector`, committed to STEPS, the first answered."""
    respondent = await create_respondent(session)
    assessment = await create_assessment(session, respondent, {"sector": sector, "region": region})
    assert respondent.id is not None and assessment.id is not None
    await commit_steps(
        session=session, respondent_id=respondent.id, assessment_id=assessment.id, steps=STEPS
    )
    first = (await list_plan_steps(session=session, respondent_id=respondent.id))[0]
    await answer_check_in(
        session=session,
        step=first,
        status=status,
        now=NOW,
        reason=reason if status is StepStatus.BLOCKED else None,
    )
    await session.commit()


async def list_all_steps(session: AsyncSession) -> list[PlanStep]:
    return list((await session.execute(select(PlanStep).order_by(col(PlanStep.id)))).scalars())


def cells(rows: Sequence[StepShares]) -> dict[tuple[str, str | None], StepShares]:
    return {(row.key, row.group): row for row in rows}


async def steps_by(
    session: AsyncSession, by: Dimension | None
) -> dict[tuple[str, str | None], StepShares]:
    return cells(await step_shares(session=session, k=K, scope=PlanScope.STEP, by=by))


async def test_a_group_of_fewer_than_k_people_is_not_listed(session: AsyncSession) -> None:
    for _ in range(K - 1):
        await person(session, sector="health")
    assert await steps_by(session, Dimension.SECTOR) == {}
    assert await blocker_counts(session=session, k=K, by=Dimension.SECTOR) == []
    await person(session, sector="health")
    published = await steps_by(session, Dimension.SECTOR)
    assert set(published) == {("s.budget", "health"), ("s.law", "health")}
    (reason,) = await blocker_counts(session=session, k=K, by=Dimension.SECTOR)
    assert (reason.group, reason.reason, reason.steps) == ("health", "budget", K)


async def test_counts_and_shares_are_perturbed_within_bounds_and_the_same_when_asked_again(
    session: AsyncSession,
) -> None:
    statuses = [StepStatus.DONE] * 4 + [StepStatus.BLOCKED] * 3 + [StepStatus.IN_PROGRESS] * 2
    for status in statuses:
        await person(session, sector="health", status=status)
    first = await steps_by(session, None)
    budget = first["s.budget", None]
    n = len(statuses)
    assert abs(budget.steps - n) <= COUNT_NOISE_LIMIT
    exact = {"done": 4 / n, "in_progress": 2 / n, "blocked": 3 / n}
    for name, share in exact.items():
        published = getattr(budget, name)
        assert published is not None and 0.0 <= published <= 1.0
        # The noise on a share's sum is at most one record's contribution (1).
        assert abs(published - share) <= 1 / n + 1e-9
    # Deterministic per cell: asked again, or through another table, the same figures.
    assert await steps_by(session, None) == first
    by_sector = await steps_by(session, Dimension.SECTOR)
    assert by_sector["s.budget", "health"].steps == budget.steps
    assert by_sector["s.budget", "health"].done == budget.done
    subfactor = cells(await step_shares(session=session, k=K, scope=PlanScope.SUBFACTOR))
    assert subfactor["sf.money", None].steps == budget.steps  # the same steps, the same cell


async def test_a_difference_of_two_tables_does_not_give_one_persons_step_away(
    session: AsyncSession,
) -> None:
    # Tehran = the victim (health) + ten people in utilities: Tehran (by region) minus
    # utilities (by sector) would be the victim's step exactly without noise. Over many
    # deployment secrets, the difference is spread, not the victim's count of one.
    await person(session, sector="health", status=StepStatus.BLOCKED)
    for _ in range(10):
        await person(session, sector="utilities", status=StepStatus.DONE)
    differences = set()
    blocked_differences = set()
    for secret in range(12):
        await set_secret(session, secret)
        region = (await steps_by(session, Dimension.REGION))["s.budget", "tehran"]
        sector = (await steps_by(session, Dimension.SECTOR))["s.budget", "utilities"]
        assert ("s.budget", "health") not in await steps_by(session, Dimension.SECTOR)
        differences.add(region.steps - sector.steps)
        assert region.blocked is not None and sector.blocked is not None
        blocked_differences.add(round(11 * region.blocked - 10 * sector.blocked, 6))
    assert len(differences) > 1
    assert len(blocked_differences) > 1
    await session.rollback()


async def set_secret(session: AsyncSession, secret: int) -> None:
    await session.execute(
        update(StatsSecret).where(col(StatsSecret.id) == 1).values(secret=f"{secret:064x}")
    )


async def test_one_step_changing_its_status_moves_the_shares_by_fresh_noise(
    session: AsyncSession,
) -> None:
    # Before and after one person says "done": without noise keyed by the status's own cell,
    # the done share would move by exactly 1/n and tell that someone just finished.
    for _ in range(7):
        await person(session, sector="health", status=StepStatus.IN_PROGRESS)
    secrets = range(12)
    before = []
    for secret in secrets:
        await set_secret(session, secret)
        before.append((await steps_by(session, None))["s.budget", None])
    (step, *_) = [s for s in await list_all_steps(session) if s.step_id == "s.budget"]
    await answer_check_in(session=session, step=step, status=StepStatus.DONE, now=NOW)
    moves = set()
    for secret, old in zip(secrets, before, strict=True):
        await set_secret(session, secret)
        new = (await steps_by(session, None))["s.budget", None]
        assert new.steps == old.steps  # the same steps: the same count
        assert new.done is not None and old.done is not None
        moves.add(round(7 * (new.done - old.done), 6))
    assert len(moves) > 1
    await session.rollback()
