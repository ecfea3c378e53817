"""Statistics in SQL: every figure equals a plain Python computation of the exact aggregate
made publishable (perturbed from the record keys); small groups are left out."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge import KnowledgeBase, QuestionSet
from knowledge.reliability import ItemMoments, cronbach_alpha
from storage.db import build_engine, build_session_factory, upgrade_database
from storage.scores import get_score_slots
from storage.stats import (
    Dimension,
    GroupStats,
    count_stat_groups,
    cut_release,
    get_completion_funnel,
    get_group_stats,
    get_peer_factor_means,
    get_reliability,
    list_answer_counts,
    parse_dimensions,
    stream_group_stats,
)
from storage.stats.disclosure import get_noise
from tests.storage.stats_data import (
    Spec,
    Stored,
    assert_matches,
    cell_key,
    collect,
    exhaust_subfactor_slots,
    expected_groups,
    forget_stored,
    record_keys,
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
                ids = await store_specs(session, shipped_kb, specs, stored)
                try:
                    keys = await record_keys(session, ids)
                    noise = await get_noise(session)
                    actual = await collect(session, by, k)
                    groups = await count_stat_groups(session=session, by=by, k=k)
                    fit = (await get_score_slots(session=session)).fit
                finally:
                    await session.rollback()
                    await forget_stored(session, stored)
            assert fit is (slots == "wide") or not specs
            expected = expected_groups(shipped_kb, specs, by, k, keys, noise)
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
async def test_a_group_under_k_is_left_out_and_a_group_of_k_is_shown(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase, k: int
) -> None:
    specs = [Spec(respondent=i, sector="health") for i in range(k)]
    specs += [Spec(respondent=200 + i, sector="energy") for i in range(k + 1)]
    small = [Spec(respondent=100 + i, sector="education") for i in range(k - 1)]
    async with session_factory() as session:
        await store_specs(session, shipped_kb, specs, Stored())
        shown = await collect(session, [Dimension.SECTOR], k)
        await store_specs(session, shipped_kb, small, Stored())
        groups = await collect(session, [Dimension.SECTOR], k)

    # Exactly k: the perturbation table's first row leaves it as it is (never under k).
    assert shown[("health",)].suppressed is False
    assert shown[("health",)].n == k
    # k - 1 assessments: not published, and not listed either (the keys of small groups
    # would say where they are). Health and energy stay: a difference of perturbed figures
    # is noise, so no group has to be hidden to protect another.
    assert set(groups) == {("health",), ("energy",)}
    assert groups[("health",)] == shown[("health",)]
    assert groups[("energy",)].n is not None and abs(groups[("energy",)].n - (k + 1)) <= 1


async def test_k_assessments_by_fewer_than_k_people_are_suppressed(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    # One person completing the checklist five times is still one person.
    specs = [Spec(respondent=1, month=m) for m in (1, 1, 2, 2, 3)]
    async with session_factory() as session:
        ids = await store_specs(session, shipped_kb, specs, Stored())
        keys = await record_keys(session, ids)
        noise = await get_noise(session)
        overall = await get_group_stats(session=session, k=5)
        with_people = await get_group_stats(session=session, k=1)

    assert overall.suppressed is True and overall.n is None
    assert with_people.n == noise.count(5, cell_key(keys), 1)


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
        keys = await record_keys(session, await store_specs(session, shipped_kb, specs, Stored()))
        noise = await get_noise(session)
        groups = await collect(session, [Dimension.MONTH], 1)
    expected = expected_groups(shipped_kb, specs, [Dimension.MONTH], 1, keys, noise)
    assert set(groups) == {("2025-01",), ("2025-02",), ("2025-12",)}
    assert {key: g.n for key, g in groups.items()} == {key: e.n for key, e in expected.items()}


async def test_organisations_are_grouped_by_link_code_not_typed_name(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    specs = [Spec(respondent=i, org_code="water") for i in range(3)]
    specs += [Spec(respondent=10 + i) for i in range(2)]  # typed a name, no code
    async with session_factory() as session:
        keys = await record_keys(session, await store_specs(session, shipped_kb, specs, Stored()))
        noise = await get_noise(session)
        groups = await collect(session, [Dimension.ORGANISATION], 1)
    expected = expected_groups(shipped_kb, specs, [Dimension.ORGANISATION], 1, keys, noise)
    assert set(groups) == {("water",), (None,)}
    assert {key: g.n for key, g in groups.items()} == {key: e.n for key, e in expected.items()}


async def test_sector_peers_need_k_assessments_and_match_the_sector_group(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    specs = [Spec(respondent=i, sector="health", values=(i % 5,)) for i in range(3)]
    async with session_factory() as session:
        keys = await record_keys(session, await store_specs(session, shipped_kb, specs, Stored()))
        noise = await get_noise(session)
        below = await get_peer_factor_means(session=session, sector="health", k=4)
        at = await get_peer_factor_means(session=session, sector="health", k=3)
        none = await get_peer_factor_means(session=session, sector=None, k=1)
        sector = (await collect(session, [Dimension.SECTOR], 3))[("health",)]
    expected = expected_groups(shipped_kb, specs, [Dimension.SECTOR], 3, keys, noise)[("health",)]
    assert below is None and none is None
    assert at is not None
    assert {key: pytest.approx(value) for key, value in expected.factors.items()} == at
    # The same cell as the sector's group in an export: the same noise, the same figures.
    assert dict(sector.factors) == pytest.approx(at, rel=1e-12)


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
        keys = await record_keys(session, await store_specs(session, shipped_kb, specs, Stored()))
        noise = await get_noise(session)
        funnel = await get_completion_funnel(session=session, k=1)
        at_two = await get_completion_funnel(session=session, k=2)

    def published(members: list[int], k: int = 1) -> int | None:
        return noise.count(len(members), cell_key(keys[i] for i in members), k)

    assert (funnel.started, funnel.completed, funnel.active, funnel.cancelled) == (
        published([0, 1, 2, 3, 4, 5]),
        published([0, 1]),
        published([2, 4, 5]),
        published([3]),
    )
    stopped = {(d.question_set, d.position): d.count for d in funnel.stopped}
    assert stopped == {
        ("core", 4): published([2, 3]),
        ("core", 0): published([4]),
        ("detailed", 7): published([5]),
    }
    # Under k = 2: a count of one is never shown, and a stop of one is not listed.
    assert (at_two.cancelled, at_two.completed) == (None, published([0, 1], 2))
    assert [(d.question_set, d.position) for d in at_two.stopped] == [("core", 4)]


def _moments(items: list[str], complete: list[dict[str, int | None]]) -> ItemMoments:
    totals = [sum(a[item] or 0 for item in items) for a in complete]
    return ItemMoments(
        items=tuple(items),
        n=len(complete),
        sums=tuple(float(sum(a[item] or 0 for a in complete)) for item in items),
        squares=tuple(float(sum((a[item] or 0) ** 2 for a in complete)) for item in items),
        total_sum=float(sum(totals)),
        total_squares=float(sum(t * t for t in totals)),
    )


def test_answer_counts_and_reliability_equal_python_computations(
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
    @given(
        rows=st.lists(st.lists(VALUES, min_size=1, max_size=8), min_size=1, max_size=8),
        k=st.integers(1, 3),
    )
    def check(rows: list[list[int | None]], k: int) -> None:
        specs = [
            Spec(respondent=i, question_set=QuestionSet.DETAILED, values=tuple(values))
            for i, values in enumerate(rows)
        ]

        async def run() -> None:
            async with factory() as session:
                ids = await store_specs(session, shipped_kb, specs, stored)
                try:
                    unreleased = await list_answer_counts(session=session, k=k)
                    await session.commit()  # the release is cut in a transaction of its own
                    release = await cut_release(session=session, k=k, every=timedelta(0))
                    keys = await record_keys(session, ids)
                    noise = await get_noise(session)
                    counts = await list_answer_counts(session=session, k=k)
                    reliability = await get_reliability(session=session, items=items, k=k)
                finally:
                    await session.rollback()
                    await forget_stored(session, stored)
            # Nothing is counted before a release; a release needs k people.
            assert unreleased == []
            if len(specs) < k:
                assert release is None or counts == []
                return
            answered = [spec.answers(shipped_kb) for spec in specs]
            members: defaultdict[str, list[int]] = defaultdict(list)
            values: defaultdict[tuple[str, int | None], int] = defaultdict(int)
            for key, answers in zip(keys, answered, strict=True):
                for question, value in answers.items():
                    members[question].append(key)
                    values[question, value] += 1
            expected = {
                question: (noise.count(len(held), cell_key(held), k), cell_key(held))
                for question, held in members.items()
            }
            assert {c.question_id: c.total for c in counts} == {
                q: total for q, (total, _) in expected.items()
            }
            for published in counts:
                total, key = expected[published.question_id]
                if total is None:
                    assert published.counts == {}
                    continue
                assert published.counts == {
                    value: noise.count(n, key, k, name=f"answer.{value}")
                    for (question, value), n in values.items()
                    if question == published.question_id
                }
                # Every published count is at least k; the noise is at most 2 either way.
                assert all(c is None or c >= k for c in published.counts.values())
            complete = [
                (key, a)
                for key, a in zip(keys, answered, strict=True)
                if all(a[item] is not None for item in items)
            ]
            responses = noise.count(len(complete), cell_key(key for key, _ in complete), max(k, 2))
            assert reliability.responses == responses
            if responses is None:
                assert reliability.alpha is None
            else:
                alpha = cronbach_alpha(_moments(items, [a for _, a in complete]))
                assert reliability.alpha == pytest.approx(alpha) or alpha is reliability.alpha

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
