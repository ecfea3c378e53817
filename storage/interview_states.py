"""An assessment's interview state: its profile columns, cursor and answers, read and saved.

This is an answer's hot path (bench/README.md): the statements are built once and reused
with new values (SQLAlchemy then skips building and compiling them), written through Core
rather than the ORM, and a save writes only what changed. They are point reads and writes,
which SQLite runs on the event loop's thread inside the answer's writing transaction
(storage/sqlite_driver.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from knowledge.interview_state import PROFILE_FIELDS, InterviewState
from knowledge.model import QuestionSet
from storage.db import count_affected_rows
from storage.models import Answer, Assessment, AssessmentStatus, get_datetime_utc, status_is
from storage.sqlite_driver import inline_on_sqlite

__all__ = [
    "StaleAssessmentError",
    "load_interview_state",
    "profile_columns",
    "save_interview_state",
    "update_if_current",
]

_ASSESSMENTS: Table = Assessment.__table__  # type: ignore[attr-defined]
_ANSWER_TABLE: Table = Answer.__table__  # type: ignore[attr-defined]
# Core, not the ORM: plain rows need none of the ORM's per-statement work.
_ANSWERS = inline_on_sqlite(
    select(_ANSWER_TABLE.c.question_id, _ANSWER_TABLE.c.value).where(
        _ANSWER_TABLE.c.assessment_id == bindparam("assessment_id")
    )
)
_UPDATES: dict[tuple[tuple[str, ...], AssessmentStatus], Any] = {}


# SQLAlchemy gives ON CONFLICT statements no cache key, so the dialects' upsert constructs
# were compiled again for every answer; the same SQL as text is compiled once. Both SQLite and
# PostgreSQL read it alike; the timestamp keeps its column's type (UTC, as every other write).
_UPSERT = inline_on_sqlite(
    text(
        "INSERT INTO answer (assessment_id, question_id, value, answered_at) "
        "VALUES (:assessment_id, :question_id, :value, :answered_at) "
        "ON CONFLICT (assessment_id, question_id) "
        "DO UPDATE SET value = excluded.value, answered_at = excluded.answered_at"
    ).bindparams(bindparam("answered_at", type_=_ANSWER_TABLE.c.answered_at.type))
)


class StaleAssessmentError(Exception):
    """The assessment changed (or closed) since it was read: another update saved first."""

    def __init__(self, assessment_id: int, version: int) -> None:
        super().__init__(
            f"assessment {assessment_id} is no longer active at version {version}; "
            "another update saved it first: reload it and try again"
        )
        self.assessment_id = assessment_id
        self.version = version


def profile_columns(profile: Mapping[str, str]) -> dict[str, str | None]:
    """The assessment's profile columns for `profile`; raises on an unknown field."""
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown profile fields {sorted(unknown)}; expected {PROFILE_FIELDS}")
    return {name: profile.get(name) or None for name in PROFILE_FIELDS}


def _update_statement(columns: tuple[str, ...], status: AssessmentStatus) -> Any:
    """The versioned UPDATE of these columns of a row in `status`, built once for each."""
    statement = _UPDATES.get((columns, status))
    if statement is None:
        table = _ASSESSMENTS.c
        statement = _UPDATES[columns, status] = inline_on_sqlite(
            update(_ASSESSMENTS)
            .where(
                table.id == bindparam("where_id"),
                table.version == bindparam("where_version"),
                status_is(status),
            )
            .values({name: bindparam(name) for name in columns})
        )
    return statement


async def update_if_current(
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
    if isinstance(values.get("status"), AssessmentStatus):
        values["status"] = values["status"].value
    statement = _update_statement(tuple(sorted(values)), status)
    result = await session.execute(
        statement, {**values, "where_id": assessment.id, "where_version": assessment.version}
    )
    if count_affected_rows(result) != 1:
        raise StaleAssessmentError(assessment.id, assessment.version)
    for key, value in values.items():
        set_committed_value(assessment, key, value)


async def _stored_answers(session: AsyncSession, assessment_id: int) -> dict[str, int | None]:
    rows = await session.execute(_ANSWERS, {"assessment_id": assessment_id})
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
        **profile_columns(state.profile),
        "question_set": state.question_set.value if state.question_set else None,
        "cursor": state.cursor,
        "refined": list(state.refined) or None,
    }
    changed = {key: value for key, value in columns.items() if getattr(assessment, key) != value}
    status = AssessmentStatus.ACTIVE
    if assessment.status == AssessmentStatus.COMPLETED:
        status = AssessmentStatus.COMPLETED
    # The version check comes first, so a stale save writes nothing.
    await update_if_current(session, assessment, changed, status)

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
        await session.execute(_UPSERT, rows)
