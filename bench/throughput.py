"""Throughput, latency and memory of the bot against a bare echo bot and a durable floor bot.

Both bots run as their own processes, polling the same Bot API emulator on loopback (served
by this process). U simulated civil servants each take the core checklist, closed loop: send,
wait for the reply that shows the next step, send again. The bare bot gets the same number
and shapes of updates and answers each with one sendMessage; the durable floor bot
(bench/floor_bot.py) commits one row per update and makes Pishran's reply calls. A last phase
leaves 1000
assessments open mid-checklist and reads the bot's memory. See bench/README.md.

    .venv/bin/python -m bench.throughput                # 200 users, about 4 minutes here
    .venv/bin/python -m bench.throughput --quick        # 50 users, 200 open assessments
    .venv/bin/python -m bench.throughput --py-spy /tmp/pishran.txt   # profile our bot
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from sqlalchemy import func, select

from bench.bot_process import BotProcess, bot_environ
from bench.walk import Walk, walk_checklist, walk_script
from bench.watched_emulator import WatchedEmulator, shown_reply
from knowledge import QuestionSet, load_shipped_kb
from storage.db import build_engine
from storage.models import Assessment, AssessmentStatus

MB = 1024 * 1024
TARGET_THROUGHPUT, TARGET_P99, TARGET_RSS_MB, TARGET_CPU_MS = 0.8, 2.0, 150, 6.0


@dataclass
class Figures:
    """What one phase measured."""

    name: str
    users: int
    updates: int
    seconds: float
    latencies: list[float]
    cpu: float
    peak_rss: int
    driver_cpu: float  # this process: the emulator and the simulated users
    steps: list[str]  # what each latency's step was (bench.walk.step_kind, or completion)

    @property
    def throughput(self) -> float:
        """Updates handled per second of wall time."""
        return self.updates / self.seconds

    def percentile(self, share: float, step: str | None = None) -> float:
        """The latency below which `share` of the replies (of `step` only) came, in seconds."""
        pairs = zip(self.latencies, self.steps, strict=True)
        ordered = sorted(latency for latency, kind in pairs if step in (None, kind))
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def breakdown(self) -> str:
        """Latency by step (count:p50/p99), and the steps of the slowest 1% of replies."""
        parts = []
        for step in dict.fromkeys(self.steps):
            p50, p99 = (self.percentile(p, step) * 1000 for p in (0.5, 0.99))
            parts.append(f"{step.replace(' ', '_')}={self.steps.count(step)}:{p50:.0f}/{p99:.0f}ms")
        p99 = self.percentile(0.99)
        slowest = Counter(
            kind for latency, kind in zip(self.latencies, self.steps, strict=True) if latency >= p99
        )
        tail = " ".join(f"{kind.replace(' ', '_')}={n}" for kind, n in slowest.most_common())
        return f"{self.name:<8} by step {' '.join(parts)}; at or above p99: {tail}"

    def line(self) -> str:
        """One printed line."""
        ms = [self.percentile(p) * 1000 for p in (0.5, 0.95, 0.99)]
        return (
            f"{self.name:<8} users={self.users} updates={self.updates} time={self.seconds:.1f}s "
            f"throughput={self.throughput:.0f}/s p50={ms[0]:.0f}ms p95={ms[1]:.0f}ms "
            f"p99={ms[2]:.0f}ms cpu/update={self.cpu / self.updates * 1000:.2f}ms "
            f"peak_rss={self.peak_rss / MB:.0f}MB "
            f"bot_cpu={self.cpu / self.seconds:.0%} driver_cpu={self.driver_cpu / self.seconds:.0%}"
        )


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


async def measure(args: argparse.Namespace, workdir: Path) -> tuple[Figures, Figures, Figures, int]:
    """The four phases: bare bot, our bot, the durable floor, our bot with many open
    assessments."""
    emulator = WatchedEmulator(bot_username="pishran_bench_bot")
    runner = web.AppRunner(emulator.build_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}"
    patience = args.patience
    try:
        environ = bot_environ(emulator, url, f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}")
        environ.update(
            LOG_LEVEL=args.log_level,
            UPDATE_CONCURRENCY=str(args.concurrency),
            FLOOD_LIMIT_PER_SECOND=str(args.flood_limit),
            BOT_API_CLIENT=args.client,
        )

        bare = await start_bot(emulator, ["-m", "bench.bare_bot"], environ, workdir, "bare")
        script = bare_script(1)
        await walk_script(emulator, emulator.user(1), script, patience)  # warm-up
        ids = range(1_000_001, 1_000_001 + args.users)
        bare_figures = await run_users(
            emulator,
            bare,
            "bare",
            ids,
            lambda uid: walk_script(emulator, emulator.user(uid), script, patience),
        )
        await bare.stop()
        print(bare_figures.line(), flush=True)
        print(bare_figures.breakdown(), flush=True)

        ours = await start_bot(emulator, ["-m", "bot", "run"], environ, workdir, "pishran")
        emulator.reset_calls()
        await walk_checklist(emulator, emulator.user(2), patience=patience)  # warm-up
        results_messages = completion_messages(emulator)
        spy = start_py_spy(ours.pid, args.py_spy) if args.py_spy else None
        ids = range(2_000_001, 2_000_001 + args.users)
        our_figures = await run_users(
            emulator,
            ours,
            "pishran",
            ids,
            lambda uid: walk_checklist(emulator, emulator.user(uid), patience=patience),
        )
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        await ours.stop()
        print(our_figures.line(), flush=True)
        print(our_figures.breakdown(), flush=True)

        floor_figures = await floor_phase(
            emulator, environ, workdir, args.users, patience, results_messages
        )
        open_rss = await open_assessments(emulator, environ, workdir, args.open, patience)
        return bare_figures, our_figures, floor_figures, open_rss
    finally:
        await emulator.close()
        await runner.cleanup()


async def floor_phase(
    emulator: WatchedEmulator,
    environ: dict[str, str],
    workdir: Path,
    users: int,
    patience: float,
    results_messages: int,
) -> Figures:
    """The durable floor bot on the same walk: a commit per update, Pishran's reply calls."""
    script = bare_script(1)
    environ = {
        **environ,
        "FLOOR_DATABASE": str(workdir / "floor.sqlite3"),
        "FLOOR_LAST_QUESTION": script[-1][1].split(":")[2],
        "FLOOR_COMPLETION_MESSAGES": str(results_messages),
    }
    floor = await start_bot(emulator, ["-m", "bench.floor_bot"], environ, workdir, "floor")
    await walk_script(emulator, emulator.user(4), script, patience, shown_reply)  # warm-up
    ids = range(4_000_001, 4_000_001 + users)
    figures = await run_users(
        emulator,
        floor,
        "floor",
        ids,
        lambda uid: walk_script(emulator, emulator.user(uid), script, patience, shown_reply),
    )
    await floor.stop()
    print(figures.line(), flush=True)
    print(figures.breakdown(), flush=True)
    print(f"floor    completion sends {results_messages} messages, as Pishran did", flush=True)
    return figures


async def open_assessments(
    emulator: WatchedEmulator, environ: dict[str, str], workdir: Path, count: int, patience: float
) -> int:
    """Leave `count` assessments open mid-checklist on a fresh database; the bot's peak RSS.

    No one reaches the results here, so its cpu/update is the cost of a step without charts.
    """
    database = workdir / "open.sqlite3"
    environ = {**environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
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


def start_py_spy(pid: int, output: str) -> subprocess.Popen[bytes]:
    """py-spy record against the bot process (collapsed stacks, as flamegraph input)."""
    binary = shutil.which("py-spy") or str(Path(__file__).parents[1] / ".venv/bin/py-spy")
    command = [binary, "record", "--pid", str(pid), "--format", "raw", "--output", output]
    return subprocess.Popen([*command, "--rate", "200", "--nonblocking"])


def chart_cost() -> float:
    """CPU seconds to draw the two charts (Persian) once, measured in this process; the bot
    draws them on request, in a worker process (not part of the phases above)."""
    from handlers.checklist.service import Results
    from handlers.i18n import Renderer
    from handlers.report.telegram import chart_images
    from knowledge import advise, assess

    kb = load_shipped_kb()
    answers = {q.id: n % 5 for n, q in enumerate(kb.questions(QuestionSet.CORE))}
    readiness = assess(kb, QuestionSet.CORE, answers)
    results = Results(1, kb, readiness, advise(kb, readiness))
    renderer = Renderer()
    chart_images(renderer, "fa", results)  # fonts and caches warm
    started = time.process_time()
    for _ in range(3):
        chart_images(renderer, "fa", results)
    return (time.process_time() - started) / 3


def main() -> None:
    """Parse options, measure, print the figures and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="simulated civil servants")
    parser.add_argument("--open", type=int, default=1000, help="assessments left open")
    parser.add_argument("--quick", action="store_true", help="50 users, 200 open assessments")
    parser.add_argument("--patience", type=float, default=900.0, help="seconds to wait for a reply")
    parser.add_argument("--log-level", default="INFO", help="our bot's LOG_LEVEL")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        help="UPDATE_CONCURRENCY for both bots (the bot's default)",
    )
    parser.add_argument(
        "--flood-limit",
        type=float,
        default=0,
        help="our bot's FLOOD_LIMIT_PER_SECOND (default 0: off, as the bare bot has none)",
    )
    parser.add_argument(
        "--client",
        choices=("httpx", "aiohttp"),
        default="aiohttp",
        help="both bots' BOT_API_CLIENT",
    )
    parser.add_argument("--py-spy", metavar="FILE", help="profile our bot into FILE")
    parser.add_argument("--workdir", help="keep the databases and the bots' logs here")
    args = parser.parse_args()
    if args.quick:
        args.users, args.open = min(args.users, 50), min(args.open, 200)
    with tempfile.TemporaryDirectory(prefix="pishran-bench-") as directory:
        workdir = Path(args.workdir or directory)
        workdir.mkdir(parents=True, exist_ok=True)
        bare, ours, floor, open_peak = asyncio.run(measure(args, workdir))
    throughput = ours.throughput / bare.throughput
    p99 = ours.percentile(0.99) / bare.percentile(0.99)
    verdicts = (
        f"throughput {throughput:.2f}x bare (target >= {TARGET_THROUGHPUT})"
        f" {'met' if throughput >= TARGET_THROUGHPUT else 'NOT met'}; "
        f"p99 {p99:.2f}x bare (target <= {TARGET_P99}) "
        f"{'met' if p99 <= TARGET_P99 else 'NOT met'}; "
        f"peak RSS with {args.open} open {open_peak / MB:.0f}MB (target < {TARGET_RSS_MB}MB) "
        f"{'met' if open_peak < TARGET_RSS_MB * MB else 'NOT met'}"
    )
    charts = chart_cost()
    print(
        f"charts   {charts * 1000:.0f}ms CPU per press of the charts button, drawn here alone "
        "(the bot draws them in a worker process; no phase above presses it)"
    )
    print(f"targets  {verdicts}")
    print(f"ratio throughput={throughput:.2f} p99={p99:.2f}")
    floor_throughput = ours.throughput / floor.throughput
    floor_p99 = ours.percentile(0.99) / floor.percentile(0.99)
    cpu_per_update = ours.cpu / ours.updates * 1000
    print(
        f"floor    targets: throughput {floor_throughput:.2f}x floor (target >= "
        f"{TARGET_THROUGHPUT}), p99 {floor_p99:.2f}x floor (target <= {TARGET_P99}), "
        f"cpu/update {cpu_per_update:.1f}ms (target <= {TARGET_CPU_MS}ms)"
    )
    print(f"ratio floor throughput={floor_throughput:.2f} p99={floor_p99:.2f}")


if __name__ == "__main__":
    main()
