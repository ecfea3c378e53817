"""What one answer costs in the use case alone: SQL statements, commits and CPU, in-process.

No Telegram, no emulator: the checklist's `handle` (storage, the interview, the step) and the
rendering of its step, for U people answering the core checklist on a fresh SQLite file with
the bot's settings (WAL, synchronous=FULL). Steadier than bench/throughput.py on a shared
machine, so each change to the answer's path can be measured on its own (bench/README.md).

    .venv/bin/python -m bench.answer_cost             # 40 people, 15 answers each
    .venv/bin/python -m bench.answer_cost --completed 100000   # after 100 000 others finished
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.synthetic import insert_synthetic
from bot.application import prepare_database
from handlers.checklist.service import Checklist
from handlers.checklist.views import render_step
from handlers.i18n import Renderer
from handlers.knowledge_store import KnowledgeStore
from handlers.statistics.sector_means import SectorMeans
from knowledge import AnswerQuestion, ChooseQuestionSet, QuestionSet, SetProfile, load_shipped_kb
from storage.db import build_engine, build_session_factory


async def measure(people: int, database: Path, completed: int, sector_means: float) -> None:
    """Walk `people` to their last core question, then time every core answer; first,
    `completed` others finish (synthetic rows, as bench/stats.py makes them)."""
    engine = build_engine(f"sqlite+aiosqlite:///{database}")
    await prepare_database(engine)
    kb = load_shipped_kb()
    if completed:
        started = time.perf_counter()
        await insert_synthetic(engine, kb, completed)
        seconds = time.perf_counter() - started
        print(f"setup    {completed} completed assessments in {seconds:.0f} s")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    answered: list[str] = []
    factory = build_session_factory(engine)
    checklist = Checklist(
        factory, KnowledgeStore(factory), sector_means=SectorMeans(k=5, ttl=sector_means)
    )
    renderer = Renderer()
    questions = kb.questions(QuestionSet.CORE)
    ids = range(9_000_001, 9_000_001 + people)
    for telegram_id in ids:
        await checklist.start(telegram_id=telegram_id, language_code="fa")
        for name, value in (
            ("sector", kb.profile.sectors[0].key),
            ("region", kb.profile.regions[0].key),
            ("organisation", "Bench"),
            ("role", kb.profile.roles[0].key),
        ):
            await checklist.handle(
                telegram_id=telegram_id, language_code="fa", event=SetProfile(name, value)
            )
        await checklist.handle(
            telegram_id=telegram_id,
            language_code="fa",
            event=ChooseQuestionSet(QuestionSet.CORE),
        )
    statements.clear()
    answers, completions, cpu, wall, completion_cpu = 0, 0, 0.0, 0.0, 0.0
    completion_statements: list[str] = []
    for number, question in enumerate(questions):
        last = number == len(questions) - 1
        if last:
            answered, statements = statements, completion_statements
        for telegram_id in ids:
            started, started_wall = time.process_time(), time.perf_counter()
            step = await checklist.handle(
                telegram_id=telegram_id,
                language_code="fa",
                event=AnswerQuestion(question.id, number % 5),
            )
            render_step(renderer, step)
            if last:
                completions += 1
                completion_cpu += time.process_time() - started
                continue
            cpu += time.process_time() - started
            wall += time.perf_counter() - started_wall
            answers += 1
    kinds = {kind: answered.count(kind) for kind in dict.fromkeys(answered)}
    print(
        f"answer   {answers} answers: cpu/answer={cpu / answers * 1000:.2f}ms "
        f"wall/answer={wall / answers * 1000:.2f}ms (this process, the fsync included in wall)"
    )
    print(
        f"sql      statements per answer {sum(kinds.values()) / answers:.2f}: "
        + " ".join(f"{kind}={n / answers:.2f}" for kind, n in kinds.items())
        + f"; per completion {len(statements) / completions:.1f}"
    )
    print(
        f"complete {completions} completions: "
        f"cpu/completion={completion_cpu / completions * 1000:.2f}ms "
        "(storing the results, reading what they are compared with, rendering them)"
    )
    await engine.dispose()


def main() -> None:
    """Parse options and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument(
        "--completed", type=int, default=0, help="assessments others completed beforehand"
    )
    parser.add_argument(
        "--sector-means-seconds",
        type=float,
        default=60.0,
        help="how long the sector means are kept (the bot's STATS_SECTOR_MEANS_SECONDS; 0: "
        "read at every completion)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pishran-answer-") as directory:
        database = Path(directory) / "answer.sqlite3"
        asyncio.run(measure(args.people, database, args.completed, args.sector_means_seconds))


if __name__ == "__main__":
    main()
