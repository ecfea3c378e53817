"""The disclosure rules as properties: bounded, unbiased noise, nothing under k, the same
figure for the same cell however often and however it is asked for."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge import KnowledgeBase
from storage.models import RECORD_KEY_MODULUS, StatsSecret
from storage.stats import Dimension, get_group_stats, get_peer_factor_means
from storage.stats.disclosure import (
    COUNT_NOISE,
    COUNT_NOISE_LIMIT,
    SCORE_BOUND,
    SHARE_BOUND,
    SUM_NOISE,
    Noise,
    get_noise,
)
from tests.storage.stats_data import Spec, Stored, collect, forget_stored, store_specs

KEYS = st.integers(0, RECORD_KEY_MODULUS - 1)
#: A deployment's noise, with a secret of its own (the real one is made by migration 0006).
NOISE = Noise(bytes(range(32)))
publish_count = NOISE.count
publish_mean = NOISE.mean
NAMES = st.sampled_from(["n", "readiness", "factor.human", "mean.transparency", "answer.3"])


@given(n=st.integers(0, 10_000), key=KEYS, k=st.integers(1, 20), name=NAMES)
def test_a_published_count_is_never_under_k_and_never_off_by_more_than_the_limit(
    n: int, key: int, k: int, name: str
) -> None:
    published = publish_count(n, key, k, name=name)
    if n < k:
        assert published is None
    else:
        assert published is not None
        assert published >= k
        assert abs(published - n) <= COUNT_NOISE_LIMIT
    # The same cell, asked again, gets the same answer.
    assert publish_count(n, key, k, name=name) == published


@given(n=st.integers(0, 10_000), key=KEYS, k=st.integers(1, 20), people=st.integers(0, 30))
def test_fewer_than_k_people_publish_no_count(n: int, key: int, k: int, people: int) -> None:
    published = publish_count(n, key, k, respondents=people)
    assert (published is None) is (n < k or people < k)


def test_every_row_of_the_count_table_is_a_distribution_with_mean_zero() -> None:
    for offset, row in enumerate(COUNT_NOISE):
        assert math.isclose(sum(p for _, p in row), 1.0)
        assert math.isclose(sum(d * p for d, p in row), 0.0, abs_tol=1e-12)
        # Row min(n - k, 2): the noise never takes a count of at least k under k.
        assert min(d for d, _ in row) >= -offset


def test_counts_are_unbiased_over_the_keys() -> None:
    # Evenly spaced keys stand for a uniform cell key: the average noise is (about) zero.
    keys = range(0, RECORD_KEY_MODULUS, RECORD_KEY_MODULUS // 20_000)
    for n in (5, 6, 7, 40):
        noise = [(publish_count(n, key, 5) or 0) - n for key in keys]
        assert abs(sum(noise) / len(noise)) < 0.02, n
        assert set(noise) == {d for d, _ in COUNT_NOISE[min(n - 5, 2)]}


@given(
    values=st.lists(st.floats(0, SCORE_BOUND), min_size=1, max_size=60),
    key=KEYS,
    k=st.integers(1, 10),
    name=NAMES,
    share=st.booleans(),
)
def test_a_published_mean_stays_within_one_records_range_over_n_of_the_truth(
    values: list[float], key: int, k: int, name: str, share: bool
) -> None:
    bound = SHARE_BOUND if share else SCORE_BOUND
    values = [v * bound / SCORE_BOUND for v in values]
    published = publish_mean(math.fsum(values), len(values), key, k, name=name, bound=bound)
    if len(values) < k:
        assert published is None
        return
    assert published is not None
    mean = math.fsum(values) / len(values)
    assert 0.0 <= published <= bound
    assert abs(published - mean) <= SUM_NOISE * bound / len(values) + 1e-9
    assert publish_mean(math.fsum(values), len(values), key, k, name=name, bound=bound) == published


def test_different_figures_of_one_cell_get_unrelated_noise() -> None:
    # With one shared draw, factor means of the same cell would move together, and their
    # differences (the victim's profile) would come out exact.
    keys = range(1, RECORD_KEY_MODULUS, RECORD_KEY_MODULUS // 5_000)
    a = [publish_mean(250.0, 5, key, 5, name="factor.human", bound=SCORE_BOUND) for key in keys]
    b = [
        publish_mean(250.0, 5, key, 5, name="factor.managerial", bound=SCORE_BOUND) for key in keys
    ]
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    mean_x = sum(x for x, _ in pairs) / len(pairs)
    mean_y = sum(y for _, y in pairs) / len(pairs)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in pairs) / len(pairs)
    var_x = sum((x - mean_x) ** 2 for x, _ in pairs) / len(pairs)
    var_y = sum((y - mean_y) ** 2 for _, y in pairs) / len(pairs)
    assert abs(cov / math.sqrt(var_x * var_y)) < 0.05


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sizes=st.lists(st.integers(0, 9), min_size=2, max_size=3), k=st.integers(2, 5))
async def test_the_same_query_twice_and_the_same_cell_in_any_query_give_the_same_figures(
    session_factory: async_sessionmaker[AsyncSession],
    shipped_kb: KnowledgeBase,
    sizes: list[int],
    k: int,
) -> None:
    sectors = ["health", "education", "energy"][: len(sizes)]
    numbers = itertools.count(1_000 * len(sizes) + 100 * k)
    specs = [
        Spec(respondent=next(numbers), sector=sector, values=(i % 5, 4 - i % 5))
        for sector, size in zip(sectors, sizes, strict=True)
        for i in range(size)
    ]
    stored = Stored()
    async with session_factory() as session:
        await store_specs(session, shipped_kb, specs, stored)
        try:
            first = await collect(session, [Dimension.SECTOR], k)
            again = await collect(session, [Dimension.SECTOR], k)
            alone = {
                sector: await get_group_stats(
                    session=session, k=k, where={Dimension.SECTOR: sector}
                )
                for sector in sectors
            }
            peers = {
                sector: await get_peer_factor_means(session=session, sector=sector, k=k)
                for sector in sectors
            }
        finally:
            await forget_stored(session, stored)
    assert first == again
    # PostgreSQL may add a group's floats in another order when a query is shaped
    # differently: the same cell's figures then agree to rounding (the noise is the same).
    for sector, size in zip(sectors, sizes, strict=True):
        if size < k:
            assert (sector,) not in first and alone[sector].suppressed and peers[sector] is None
            continue
        group = first[(sector,)]
        assert group.n is not None and group.n >= k
        # The sector in a grouping, on its own, and as respondents' peers: one cell, one noise.
        assert alone[sector].n == group.n
        assert dict(alone[sector].factors) == pytest.approx(dict(group.factors), rel=1e-12)
        shown = {f: m for f, m in group.factors.items() if m is not None}
        assert peers[sector] == pytest.approx(shown, rel=1e-12)


def test_without_the_secret_the_noise_of_a_cell_key_cannot_be_told() -> None:
    # Another deployment (another secret) gives the same cell keys unrelated noise: knowing
    # the code and a cell's records is not enough to search the 31-bit cell keys.
    other = Noise(bytes(range(1, 33)))
    keys = range(1, RECORD_KEY_MODULUS, RECORD_KEY_MODULUS // 2_000)
    ours = [NOISE.figure("readiness").uniform(key) for key in keys]
    theirs = [other.figure("readiness").uniform(key) for key in keys]
    assert sum(abs(a - b) < 0.01 for a, b in zip(ours, theirs, strict=True)) < 0.05 * len(ours)


async def test_the_secret_is_made_once_by_the_migrations(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        first = await get_noise(session)
        again = await get_noise(session)
        secrets = list(await session.scalars(select(StatsSecret)))
    assert first is again
    assert [(s.id, len(s.secret)) for s in secrets] == [(1, 64)]
