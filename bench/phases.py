"""The phases of bench/throughput.py: a bot process, its simulated users, what they measured.

Each phase starts one bot as its own process, runs every user's walk at once against it and
returns its `Figures`; the durable floor and the open-assessments phases print their own lines.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.bot_process import BotProcess
from bench.phase_figures import MB, Figures
from bench.synthetic import insert_synthetic
from bench.walk import Walk, walk_checklist, walk_script
from bench.watched_emulator import WatchedEmulator, shown_reply
from bot.emulator import ApiCall
from knowledge import QuestionSet, load_shipped_kb
from storage.db import build_engine, upgrade_database
from storage.models import Assessment, AssessmentStatus

__all__ = [
    "answer_cpu",
    "bare_script",
    "completion_messages",
    "floor_phase",
    "migrate",
    "open_assessments",
    "reply_payloads",
    "run_users",
    "start_bot",
]


def bare_script(first_user: int) -> list[tuple[str, str]]:
    """The update shapes of one core checklist, as the bare bot receives them."""
    kb = load_shipped_kb()
    assessment = first_user
    script = [
        ("send", "/start"),
        ("press", f"p:{assessment}:s:{kb.profile.sectors[0].key}"),
        ("press", f"p:{assessment}:r:tehran"),
        ("send", "Organisation 12"),
        ("press", f"p:{assessment}:o:{kb.profile.roles[0].key}"),
        ("press", f"qs:{assessment}:core"),
    ]
    for number, question in enumerate(kb.questions(QuestionSet.CORE)):
        script.append(("press", f"a:{assessment}:{question.id}:{number % 5}"))
    return script


async def run_users(
    emulator: WatchedEmulator,
    process: BotProcess,
    name: str,
    ids: range,
    walk: Callable[[int], Awaitable[Walk]],
    *,
    stopping: bool = False,
) -> Figures:
    """Run every user's walk at once; measure wall time and the bot's CPU until it is idle.

    Every user must finish the checklist, or with `stopping`, get every reply on the way.
    """
    cpu_before, driver_before = process.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    walks = await asyncio.gather(*(walk(user_id) for user_id in ids))
    await emulator.wait_idle(timeout=60, quiet=0.3)  # charts and trailing replies
    seconds = emulator.last_reply_at - started
    unfinished = [w.user_id for w in walks if w.timeouts or not (w.finished or stopping)]
    if unfinished:
        raise RuntimeError(f"{name}: {len(unfinished)} users did not finish: {unfinished[:5]}")
    return Figures(
        name,
        len(ids),
        sum(w.updates for w in walks),
        seconds,
        [latency for w in walks for latency in w.latencies],
        process.cpu_seconds() - cpu_before,
        process.peak_rss(),
        time.process_time() - driver_before,
        [step for w in walks for step in w.steps],
    )


async def answer_cpu(
    emulator: WatchedEmulator, process: BotProcess, users: int, patience: float
) -> float:
    """The bot's CPU per answer, in ms: `users` new people walk to their first question, then
    each answers all but the last core question while the bot's CPU is measured (no profile
    steps and no results in it), then they finish."""
    people = [emulator.user(5_000_001 + n) for n in range(users)]

    async def walk_all(steps: int | None) -> int:
        walks = await asyncio.gather(
            *(
                walk_checklist(emulator, user, patience=patience, stop_after=steps)
                for user in people
            )
        )
        return sum(walk.updates for walk in walks)

    await walk_all(6)  # /start, four profile steps, the question set
    await emulator.wait_idle(timeout=60, quiet=0.3)
    before = process.cpu_seconds()
    answers = await walk_all(len(load_shipped_kb().questions(QuestionSet.CORE)) - 1)
    await emulator.wait_idle(timeout=60, quiet=0.3)
    cpu = process.cpu_seconds() - before
    await walk_all(None)
    return cpu / answers * 1000


async def migrate(environ: dict[str, str], completed: int = 0) -> None:
    """Migrate the bot's database before it starts, as a deployment's release step does
    (`pishran db upgrade`): the bot then finds it at the head and never imports Alembic, so
    its RSS is a restarted bot's (one that migrates at start holds about 12 MB more).

    With `completed`, that many people have already finished (bench/synthetic.py's rows), as
    in a deployment that has been in use: what a person's statements cost then shows."""
    await upgrade_database(environ["DATABASE_URL"])
    if completed:
        engine = build_engine(environ["DATABASE_URL"])
        try:
            await insert_synthetic(engine, load_shipped_kb(), completed)
        finally:
            await engine.dispose()


async def start_bot(
    emulator: WatchedEmulator, argv: list[str], environ: dict[str, str], workdir: Path, name: str
) -> BotProcess:
    """Start a bot process and wait until it polls."""
    process = await BotProcess.start(argv, environ, cwd=workdir, log_path=workdir / f"{name}.log")
    await process.wait_polling(emulator)
    return process


def completion_messages(emulator: WatchedEmulator) -> int:
    """How many messages the bot sent for the press that completed the last walk (the calls
    recorded since the walk began end with that press's answerCallbackQuery and its replies)."""
    methods = [call.method for call in emulator.calls]
    last_press = max(i for i, method in enumerate(methods) if method == "answerCallbackQuery")
    return sum(m in ("sendMessage", "sendPhoto") for m in methods[last_press:])


def reply_payloads(emulator: WatchedEmulator) -> dict[str, Any]:
    """What Pishran sent in the last walk: a question's edit, and the completion's edit and
    messages (after the last answerCallbackQuery), each as text, parse_mode and reply_markup."""
    calls = list(emulator.calls)
    last_press = max(i for i, call in enumerate(calls) if call.method == "answerCallbackQuery")

    def payload(call: ApiCall) -> dict[str, Any]:
        return {key: call.params.get(key) for key in ("text", "parse_mode", "reply_markup")}

    def asks(call: ApiCall) -> bool:
        markup = call.params.get("reply_markup")
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        return any(str(b.get("callback_data", "")).startswith("a:") for r in rows for b in r)

    edits = [c for c in calls[:last_press] if c.method == "editMessageText"]
    question = next(c for c in reversed(edits) if asks(c))
    results = [c for c in calls[last_press:] if c.method in ("editMessageText", "sendMessage")]
    return {"question": payload(question), "results": [payload(c) for c in results]}


async def floor_phase(
    emulator: WatchedEmulator,
    environ: dict[str, str],
    workdir: Path,
    users: int,
    patience: float,
    results_messages: int,
    payloads: dict[str, Any] | None = None,
) -> Figures:
    """The durable floor bot on the same walk: a commit per update, Pishran's reply calls;
    with `payloads` (reply_payloads), carrying Pishran's texts and buttons."""
    script = bare_script(1)
    name, first_user = ("floor", 4_000_001) if payloads is None else ("floor+pl", 6_000_001)
    environ = {
        **environ,
        "FLOOR_DATABASE": str(workdir / f"{name}.sqlite3"),
        "FLOOR_LAST_QUESTION": script[-1][1].split(":")[2],
        "FLOOR_COMPLETION_MESSAGES": str(results_messages),
    }
    if payloads is not None:
        path = workdir / "floor_payloads.json"
        path.write_text(json.dumps(payloads, ensure_ascii=False), encoding="utf-8")
        environ["FLOOR_PAYLOADS"] = str(path)
    # The completion is timed to its last message, as Pishran's is (bench/walk.py).
    final = f"results {results_messages}" if payloads is None else payloads["results"][-1]["text"]

    def completed(call: ApiCall) -> bool:
        return shown_reply(call) and call.params.get("text") == final

    def walk(uid: int) -> Awaitable[Walk]:
        return walk_script(emulator, emulator.user(uid), script, patience, shown_reply, completed)

    floor = await start_bot(emulator, ["-m", "bench.floor_bot"], environ, workdir, name)
    await walk(first_user - 1)  # warm-up
    ids = range(first_user, first_user + users)
    figures = await run_users(emulator, floor, name, ids, walk)
    await floor.stop()
    print(figures.line(), flush=True)
    print(figures.breakdown(), flush=True)
    if payloads is None:
        print(f"floor    completion sends {results_messages} messages, as Pishran did", flush=True)
    else:
        size = sum(len(p["text"] or "") for p in payloads["results"])
        print(
            f"floor+pl each step carries Pishran's question ({len(payloads['question']['text'])} "
            f"characters and its buttons), the completion its {len(payloads['results'])} "
            f"results messages ({size} characters)",
            flush=True,
        )
    return figures


async def open_assessments(
    emulator: WatchedEmulator, environ: dict[str, str], workdir: Path, count: int, patience: float
) -> int:
    """Leave `count` assessments open mid-checklist on a fresh database; the bot's peak RSS.

    No one reaches the results here, so its cpu/update is the cost of a step without charts.
    """
    database = workdir / "open.sqlite3"
    environ = {**environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    await migrate(environ)
    ours = await start_bot(emulator, ["-m", "bot", "run"], environ, workdir, "open")
    ids = range(3_000_001, 3_000_001 + count)
    baseline = ours.rss()
    # /start, a sector, a region: then they leave, each with an assessment open.
    figures = await run_users(
        emulator,
        ours,
        "open",
        ids,
        lambda uid: walk_checklist(emulator, emulator.user(uid), patience=patience, stop_after=3),
        stopping=True,
    )
    now = ours.rss()
    await ours.stop()
    engine = build_engine(environ["DATABASE_URL"])
    async with engine.connect() as connection:
        active = await connection.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.status == AssessmentStatus.ACTIVE)  # type: ignore[arg-type]
        )
    await engine.dispose()
    print(figures.line(), flush=True)
    print(
        f"open     assessments_open={active} rss_at_start={baseline / MB:.0f}MB "
        f"rss_after={now / MB:.0f}MB",
        flush=True,
    )
    return figures.peak_rss
