"""A person's statements find their rows through an index, so their cost does not grow with
the number of people who used the bot.

SQLite plans without statistics (no ANALYZE), so its choice of index is fixed by the schema
and the statement: each statement a person's walk runs (the checklist to its results, /start
again, /results) is planned here with EXPLAIN QUERY PLAN. A plan that scans a table that grows
with use, or finds the person's assessments through the status index (every completed
assessment: 27 ms at 100 000, bench/README.md), fails.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event

from tests.auxil.service_walk import answer_core, sqlite_runtime

#: Tables that hold a fixed handful of rows: the score slots and the KB revisions.
SMALL_TABLES = {"score_slot", "kb_revision"}
#: How a person's statements may find assessments: by id, by respondent (with or without the
#: status), or by sector (the sector's means, read at most once a minute:
#: handlers/statistics/sector_means.py).
ASSESSMENT_ACCESS = {
    "INTEGER PRIMARY KEY",
    "ix_assessment_respondent_id_status",
    "uq_assessment_one_active_per_respondent",
    "ix_assessment_sector",
}
_STEP = re.compile(r"^(SCAN|SEARCH) (\w+)(?: USING (?:COVERING )?(?:INDEX )?(\w+(?: \w+ \w+)?))?")


async def walk_statements(database: Path) -> dict[str, Any]:
    """Every statement (with its first parameters) of one person's walk on `database`."""
    seen: dict[str, Any] = {}

    def record(
        conn: object, cursor: object, statement: str, params: Any, context: object, many: bool
    ) -> None:
        seen.setdefault(statement, params[0] if many else params)

    async with sqlite_runtime(database) as runtime:
        event.listen(runtime.engine.sync_engine, "before_cursor_execute", record)
        checklist = runtime.services.checklist
        await answer_core(runtime, 5, lambda n: n % 5)
        await checklist.start(telegram_id=5, language_code="en")
        await checklist.latest_results(telegram_id=5, language_code="en")
    return seen


def plan(database: Path, statement: str, params: Any) -> list[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {statement}", params).fetchall()
    return [row[3] for row in rows]


def refusals(steps: list[str]) -> list[str]:
    """The plan's steps that read a growing table whole, or assessments by the wrong index."""
    wrong = []
    for step in steps:
        match = _STEP.match(step)
        if match is None:  # MATERIALIZE, USE TEMP B-TREE, ...
            continue
        kind, table, access = match.groups()
        if kind == "SCAN" and table not in SMALL_TABLES and table != "scoped":
            wrong.append(step)  # `scoped` is the sector means' own CTE, found by sector
        elif table == "assessment" and kind == "SEARCH" and access not in ASSESSMENT_ACCESS:
            wrong.append(step)
    return wrong


async def test_a_persons_statements_find_their_rows_through_an_index(tmp_path: Path) -> None:
    database = tmp_path / "plans.sqlite3"
    statements = await walk_statements(database)
    planned = {
        statement: plan(database, statement, params)
        for statement, params in statements.items()
        if statement.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE"))
    }
    wrong = {" ".join(s.split())[:120]: refusals(steps) for s, steps in planned.items()}
    assert {statement: steps for statement, steps in wrong.items() if steps} == {}
    # The walk's reads of a person's assessments, the comparison's and /results' among them.
    searched = [s for steps in planned.values() for s in steps if "ix_assessment_respondent" in s]
    assert len(searched) >= 3


def test_the_rules_refuse_a_scan_and_the_status_index() -> None:
    assert refusals(["SCAN assessment"]) == ["SCAN assessment"]
    status = "SEARCH assessment USING INDEX ix_assessment_status (status=? AND rowid<?)"
    assert refusals([status]) == [status]
    kept = [
        "SEARCH assessment USING INDEX ix_assessment_respondent_id_status (respondent_id=?)",
        "SEARCH assessment USING INTEGER PRIMARY KEY (rowid=?)",
        "SCAN score_slot",
        "USE TEMP B-TREE FOR ORDER BY",
    ]
    assert refusals(kept) == []
