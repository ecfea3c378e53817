"""An assessment's interview state: its profile columns, cursor and answers, read and saved.

This is an answer's hot path (bench/README.md): the statements are built once and reused
with new values (SQLAlchemy then skips building and compiling them), written through Core
rather than the ORM, and a save writes only what changed. They are point reads and writes,
which SQLite runs on the event loop's thread inside the answer's writing transaction
(storage/sqlite_driver.py).

An ordinary answer needs neither the ORM nor a session: `open_interview` reads the person's
open assessment with its answers as plain values through a connection, and
`save_open_interview` writes the new state. The ORM's `load_interview_state` and
`save_interview_state` serve every other use case, and both kinds of save write alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import Row, Table, and_, bindparam, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from knowledge.interview_state import PROFILE_FIELDS, InterviewState
from knowledge.model import QuestionSet
from storage.db import count_affected_rows
from storage.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Respondent,
    get_datetime_utc,
    status_is,
)
from storage.sqlite_driver import inline_on_sqlite

__all__ = [
    "OpenInterview",
    "StaleAssessmentError",
    "load_interview_state",
    "open_interview",
    "profile_columns",
    "save_interview_state",
    "save_open_interview",
    "update_if_current",
]

_ASSESSMENTS: Table = Assessment.__table__  # type: ignore[attr-defined]
_ANSWER_TABLE: Table = Answer.__table__  # type: ignore[attr-defined]
_RESPONDENTS: Table = Respondent.__table__  # type: ignore[attr-defined]
# A session's statements and a connection's are executed alike.
_Executor = AsyncSession | AsyncConnection
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


# An answer's one read: the respondent, their active assessment and its answers, a row per
# answer (one with no answer columns when there is none). With its BEGIN IMMEDIATE, SQLite
# runs it on the event loop's thread when the write lock is free (storage/sqlite_driver.py).
_STATE_COLUMNS = (*PROFILE_FIELDS, "question_set", "cursor", "refined")
_OPEN_INTERVIEW = inline_on_sqlite(
    select(
        _RESPONDENTS.c.id.label("respondent_id"),
        _RESPONDENTS.c.language,
        _RESPONDENTS.c.blocked_at,
        _ASSESSMENTS.c.id.label("assessment_id"),
        _ASSESSMENTS.c.version,
        _ASSESSMENTS.c.kb_revision,
        *(_ASSESSMENTS.c[name] for name in _STATE_COLUMNS),
        _ANSWER_TABLE.c.question_id,
        _ANSWER_TABLE.c.value,
    )
    .select_from(_RESPONDENTS)
    .outerjoin(
        _ASSESSMENTS,
        and_(
            _ASSESSMENTS.c.respondent_id == _RESPONDENTS.c.id,
            status_is(AssessmentStatus.ACTIVE),
        ),
    )
    .outerjoin(_ANSWER_TABLE, _ANSWER_TABLE.c.assessment_id == _ASSESSMENTS.c.id)
    .where(_RESPONDENTS.c.telegram_id == bindparam("telegram_id"))
)
# PostgreSQL locks the respondent first, as every writer of theirs does, so the read after it
# sees what the previous writer committed. SQLite's writing transaction holds the write lock
# from its start: nothing can change under it.
_LOCK_RESPONDENT = (
    select(_RESPONDENTS.c.id)
    .where(_RESPONDENTS.c.telegram_id == bindparam("telegram_id"))
    .with_for_update()
)


@dataclass(frozen=True, slots=True)
class OpenInterview:
    """A person's active assessment as an answer needs it: plain values, no ORM objects."""

    respondent_id: int
    language: str | None
    assessment_id: int
    version: int
    kb_revision: int
    state: InterviewState


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


def _state_columns(state: InterviewState) -> dict[str, Any]:
    """The assessment's columns that hold `state` (its answers are rows of their own)."""
    return {
        **profile_columns(state.profile),
        "question_set": state.question_set.value if state.question_set else None,
        "cursor": state.cursor,
        "refined": list(state.refined) or None,
    }


def _state_from(columns: Mapping[str, Any], answers: dict[str, int | None]) -> InterviewState:
    """The state an assessment's columns and answers hold: `_state_columns` read back."""
    profile = {name: value for name in PROFILE_FIELDS if (value := columns[name]) is not None}
    return InterviewState(
        profile=MappingProxyType(profile),
        question_set=QuestionSet(columns["question_set"]) if columns["question_set"] else None,
        answers=MappingProxyType(answers),
        cursor=columns["cursor"],
        refined=tuple(columns["refined"] or ()),
    )


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
    written = await _update_current(session, assessment.id, assessment.version, values, status)
    for key, value in written.items():
        set_committed_value(assessment, key, value)


async def _update_current(
    execute: _Executor,
    assessment_id: int,
    version: int,
    values: dict[str, Any],
    status: AssessmentStatus,
) -> dict[str, Any]:
    """`update_if_current` by id and version; returns every value written."""
    values = {**values, "version": version + 1, "updated_at": get_datetime_utc()}
    if isinstance(values.get("status"), AssessmentStatus):
        values["status"] = values["status"].value
    statement = _update_statement(tuple(sorted(values)), status)
    result = await execute.execute(
        statement, {**values, "where_id": assessment_id, "where_version": version}
    )
    if count_affected_rows(result) != 1:
        raise StaleAssessmentError(assessment_id, version)
    return values


async def _stored_answers(execute: _Executor, assessment_id: int) -> dict[str, int | None]:
    rows = await execute.execute(_ANSWERS, {"assessment_id": assessment_id})
    return {question_id: value for question_id, value in rows.tuples()}


async def open_interview(connection: AsyncConnection, telegram_id: int) -> OpenInterview | None:
    """The active assessment of the person with this Telegram id, for an answer to change in
    this transaction; None for someone not registered, marked as having blocked the bot (the
    ORM's use cases clear the mark), or with no active assessment."""
    if connection.dialect.name != "sqlite":
        await connection.execute(_LOCK_RESPONDENT, {"telegram_id": telegram_id})
    rows = (await connection.execute(_OPEN_INTERVIEW, {"telegram_id": telegram_id})).all()
    return _interview(rows) if rows else None


def _interview(rows: Sequence[Row[Any]]) -> OpenInterview | None:
    # The columns by position, as the statement lists them: a row's attribute by name cost
    # about 2 µs here against 0.1 µs by position, and an answer reads some 40.
    respondent_id, language, blocked_at, assessment_id, version, kb_revision, *rest = rows[0]
    if blocked_at is not None or assessment_id is None:
        return None
    columns = dict(zip(_STATE_COLUMNS, rest, strict=False))  # the answer's two come last
    state = _state_from(columns, {row[-2]: row[-1] for row in rows if row[-2] is not None})
    return OpenInterview(
        respondent_id=respondent_id,
        language=language,
        assessment_id=assessment_id,
        version=version,
        kb_revision=kb_revision,
        state=state,
    )


async def save_open_interview(
    connection: AsyncConnection, interview: OpenInterview, state: InterviewState
) -> None:
    """Store `state` for the interview read in this transaction, writing only what changed.

    Raises StaleAssessmentError as `save_interview_state` does.
    """
    await _write_state(
        connection,
        interview.assessment_id,
        interview.version,
        AssessmentStatus.ACTIVE,
        before=_state_columns(interview.state),
        stored=interview.state.answers,
        state=state,
    )


async def load_interview_state(*, session: AsyncSession, assessment: Assessment) -> InterviewState:
    """The interview state stored for the assessment."""
    assert assessment.id is not None
    columns = {name: getattr(assessment, name) for name in _STATE_COLUMNS}
    return _state_from(columns, await _stored_answers(session, assessment.id))


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
    status = AssessmentStatus.ACTIVE
    if assessment.status == AssessmentStatus.COMPLETED:
        status = AssessmentStatus.COMPLETED
    # The version check passes only if nothing changed since `previous` was loaded.
    stored = previous.answers if previous is not None else None
    written = await _write_state(
        session,
        assessment.id,
        assessment.version,
        status,
        before={key: getattr(assessment, key) for key in _STATE_COLUMNS},
        stored=stored,
        state=state,
    )
    for key, value in written.items():
        set_committed_value(assessment, key, value)


async def _write_state(
    execute: _Executor,
    assessment_id: int,
    version: int,
    status: AssessmentStatus,
    *,
    before: Mapping[str, Any],
    stored: Mapping[str, int | None] | None,
    state: InterviewState,
) -> dict[str, Any]:
    """Write what differs from `before` (the row's columns) and `stored` (its answers, read
    after the version check when None), the version check first: a stale save writes nothing.
    Returns the assessment's columns written."""
    changed = {key: value for key, value in _state_columns(state).items() if before[key] != value}
    written = await _update_current(execute, assessment_id, version, changed, status)
    if stored is None:
        stored = await _stored_answers(execute, assessment_id)
    gone = stored.keys() - state.answers.keys()
    if gone:
        await execute.execute(
            delete(_ANSWER_TABLE).where(
                _ANSWER_TABLE.c.assessment_id == assessment_id,
                _ANSWER_TABLE.c.question_id.in_(gone),
            )
        )
    now = get_datetime_utc()
    rows = [
        {"assessment_id": assessment_id, "question_id": qid, "value": value, "answered_at": now}
        for qid, value in state.answers.items()
        if qid not in stored or stored[qid] != value
    ]
    if rows:
        await execute.execute(_UPSERT, rows)
    return written
