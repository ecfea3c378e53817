"""An assessment's status is written into the SQL, never bound (storage/models/assessments.py).

SQLite prepares a SELECT again at every execution when a bound value decides whether the
partial index of active assessments applies; these tests keep every status comparison literal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from bot.application import Runtime
from storage.models import Assessment, AssessmentStatus, get_datetime_utc, status_is
from storage.reminders import claim_due_reminders
from storage.stats.instrument import get_completion_funnel
from tests.auxil.service_walk import answer_core, sqlite_runtime

PERSON = 73_001
STORAGE = Path(__file__).resolve().parents[2] / "storage"
# A bound value in a comparison with the status column, in SQLite's or PostgreSQL's style.
BOUND_STATUS = re.compile(r"assessment\.status\s*(=|IN)\s*\(?\s*(\?|%\(|\$\d|\(__\[POSTCOMPILE)")


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.asyncpg.dialect()])
def test_status_is_writes_the_values_into_the_sql(dialect: Any) -> None:
    one = (
        select(col(Assessment.id))
        .where(status_is(AssessmentStatus.ACTIVE))
        .compile(dialect=dialect)
    )
    two = (
        select(col(Assessment.id))
        .where(status_is(AssessmentStatus.ACTIVE, AssessmentStatus.CANCELLED))
        .compile(dialect=dialect)
    )
    assert "assessment.status = 'active'" in str(one) and not one.params
    assert "assessment.status IN ('active', 'cancelled')" in str(two) and not two.params


def test_status_is_takes_only_statuses() -> None:
    with pytest.raises(ValueError, match="at least one"):
        status_is()
    with pytest.raises(ValueError, match="'active; DROP TABLE'"):
        status_is("active; DROP TABLE")  # type: ignore[arg-type]


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with sqlite_runtime(tmp_path / "status.sqlite3") as runtime:
        yield runtime


async def test_a_whole_checklist_binds_no_status(runtime: Runtime) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", record)
    checklist = runtime.services.checklist
    step = await answer_core(runtime, PERSON, lambda _number: 3)
    assert step.results is not None
    await checklist.start(telegram_id=PERSON, language_code="en")  # looks for a refinement
    async with runtime.session_factory() as session, session.begin():
        await claim_due_reminders(
            session=session, now=get_datetime_utc() + timedelta(days=30), delay=timedelta(days=1)
        )
        funnel = await get_completion_funnel(session=session, k=1)
    assert funnel.completed == 1
    reading = [s for s in statements if "assessment.status" in s]
    assert len(reading) >= 5, statements  # the walk did compare statuses
    assert not [s for s in statements if BOUND_STATUS.search(s)]


def _status_comparisons(tree: ast.AST) -> list[int]:
    """Lines comparing `Assessment.status` (bare or in col()) with anything, or calling in_()."""

    def is_status(node: ast.AST) -> bool:
        if isinstance(node, ast.Call) and node.args:
            node = node.args[0]
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "status"
            and isinstance(node.value, ast.Name)
            and node.value.id == "Assessment"
        )

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
            is_status(side) for side in (node.left, *node.comparators)
        ):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("in_", "not_in")
            and is_status(node.func.value)
        ):
            lines.append(node.lineno)
    return lines


def test_storage_compares_an_assessments_status_only_through_status_is() -> None:
    found = {
        str(path.relative_to(STORAGE)): lines
        for path in sorted(STORAGE.rglob("*.py"))
        if "migrations" not in path.parts
        and (lines := _status_comparisons(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}
