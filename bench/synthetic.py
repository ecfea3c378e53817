"""Synthetic completed assessments for the statistics benchmark, bulk-inserted in chunks.

The rows have the shape the bot writes (a respondent each, profile, answers, sub-factor and
factor results, and the wide score row, with slots assigned in KB order), scored the way
knowledge.assess scores them, but computed with plain floats so that generating 100 000
assessments takes seconds, not minutes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from knowledge import KnowledgeBase, QuestionSet
from storage.models import (
    RECORD_KEY_MODULUS,
    Answer,
    Assessment,
    AssessmentScore,
    FactorResult,
    Respondent,
    SubFactorResult,
)
from storage.scores import ScoreSlots, assign_score_slots, score_row

__all__ = ["Batch", "generate_batches", "insert_synthetic"]

CHUNK = 2_000
DETAILED_EVERY = 10  # one assessment in ten takes the detailed checklist
DONT_KNOW_RATE = 0.05
MONTHS = 24
ORG_CODES = 400
START = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Batch:
    """The rows of one chunk of assessments, per table."""

    respondents: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    subfactors: list[dict[str, Any]] = field(default_factory=list)
    factors: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _answer(rng: random.Random, bias: float) -> int | None:
    if rng.random() < DONT_KNOW_RATE:
        return None
    return min(4, int(rng.random() * 3 + bias * 2.5))


def _results(
    kb: KnowledgeBase,
    slots: ScoreSlots,
    rng: random.Random,
    batch: Batch,
    number: int,
    question_set: QuestionSet,
) -> float | None:
    """Answer, score and store one assessment's results; its readiness index."""
    bias = rng.random()  # agencies differ: some answer high across the board
    factor_scores: list[float] = []
    first_subfactor, first_factor = len(batch.subfactors), len(batch.factors)
    for factor in kb.factors:
        scores: list[float] = []
        for sf in factor.subfactors:
            weighted, total = 0.0, 0.0
            for question in sf.questions_in(question_set):
                value = _answer(rng, bias)
                batch.answers.append(
                    {
                        "assessment_id": number,
                        "question_id": question.id,
                        "value": value,
                        "answered_at": START,
                    }
                )
                if value is not None:
                    weighted += question.weight * value
                    total += question.weight
            score = 100 * weighted / total / kb.scale.max_value if total else None
            effect = None
            if score is not None:
                scores.append(score)
                effect = "driver" if score >= kb.driver_threshold else "obstacle"
            batch.subfactors.append(
                {
                    "assessment_id": number,
                    "subfactor_key": sf.key,
                    "factor_key": factor.key,
                    "score": score,
                    "confidence": 1.0,
                    "effect": effect,
                }
            )
        factor_score = _mean(scores)
        if factor_score is not None:
            factor_scores.append(factor_score)
        batch.factors.append(
            {"assessment_id": number, "factor_key": factor.key, "score": factor_score}
        )
    batch.scores.append(
        score_row(
            assessment_id=number,
            factors=[(r["factor_key"], r["score"]) for r in batch.factors[first_factor:]],
            subfactors=[
                (r["subfactor_key"], r["score"], r["effect"])
                for r in batch.subfactors[first_subfactor:]
            ],
            slots=slots,
        )
    )
    return _mean(factor_scores)


def _one(
    kb: KnowledgeBase, slots: ScoreSlots, rng: random.Random, batch: Batch, number: int
) -> None:
    question_set = QuestionSet.DETAILED if number % DETAILED_EVERY == 0 else QuestionSet.CORE
    completed = START + timedelta(days=rng.randrange(MONTHS * 30), seconds=rng.randrange(86_400))
    batch.respondents.append(
        {"id": number, "telegram_id": 10**12 + number, "language": "fa", "created_at": completed}
    )
    readiness = _results(kb, slots, rng, batch, number, question_set)
    code = rng.randrange(ORG_CODES)
    profile = kb.profile
    batch.assessments.append(
        {
            "id": number,
            "respondent_id": number,
            "status": "completed",
            "kb_revision": 1,
            "sector": rng.choice(profile.sectors).key,
            "region": rng.choice(profile.regions).key,
            "role": rng.choice(profile.roles).key,
            "organisation": f"typed name {code}",
            "org_code": f"org{code}" if code % 4 else None,
            "channel": "telegram",
            "question_set": question_set.value,
            "cursor": len(kb.questions(question_set)),
            "version": 1,
            "started_at": completed - timedelta(minutes=10),
            "updated_at": completed,
            "completed_at": completed,
            "readiness_index": readiness,
            # COPY bypasses the column's default: the key is given here (not secret: a bench).
            "record_key": rng.randrange(RECORD_KEY_MODULUS),
        }
    )


def generate_batches(
    kb: KnowledgeBase, slots: ScoreSlots, count: int, *, seed: int = 6, first: int = 1
) -> Iterator[Batch]:
    """`count` synthetic completed assessments with ids from `first`, CHUNK at a time."""
    rng = random.Random(seed)
    for start in range(first, first + count, CHUNK):
        batch = Batch()
        for number in range(start, min(start + CHUNK, first + count)):
            _one(kb, slots, rng, batch, number)
        yield batch


def _table_name(table: Any) -> str:
    return str(getattr(table, "__tablename__", None) or table.name)


async def _copy(connection: AsyncConnection, table: str, rows: list[dict[str, Any]]) -> None:
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    columns = list(rows[0])
    await driver.copy_records_to_table(
        table, records=[tuple(row[c] for c in columns) for row in rows], columns=columns
    )


async def insert_synthetic(
    engine: AsyncEngine, kb: KnowledgeBase, count: int, *, first: int = 1
) -> None:
    """Insert `count` completed assessments (COPY on PostgreSQL, executemany on SQLite)."""
    tables = (
        (Respondent, "respondents"),
        (Assessment, "assessments"),
        (Answer, "answers"),
        (SubFactorResult, "subfactors"),
        (FactorResult, "factors"),
        (AssessmentScore, "scores"),
    )
    # As the first completion would: the KB's keys get the next free slots, in KB order.
    async with AsyncSession(engine) as session, session.begin():
        slots = await assign_score_slots(
            session=session,
            factors=[f.key for f in kb.factors],
            subfactors=[sf.key for sf in kb.subfactors],
        )
    postgres = engine.dialect.name == "postgresql"
    for batch in generate_batches(kb, slots, count, first=first):
        async with engine.begin() as connection:
            for table, name in tables:
                rows = getattr(batch, name)
                if postgres:
                    await _copy(connection, _table_name(table), rows)
                else:
                    await connection.execute(insert(table), rows)
