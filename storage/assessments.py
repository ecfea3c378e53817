"""Assessments: start, resume, save and complete a respondent's run through the checklist."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from knowledge.interview import PROFILE_FIELDS, InterviewState
from knowledge.model import QuestionSet
from storage.db import count_affected_rows, dialect_insert
from storage.models import (
    Answer,
    Assessment,
    AssessmentScore,
    AssessmentStatus,
    FactorResult,
    Respondent,
    SubFactorResult,
    get_datetime_utc,
)
from storage.scores import write_assessment_score

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
    "get_subfactor_results",
    "load_interview_state",
    "save_interview_state",
    "start_assessment",
]


class StaleAssessmentError(Exception):
    """The assessment changed (or closed) since it was read: another update saved first."""

    def __init__(self, assessment_id: int, version: int) -> None:
        super().__init__(
            f"assessment {assessment_id} is no longer active at version {version}; "
            "another update saved it first: reload it and try again"
        )
        self.assessment_id = assessment_id
        self.version = version


async def get_assessment(*, session: AsyncSession, assessment_id: int) -> Assessment | None:
    """The assessment with this id, whatever its status."""
    return await session.get(Assessment, assessment_id)


async def _lock_respondent(session: AsyncSession, respondent_id: int) -> None:
    # Always the respondent first, also when there is no assessment yet to lock: one order
    # for every caller means no deadlocks, and two concurrent starts cannot both insert.
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks; a write that changes nothing takes its one write lock now.
        statement = (
            update(Respondent)
            .where(col(Respondent.id) == respondent_id)
            .values(id=Respondent.id)
            .execution_options(synchronize_session=False)
        )
        await session.execute(statement)
        return
    await session.execute(
        select(col(Respondent.id)).where(col(Respondent.id) == respondent_id).with_for_update()
    )


async def get_active_assessment(
    *, session: AsyncSession, respondent_id: int, for_update: bool = False
) -> Assessment | None:
    """The respondent's active assessment.

    `for_update` locks the respondent, then the assessment, until the transaction ends, so
    that concurrent updates for one person take turns instead of failing later.
    """
    statement = select(Assessment).where(
        col(Assessment.respondent_id) == respondent_id,
        col(Assessment.status) == AssessmentStatus.ACTIVE,
    )
    if for_update:
        await _lock_respondent(session, respondent_id)
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def get_latest_completed_assessment(
    *, session: AsyncSession, respondent_id: int, before_id: int | None = None
) -> Assessment | None:
    """The respondent's most recently completed assessment (older than `before_id`, if given)."""
    statement = select(Assessment).where(
        col(Assessment.respondent_id) == respondent_id,
        col(Assessment.status) == AssessmentStatus.COMPLETED,
    )
    if before_id is not None:
        statement = statement.where(col(Assessment.id) < before_id)
    statement = statement.order_by(
        col(Assessment.completed_at).desc(),
        col(Assessment.id).desc(),
    )
    return await session.scalar(statement.limit(1))


def _profile_columns(profile: Mapping[str, str]) -> dict[str, str | None]:
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown profile fields {sorted(unknown)}; expected {PROFILE_FIELDS}")
    return {name: profile.get(name) or None for name in PROFILE_FIELDS}


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
    columns = _profile_columns(profile or {})
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


async def _update_active(
    session: AsyncSession,
    assessment: Assessment,
    values: dict[str, Any],
    status: AssessmentStatus = AssessmentStatus.ACTIVE,
) -> None:
    """Write `values` if the row still has `status` at the version we read; bump the version.

    `status` is ACTIVE but while a completed assessment is refined (it stays COMPLETED).
    """
    assert assessment.id is not None
    values = {**values, "version": assessment.version + 1, "updated_at": get_datetime_utc()}
    result = await session.execute(
        update(Assessment)
        .where(
            col(Assessment.id) == assessment.id,
            col(Assessment.version) == assessment.version,
            col(Assessment.status) == status,
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if count_affected_rows(result) != 1:
        raise StaleAssessmentError(assessment.id, assessment.version)
    for key, value in values.items():
        set_committed_value(assessment, key, value)


async def cancel_assessment(*, session: AsyncSession, assessment: Assessment) -> bool:
    """Cancel the assessment if it is still active; False if it had already closed."""
    result = await session.execute(
        update(Assessment)
        .where(
            col(Assessment.id) == assessment.id, col(Assessment.status) == AssessmentStatus.ACTIVE
        )
        .values(
            status=AssessmentStatus.CANCELLED,
            version=Assessment.version + 1,
            updated_at=get_datetime_utc(),
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(assessment)
    return count_affected_rows(result) > 0


async def _stored_answers(session: AsyncSession, assessment_id: int) -> dict[str, int | None]:
    rows = await session.execute(
        select(col(Answer.question_id), col(Answer.value)).where(
            col(Answer.assessment_id) == assessment_id
        )
    )
    return {question_id: value for question_id, value in rows.tuples()}


async def load_interview_state(*, session: AsyncSession, assessment: Assessment) -> InterviewState:
    """The interview state stored for the assessment."""
    assert assessment.id is not None
    profile = {
        name: value for name in PROFILE_FIELDS if (value := getattr(assessment, name)) is not None
    }
    return InterviewState(
        profile=MappingProxyType(profile),
        question_set=QuestionSet(assessment.question_set) if assessment.question_set else None,
        answers=MappingProxyType(await _stored_answers(session, assessment.id)),
        cursor=assessment.cursor,
        refined=tuple(assessment.refined or ()),
    )


async def save_interview_state(
    *,
    session: AsyncSession,
    assessment: Assessment,
    state: InterviewState,
    previous: InterviewState | None = None,
) -> None:
    """Store `state` for the assessment, writing only what changed.

    `previous` is the state loaded in this transaction, if the caller has it: its answers are
    then not read again. Raises StaleAssessmentError when another update saved (or closed)
    the assessment since it was read; the caller's transaction should then be rolled back.
    A completed assessment is saved only to refine it (it stays completed meanwhile).
    """
    assert assessment.id is not None
    columns: dict[str, Any] = {
        **_profile_columns(state.profile),
        "question_set": state.question_set.value if state.question_set else None,
        "cursor": state.cursor,
        "refined": list(state.refined) or None,
    }
    changed = {key: value for key, value in columns.items() if getattr(assessment, key) != value}
    status = AssessmentStatus.ACTIVE
    if assessment.status == AssessmentStatus.COMPLETED:
        status = AssessmentStatus.COMPLETED
    # The version check comes first, so a stale save writes nothing.
    await _update_active(session, assessment, changed, status)

    # The version check passed: nothing changed since `previous` was loaded.
    stored = (
        dict(previous.answers)
        if previous is not None
        else await _stored_answers(session, assessment.id)
    )
    gone = stored.keys() - state.answers.keys()
    if gone:
        await session.execute(
            delete(Answer).where(
                col(Answer.assessment_id) == assessment.id,
                col(Answer.question_id).in_(gone),
            )
        )
    now = get_datetime_utc()
    rows = [
        {"assessment_id": assessment.id, "question_id": qid, "value": value, "answered_at": now}
        for qid, value in state.answers.items()
        if qid not in stored or stored[qid] != value
    ]
    if rows:
        insert = dialect_insert(session, Answer).values(rows)
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=["assessment_id", "question_id"],
                set_={"value": insert.excluded.value, "answered_at": insert.excluded.answered_at},
            )
        )


async def complete_assessment(
    *, session: AsyncSession, assessment: Assessment, readiness: scoring.Readiness
) -> None:
    """Close the assessment with its readiness, storing factor and sub-factor results."""
    assert assessment.id is not None
    now = get_datetime_utc()
    await _update_active(
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
    await _update_active(
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
    """The long-form factor and sub-factor results, then the wide score row."""
    for factor in readiness.factors:
        session.add(
            FactorResult(assessment_id=assessment_id, factor_key=factor.key, score=factor.score)
        )
        for result in factor.subfactors:
            session.add(
                SubFactorResult(
                    assessment_id=assessment_id,
                    subfactor_key=result.key,
                    factor_key=result.factor_key,
                    score=result.score,
                    confidence=result.confidence,
                    effect=result.effect.value if result.effect is not None else None,
                )
            )
    await session.flush()
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
