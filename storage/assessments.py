"""Assessments: start, resume, save and complete a respondent's run through the checklist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import and_, bindparam, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.db import count_affected_rows
from storage.interview_states import (
    StaleAssessmentError,
    load_interview_state,
    profile_columns,
    save_interview_state,
    update_if_current,
)
from storage.models import (
    Assessment,
    AssessmentScore,
    AssessmentStatus,
    FactorResult,
    Respondent,
    SubFactorResult,
    get_datetime_utc,
    status_is,
)
from storage.respondents import get_respondent
from storage.scores import write_assessment_score
from storage.sqlite_driver import inline_on_sqlite

if TYPE_CHECKING:
    from knowledge import assessment as scoring

__all__ = [
    "StaleAssessmentError",
    "cancel_assessment",
    "complete_assessment",
    "complete_refinement",
    "get_active_assessment",
    "get_assessment",
    "get_factor_results",
    "get_latest_completed_assessment",
    "get_refining_assessment",
    "get_respondent_and_active_assessment",
    "get_subfactor_results",
    "load_interview_state",
    "save_interview_state",
    "start_assessment",
]


async def get_assessment(*, session: AsyncSession, assessment_id: int) -> Assessment | None:
    """The assessment with this id, whatever its status."""
    return await session.get(Assessment, assessment_id)


_ACTIVE = select(Assessment).where(
    col(Assessment.respondent_id) == bindparam("respondent_id"),
    status_is(AssessmentStatus.ACTIVE),
)
# Built once: an answer's statements are the same every time, only their values change.
_ACTIVE_FOR_UPDATE = _ACTIVE.with_for_update().execution_options(populate_existing=True)
# An assessment's own rows, inserted inside its completing transaction: SQLite runs them on
# the event loop's thread (storage/sqlite_driver.py).
_FACTOR_RESULTS = inline_on_sqlite(insert(FactorResult.__table__))  # type: ignore[attr-defined]
_SUBFACTOR_RESULTS = inline_on_sqlite(insert(SubFactorResult.__table__))  # type: ignore[attr-defined]
_LOCK_RESPONDENT = (
    select(col(Respondent.id)).where(col(Respondent.id) == bindparam("id")).with_for_update()
)


async def _lock_respondent(session: AsyncSession, respondent_id: int) -> None:
    # Always the respondent first, also when there is no assessment yet to lock: one order
    # for every caller means no deadlocks, and two concurrent starts cannot both insert.
    # SQLite has no row locks: its writing transactions hold the one write lock from their
    # BEGIN IMMEDIATE (storage/sqlite.py), which serialises them already.
    if session.get_bind().dialect.name != "sqlite":
        await session.execute(_LOCK_RESPONDENT, {"id": respondent_id})


async def get_active_assessment(
    *, session: AsyncSession, respondent_id: int, for_update: bool = False
) -> Assessment | None:
    """The respondent's active assessment.

    `for_update` locks the respondent, then the assessment, until the transaction ends, so
    that concurrent updates for one person take turns instead of failing later.
    """
    if for_update:
        await _lock_respondent(session, respondent_id)
    statement = _ACTIVE_FOR_UPDATE if for_update else _ACTIVE
    return await session.scalar(statement, {"respondent_id": respondent_id})


# The first statement of an answer's transaction: with its BEGIN IMMEDIATE, SQLite runs it on
# the event loop's thread when the write lock is free (storage/sqlite_driver.py).
_RESPONDENT_AND_ACTIVE = inline_on_sqlite(
    select(Respondent, Assessment)
    .outerjoin(
        Assessment,
        and_(
            col(Assessment.respondent_id) == col(Respondent.id),
            status_is(AssessmentStatus.ACTIVE),
        ),
    )
    .where(col(Respondent.telegram_id) == bindparam("telegram_id"))
    .execution_options(populate_existing=True)
)


async def get_respondent_and_active_assessment(
    *, session: AsyncSession, telegram_id: int
) -> tuple[Respondent, Assessment | None] | None:
    """The respondent with this Telegram id and their active assessment, locked as
    `get_active_assessment(for_update=True)` locks them; None for someone not registered.

    On SQLite, whose writing transaction holds the write lock from its start, this is one
    statement instead of two, on an answer's hot path (bench/README.md); on PostgreSQL it is
    the respondent's row lock, then the assessment's, as everywhere else.
    """
    if session.get_bind().dialect.name != "sqlite":
        respondent = await get_respondent(session=session, telegram_id=telegram_id)
        if respondent is None:
            return None
        assert respondent.id is not None
        active = await get_active_assessment(
            session=session, respondent_id=respondent.id, for_update=True
        )
        return respondent, active
    row = (await session.execute(_RESPONDENT_AND_ACTIVE, {"telegram_id": telegram_id})).first()
    return None if row is None else (row[0], row[1])


_COMPLETED = select(Assessment).where(
    col(Assessment.respondent_id) == bindparam("respondent_id"),
    status_is(AssessmentStatus.COMPLETED),
)
_LATEST_FIRST = (col(Assessment.completed_at).desc(), col(Assessment.id).desc())
# Built once (building one and its cache key took 150 µs): /start, a profile and every
# completion look for the latest completed assessment.
_LATEST_COMPLETED = _COMPLETED.order_by(*_LATEST_FIRST).limit(1)
_LATEST_COMPLETED_BEFORE = (
    _COMPLETED.where(col(Assessment.id) < bindparam("before_id")).order_by(*_LATEST_FIRST).limit(1)
)


async def get_latest_completed_assessment(
    *, session: AsyncSession, respondent_id: int, before_id: int | None = None
) -> Assessment | None:
    """The respondent's most recently completed assessment (older than `before_id`, if given)."""
    if before_id is None:
        return await session.scalar(_LATEST_COMPLETED, {"respondent_id": respondent_id})
    return await session.scalar(
        _LATEST_COMPLETED_BEFORE, {"respondent_id": respondent_id, "before_id": before_id}
    )


async def start_assessment(
    *,
    session: AsyncSession,
    respondent_id: int,
    kb_revision: int,
    profile: Mapping[str, str] | None = None,
    org_code: str | None = None,
    channel: str = "telegram",
) -> Assessment:
    """Begin a new assessment for the respondent, cancelling any active one first."""
    active = await get_active_assessment(
        session=session, respondent_id=respondent_id, for_update=True
    )
    if active is not None:
        await cancel_assessment(session=session, assessment=active)
    now = get_datetime_utc()
    columns = profile_columns(profile or {})
    assessment = Assessment(
        respondent_id=respondent_id,
        kb_revision=kb_revision,
        org_code=org_code,
        channel=channel,
        started_at=now,
        updated_at=now,
        sector=columns["sector"],
        region=columns["region"],
        organisation=columns["organisation"],
        role=columns["role"],
    )
    session.add(assessment)
    await session.flush()
    return assessment


async def get_refining_assessment(
    *, session: AsyncSession, respondent_id: int
) -> Assessment | None:
    """The respondent's latest completed assessment when its refinement is under way."""
    latest = await get_latest_completed_assessment(session=session, respondent_id=respondent_id)
    if latest is None or not latest.refined or latest.refined_at is not None:
        return None
    return latest


async def cancel_assessment(*, session: AsyncSession, assessment: Assessment) -> bool:
    """Cancel the assessment if it is still active; False if it had already closed."""
    result = await session.execute(
        update(Assessment)
        .where(col(Assessment.id) == assessment.id, status_is(AssessmentStatus.ACTIVE))
        .values(
            status=AssessmentStatus.CANCELLED,
            version=Assessment.version + 1,
            updated_at=get_datetime_utc(),
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(assessment)
    return count_affected_rows(result) > 0


async def complete_assessment(
    *, session: AsyncSession, assessment: Assessment, readiness: scoring.Readiness
) -> None:
    """Close the assessment with its readiness, storing factor and sub-factor results."""
    assert assessment.id is not None
    now = get_datetime_utc()
    await update_if_current(
        session,
        assessment,
        {
            "status": AssessmentStatus.COMPLETED.value,
            "completed_at": now,
            "readiness_index": readiness.index,
            "stage": readiness.stage.key if readiness.stage is not None else None,
        },
    )
    await _store_results(session, assessment.id, readiness)


async def complete_refinement(
    *, session: AsyncSession, assessment: Assessment, readiness: scoring.Readiness
) -> None:
    """Replace a completed assessment's results with those of its finished refinement.

    The assessment keeps its completion time; statistics see the new figures when the
    caller's transaction commits, never a mix of old and new.
    """
    assert assessment.id is not None
    await update_if_current(
        session,
        assessment,
        {
            "refined_at": get_datetime_utc(),
            "readiness_index": readiness.index,
            "stage": readiness.stage.key if readiness.stage is not None else None,
        },
        AssessmentStatus.COMPLETED,
    )
    for table in (FactorResult, SubFactorResult):
        await session.execute(delete(table).where(col(table.assessment_id) == assessment.id))
    await session.execute(
        delete(AssessmentScore).where(AssessmentScore.c.assessment_id == assessment.id)
    )
    await _store_results(session, assessment.id, readiness)


async def _store_results(
    session: AsyncSession, assessment_id: int, readiness: scoring.Readiness
) -> None:
    """The long-form factor and sub-factor results, then the wide score row.

    Core inserts of plain rows (one executemany each), not ORM objects: this runs inside the
    completing answer's transaction, which holds SQLite's write lock (bench/README.md).
    """
    await session.execute(
        _FACTOR_RESULTS,
        [
            {"assessment_id": assessment_id, "factor_key": factor.key, "score": factor.score}
            for factor in readiness.factors
        ],
    )
    await session.execute(
        _SUBFACTOR_RESULTS,
        [
            {
                "assessment_id": assessment_id,
                "subfactor_key": result.key,
                "factor_key": result.factor_key,
                "score": result.score,
                "confidence": result.confidence,
                "effect": result.effect.value if result.effect is not None else None,
            }
            for result in readiness.subfactors
        ],
    )
    # The same figures once more, one row per assessment, for statistics.
    await write_assessment_score(
        session=session,
        assessment_id=assessment_id,
        factors={factor.key: factor.score for factor in readiness.factors},
        subfactors=[
            (result.key, result.score, result.effect.value if result.effect is not None else None)
            for result in readiness.subfactors
        ],
    )


async def get_subfactor_results(
    *, session: AsyncSession, assessment_id: int
) -> list[SubFactorResult]:
    """The sub-factor results stored at completion (empty before it)."""
    rows = await session.scalars(
        select(SubFactorResult)
        .where(col(SubFactorResult.assessment_id) == assessment_id)
        .order_by(SubFactorResult.factor_key, SubFactorResult.subfactor_key)
    )
    return list(rows)


async def get_factor_results(*, session: AsyncSession, assessment_id: int) -> list[FactorResult]:
    """The factor scores stored at completion (empty before it)."""
    rows = await session.scalars(
        select(FactorResult)
        .where(col(FactorResult.assessment_id) == assessment_id)
        .order_by(FactorResult.factor_key)
    )
    return list(rows)
