"""The wide score row: written at completion equal to the results, slots kept across KB
revisions, filled by the migration, and gone with the respondent."""

from __future__ import annotations

import asyncio
import copy
import itertools
from dataclasses import replace
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col

from knowledge import KnowledgeBase, QuestionSet, load_kb, to_document
from storage.assessments import get_factor_results, get_subfactor_results
from storage.db import build_alembic_config, upgrade_database
from storage.models import (
    FACTOR_SLOTS,
    SUBFACTOR_SLOTS,
    Assessment,
    AssessmentScore,
    AssessmentStatus,
    driver_column,
    factor_column,
    subfactor_column,
)
from storage.respondents import forget_respondent
from storage.scores import assign_score_slots, get_score_slots
from storage.stats import Dimension, SubFactorFigures
from storage.stats.disclosure import get_noise
from tests.storage.stats_data import (
    TELEGRAM_BASE,
    Spec,
    Stored,
    assert_matches,
    collect,
    expected_groups,
    record_keys,
    store_specs,
)

GROUPINGS = [(), *((d,) for d in Dimension), *itertools.combinations(Dimension, 2)]
#: Unscored sub-factors ("don't know" throughout) and factors among scored ones.
SPECS = [
    Spec(respondent=1, sector="health", values=(None,)),
    Spec(respondent=2, sector="health", values=(4, None, 0)),
    Spec(respondent=3, sector="education", values=(1, 3), question_set=QuestionSet.DETAILED),
    Spec(respondent=4, sector="education", values=(2,), month=2),
    Spec(respondent=5, sector=None, values=(None, None, 4)),
    Spec(respondent=6, unfinished="active", cursor=3),
]


def revised_kb(kb: KnowledgeBase) -> KnowledgeBase:
    """A later revision: the first sub-factor renamed, and a sub-factor added after it."""
    document = copy.deepcopy(to_document(kb))
    subfactors = document["factors"][0]["subfactors"]
    subfactors[0]["key"] = "openness"
    added = copy.deepcopy(subfactors[1])
    added["key"] = "open_data"
    for question in added["questions"]:
        question["id"] = f"od_{question['id']}"
    subfactors.insert(1, added)
    return load_kb(document)


async def wide_rows(session: AsyncSession) -> dict[int, dict[str, Any]]:
    rows = await session.execute(select(AssessmentScore))
    return {row["assessment_id"]: dict(row) for row in rows.mappings()}


async def assert_wide_rows_equal_results(session: AsyncSession) -> None:
    """Every completed assessment has a wide row holding exactly its long-form results."""
    slots = await get_score_slots(session=session)
    rows = await wide_rows(session)
    completed = set(
        await session.scalars(
            select(col(Assessment.id)).where(
                col(Assessment.status) == AssessmentStatus.COMPLETED.value
            )
        )
    )
    assert rows.keys() == completed
    for assessment_id, row in rows.items():
        expected: dict[str, Any] = dict.fromkeys(AssessmentScore.c.keys())
        expected["assessment_id"] = assessment_id
        present = 0
        for factor in await get_factor_results(session=session, assessment_id=assessment_id):
            slot = slots.factors[factor.factor_key]
            if slot >= FACTOR_SLOTS:
                continue  # a key without a column (statistics then read the results)
            expected[factor_column(slot)] = factor.score
            present |= 1 << (SUBFACTOR_SLOTS + slot)
        for result in await get_subfactor_results(session=session, assessment_id=assessment_id):
            slot = slots.subfactors[result.subfactor_key]
            if slot >= SUBFACTOR_SLOTS:
                continue
            expected[subfactor_column(slot)] = result.score
            driver = None if result.effect is None else int(result.effect == "driver")
            expected[driver_column(slot)] = driver
            present |= 1 << slot
        expected["present"] = present
        assert row == expected


async def test_completion_writes_a_wide_row_equal_to_the_results(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    async with session_factory() as session:
        await store_specs(session, shipped_kb, SPECS, Stored())
        rows = await wide_rows(session)
        await assert_wide_rows_equal_results(session)
        slots = await get_score_slots(session=session)
    # Five completed, each with some unscored sub-factors; the active one has no row.
    assert len(rows) == 5
    assert any(row[subfactor_column(0)] is None and row["present"] & 1 for row in rows.values())
    # The first completion gave the shipped KB's keys the first slots, in KB order.
    assert dict(slots.factors) == {f.key: i for i, f in enumerate(shipped_kb.factors)}
    assert dict(slots.subfactors) == {sf.key: i for i, sf in enumerate(shipped_kb.subfactors)}


async def test_a_kb_revision_gets_new_slots_and_statistics_stay_correct(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    revised = revised_kb(shipped_kb)
    specs = [Spec(respondent=i, values=(i % 5, None, 3)) for i in range(3)]
    specs += [Spec(respondent=10 + i, values=(4 - i, 1), kb=revised) for i in range(3)]
    specs += [Spec(respondent=20, sector="education", kb=revised, values=(None,))]
    async with session_factory() as session:
        keys = await record_keys(session, await store_specs(session, shipped_kb, specs, Stored()))
        noise = await get_noise(session)
        slots = await get_score_slots(session=session)
        await assert_wide_rows_equal_results(session)
        actual = {by: await collect(session, by, 1) for by in GROUPINGS}

    old = {sf.key: i for i, sf in enumerate(shipped_kb.subfactors)}
    # Old keys keep their slots (the renamed one too); new keys take the next ones.
    assert dict(slots.subfactors) == {**old, "openness": 16, "open_data": 17}
    assert slots.fit
    for by in GROUPINGS:
        expected = expected_groups(shipped_kb, specs, by, 1, keys, noise)
        assert actual[by].keys() == expected.keys()
        for key, group in actual[by].items():
            assert_matches(group, expected[key])
    # Each key appears where an assessment has it: the education group only knows the new KB.
    education = actual[(Dimension.SECTOR,)][("education",)].subfactors
    assert "openness" in education and "transparency" not in education
    health = actual[(Dimension.SECTOR,)][("health",)].subfactors
    assert {"openness", "transparency", "open_data"} <= health.keys()


async def test_concurrent_new_keys_take_distinct_slots(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as first, session_factory() as second:
        async with first.begin():
            await assign_score_slots(session=first, factors=["a"], subfactors=["x"])

            async def later() -> None:
                async with second.begin():
                    await assign_score_slots(session=second, factors=["b"], subfactors=["x", "y"])

            # The second waits for the first's uncommitted slots (PostgreSQL: the unique
            # (kind, slot) index; SQLite: the write lock), then takes the next ones.
            waiting = asyncio.create_task(later())
            await asyncio.sleep(0.3)
            assert not waiting.done()
        await waiting
        slots = await get_score_slots(session=first)
    assert dict(slots.factors) == {"a": 0, "b": 1}
    assert dict(slots.subfactors) == {"x": 0, "y": 1}


async def test_forgetting_a_respondent_removes_their_wide_rows(
    session_factory: async_sessionmaker[AsyncSession], shipped_kb: KnowledgeBase
) -> None:
    specs = [Spec(respondent=1), Spec(respondent=1, month=2), Spec(respondent=2)]
    async with session_factory() as session:
        await store_specs(session, shipped_kb, specs, Stored())
        assert len(await wide_rows(session)) == 3
        assert await forget_respondent(session=session, telegram_id=TELEGRAM_BASE + 1)
        await session.commit()
        remaining = await wide_rows(session)
        kept = await session.scalar(select(func.count()).select_from(Assessment))
    assert len(remaining) == 1 == kept


def _downgrade(connection: Connection, revision: str) -> None:
    config = build_alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


@pytest.mark.parametrize("overflow", [False, True])
async def test_upgrading_from_0003_fills_the_wide_rows(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    shipped_kb: KnowledgeBase,
    overflow: bool,
) -> None:
    revised = revised_kb(shipped_kb)
    specs = [*SPECS, Spec(respondent=7, kb=revised, values=(3, None))]
    async with session_factory() as session:
        ids = await store_specs(session, shipped_kb, specs, Stored())
    # Back to 0003 (the wide tables dropped, the results kept), then up again.
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, "0003")
        assert not {"assessment_score", "score_slot"} & await connection.run_sync(_table_names)
        if overflow:
            # More sub-factor keys than columns: the backfill assigns slots past the last.
            for slot in range(SUBFACTOR_SLOTS):
                await connection.exec_driver_sql(
                    "INSERT INTO subfactor_result (assessment_id, subfactor_key, factor_key, "
                    f"confidence) SELECT min(id), 'old_{slot:02d}', 'old', 0 FROM assessment"
                )
    await upgrade_database(engine)

    async with session_factory() as session:
        slots = await get_score_slots(session=session)
        await assert_wide_rows_equal_results(session)
        actual = {by: await collect(session, by, 1) for by in GROUPINGS}
        # Migration 0006 gave every assessment a new record key on the way up.
        keys = await record_keys(session, ids)
        noise = await get_noise(session)
    assert slots.fit is not overflow
    # Slots in the order the keys first appear: the first assessment's (by key), then the
    # revised KB's new ones.
    first = [sf.key for sf in shipped_kb.subfactors]
    first += [f"old_{slot:02d}" for slot in range(SUBFACTOR_SLOTS)] if overflow else []
    by_slot = sorted(slots.subfactors, key=slots.subfactors.__getitem__)
    assert by_slot == [*sorted(first), "open_data", "openness"]
    for by in GROUPINGS:
        expected = expected_groups(shipped_kb, specs, by, 1, keys, noise)
        assert actual[by].keys() == expected.keys()
        for key, group in actual[by].items():
            if overflow and not group.suppressed:
                # The extra results have no scores: reported, but as nothing known.
                old = {k: v for k, v in group.subfactors.items() if k.startswith("old_")}
                assert set(old.values()) <= {SubFactorFigures(None, None)}
                others = {k: v for k, v in group.subfactors.items() if k not in old}
                group = replace(group, subfactors=others)
            assert_matches(group, expected[key])
