"""Statistics in SQL: every figure equals a plain Python computation; small groups suppressed."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge import KnowledgeBase, QuestionSet
from knowledge.reliability import cronbach_alpha
from storage.db import build_engine, build_session_factory, upgrade_database
from storage.scores import get_score_slots
from storage.stats import (
    Dimension,
    GroupStats,
    count_stat_groups,
    get_completion_funnel,
    get_group_stats,
    get_item_moments,
    get_peer_factor_means,
    list_answer_counts,
    parse_dimensions,
    stream_group_stats,
)
from tests.storage.stats_data import (
    Spec,
    Stored,
    assert_matches,
    collect,
    exhaust_subfactor_slots,
    expected_groups,
    forget_stored,
    store_specs,
)

GROUPINGS = [(), *((d,) for d in Dimension), *itertools.combinations(Dimension, 2)]
VALUES = st.sampled_from([None, 0, 1, 2, 3, 4])
SPECS = st.builds(
    Spec,
    respondent=st.integers(0, 6),
    sector=st.sampled_from(["health", "education", None]),
    region=st.sampled_from(["tehran", "fars"]),
    role=st.sampled_from(["it_digital", "frontline"]),
    org_code=st.sampled_from([None, "water", "tax"]),
    month=st.integers(1, 3),
    question_set=st.sampled_from(QuestionSet),
    values=st.lists(VALUES, min_size=1, max_size=6).map(tuple),
)


# "wide": statistics read the wide score rows; "exhausted": every sub-factor column is taken
# by keys of old KB revisions, so they read the long-form results instead.
@pytest.mark.parametrize("slots", ["wide", "exhausted"])
def test_every_figure_equals_a_python_computation(
    database_url: str, shipped_kb: KnowledgeBase, slots: str
) -> None:
    loop = asyncio.new_event_loop()
    engine = build_engine(database_url)
    loop.run_until_complete(upgrade_database(engine))
    factory = build_session_factory(engine)
    if slots == "exhausted":
        loop.run_until_complete(exhaust_subfactor_slots(factory))
    stored = Stored()
    examples = 20 if database_url.startswith("sqlite") else 8

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        specs=st.lists(SPECS, max_size=14),
        by=st.sampled_from(GROUPINGS),
        k=st.integers(1, 4),
    )
    def check(specs: list[Spec], by: tuple[Dimension, ...], k: int) -> None:
        async def run() -> None:
            async with factory() as session:
                await store_specs(session, shipped_kb, specs, stored)
                try:
                    actual = await collect(session, by, k)
                    groups = await count_stat_groups(session=session, by=by)
                    fit = (await get_score_slots(session=session)).fit
                finally:
                    await session.rollback()
                    await forget_stored(session, stored)
            assert fit is (slots == "wide") or not specs
            expected = expected_groups(shipped_kb, specs, by, k)
            assert actual.keys() == expected.keys()
            assert groups == len(expected)
            for key, group in actual.items():
                assert_matches(group, expected[key])

        loop.run_until_complete(run())

    try:
        check()
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()


@pytest.mark.parametrize("k", [2, 5])
async def test_a_group_is_suppressed_below_k_and_shown_at_k(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase, k: int
) -> None:
    specs = [Spec(respondent=i, sector="health") for i in range(k)]
    specs += [Spec(respondent=200 + i, sector="energy") for i in range(k + 1)]
    async with session_factory() as session:
        await store_specs(session, shipped_kb, specs, Stored())
        shown = await collect(session, [Dimension.SECTOR], k)
        small = [Spec(respondent=100 + i, sector="education") for i in range(k - 1)]
        await store_specs(session, shipped_kb, small, Stored())
        groups = await collect(session, [Dimension.SECTOR], k)

    assert shown[("health",)].suppressed is False
    assert shown[("health",)].n == k
    # k - 1 assessments: listed, but with neither its count nor any figure.
    education = groups[("education",)]
    assert education.suppressed is True
    assert (education.n, education.readiness, dict(education.factors)) == (None, None, {})
    # Health (the smallest other group) goes with it, or the total minus health and energy
    # would give education's count and sums away; energy stays.
    assert groups[("health",)].suppressed is True
    assert groups[("energy",)].n == k + 1


async def test_k_assessments_by_fewer_than_k_people_are_suppressed(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    # One person completing the checklist five times is still one person.
    specs = [Spec(respondent=1, month=m) for m in (1, 1, 2, 2, 3)]
    async with session_factory() as session:
        await store_specs(session, shipped_kb, specs, Stored())
        overall = await get_group_stats(session=session, k=5)
        with_people = await get_group_stats(session=session, k=1)

    assert overall.suppressed is True and overall.n is None
    assert with_people.n == 5


async def test_nothing_completed_is_one_suppressed_group(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        overall = await get_group_stats(session=session, k=1)
        assert [
            g async for g in stream_group_stats(session=session, by=[Dimension.SECTOR], k=1)
        ] == []
    assert overall == GroupStats(key=(), suppressed=True)


async def test_the_month_is_the_utc_month_of_completion(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    specs = [Spec(respondent=i, month=month) for i, month in enumerate((1, 2, 2, 12))]
    async with session_factory() as session:
        await store_specs(session, shipped_kb, specs, Stored())
        groups = await collect(session, [Dimension.MONTH], 1)
    assert {key: g.n for key, g in groups.items()} == {
        ("2025-01",): 1,
        ("2025-02",): 2,
        ("2025-12",): 1,
    }


async def test_organisations_are_grouped_by_link_code_not_typed_name(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    specs = [Spec(respondent=i, org_code="water") for i in range(3)]
    specs += [Spec(respondent=10 + i) for i in range(2)]  # typed a name, no code
    async with session_factory() as session:
        await store_specs(session, shipped_kb, specs, Stored())
        groups = await collect(session, [Dimension.ORGANISATION], 1)
    assert {key: g.n for key, g in groups.items()} == {("water",): 3, (None,): 2}


async def test_sector_peers_need_k_assessments(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    specs = [Spec(respondent=i, sector="health", values=(i % 5,)) for i in range(3)]
    async with session_factory() as session:
        await store_specs(session, shipped_kb, specs, Stored())
        below = await get_peer_factor_means(session=session, sector="health", k=4)
        at = await get_peer_factor_means(session=session, sector="health", k=3)
        none = await get_peer_factor_means(session=session, sector=None, k=1)
    expected = expected_groups(shipped_kb, specs, [Dimension.SECTOR], 3)[("health",)]
    assert below is None and none is None
    assert at is not None
    assert {key: pytest.approx(value) for key, value in expected.factors.items()} == at


async def test_the_funnel_counts_where_unfinished_assessments_stopped(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    specs = [
        Spec(respondent=1),
        Spec(respondent=2),
        Spec(respondent=3, unfinished="active", cursor=4),
        Spec(respondent=4, unfinished="cancelled", cursor=4),
        Spec(respondent=5, unfinished="active", cursor=0),
        Spec(respondent=6, unfinished="active", cursor=7, question_set=QuestionSet.DETAILED),
    ]
    async with session_factory() as session:
        await store_specs(session, shipped_kb, specs, Stored())
        funnel = await get_completion_funnel(session=session)
    assert (funnel.started, funnel.completed, funnel.active, funnel.cancelled) == (6, 2, 3, 1)
    stopped = {(d.question_set, d.position): d.count for d in funnel.stopped}
    assert stopped == {("core", 4): 2, ("core", 0): 1, ("detailed", 7): 1}


def test_answer_counts_and_item_moments_equal_python_sums(
    database_url: str, shipped_kb: KnowledgeBase
) -> None:
    factor = shipped_kb.factors[0]
    items = [q.id for sf in factor.subfactors for q in sf.questions_in(QuestionSet.DETAILED)]
    loop = asyncio.new_event_loop()
    engine = build_engine(database_url)
    loop.run_until_complete(upgrade_database(engine))
    factory = build_session_factory(engine)
    stored = Stored()

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(rows=st.lists(st.lists(VALUES, min_size=1, max_size=8), min_size=1, max_size=8))
    def check(rows: list[list[int | None]]) -> None:
        specs = [
            Spec(respondent=i, question_set=QuestionSet.DETAILED, values=tuple(values))
            for i, values in enumerate(rows)
        ]

        async def run() -> None:
            async with factory() as session:
                await store_specs(session, shipped_kb, specs, stored)
                try:
                    counts = await list_answer_counts(session=session)
                    moments = await get_item_moments(session=session, items=items)
                finally:
                    await session.rollback()
                    await forget_stored(session, stored)
            answered = [spec.answers(shipped_kb) for spec in specs]
            expected = Counter((q, value) for answers in answered for q, value in answers.items())
            assert {(c.question_id, c.value): c.count for c in counts} == dict(expected)
            complete = [a for a in answered if all(a[item] is not None for item in items)]
            assert moments.n == len(complete)
            for item, total, square in zip(items, moments.sums, moments.squares, strict=True):
                assert total == sum(a[item] or 0 for a in complete)
                assert square == sum((a[item] or 0) ** 2 for a in complete)
            totals = [sum(a[item] or 0 for item in items) for a in complete]
            assert moments.total_sum == sum(totals)
            assert moments.total_squares == sum(t * t for t in totals)
            if len(complete) < 2:
                assert cronbach_alpha(moments) is None

        loop.run_until_complete(run())

    try:
        check()
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("sector", (Dimension.SECTOR,)),
        ("sector, month", (Dimension.SECTOR, Dimension.MONTH)),
        ("ORGANISATION,role", (Dimension.ORGANISATION, Dimension.ROLE)),
    ],
)
def test_groupings_parse(text: str, expected: tuple[Dimension, ...]) -> None:
    assert parse_dimensions(text) == expected


@pytest.mark.parametrize("text", ["name", "sector,sector", "sector,region,month", "telegram_id"])
def test_other_groupings_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_dimensions(text)
