"""Throughput, latency and memory of the bot against a bare echo bot and a durable floor bot.

Both bots run as their own processes, polling the same Bot API emulator on loopback (served
by this process). U simulated civil servants each take the core checklist, closed loop: send,
wait for the reply that shows the next step, send again. The bare bot gets the same number
and shapes of updates and answers each with one sendMessage; the durable floor bot
(bench/floor_bot.py) commits one row per update and makes Pishran's reply calls, first with
short texts, then carrying Pishran's own messages (`floor+pl`, not a target: it shows how much
of the gap is the bytes any bot showing them moves). A last phase
leaves 1000 assessments open mid-checklist and reads the bot's memory. See bench/README.md.

    .venv/bin/python -m bench.throughput                # 200 users, about 4 minutes here
    .venv/bin/python -m bench.throughput --quick        # 50 users, 200 open assessments
    .venv/bin/python -m bench.throughput --py-spy /tmp/pishran.txt   # profile our bot
    .venv/bin/python -m bench.throughput --completed 100000  # after 100 000 others finished
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from aiohttp import web

from bench.bot_process import bot_environ
from bench.phase_figures import MB, Figures
from bench.phases import (
    answer_cpu,
    bare_script,
    completion_messages,
    floor_phase,
    migrate,
    open_assessments,
    reply_payloads,
    run_users,
    start_bot,
)
from bench.walk import walk_checklist, walk_script
from bench.watched_emulator import WatchedEmulator
from knowledge import QuestionSet, load_shipped_kb

TARGET_THROUGHPUT, TARGET_P99, TARGET_RSS_MB, TARGET_CPU_MS = 0.8, 2.0, 150, 6.0


async def measure(
    args: argparse.Namespace, workdir: Path
) -> tuple[Figures, Figures, Figures, Figures, int]:
    """The five phases: bare bot, our bot, the durable floor (with short replies, then with
    our bot's), our bot with many open assessments."""
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

        await migrate(environ, args.completed)
        ours = await start_bot(emulator, ["-m", "bot", "run"], environ, workdir, "pishran")
        emulator.reset_calls()
        await walk_checklist(emulator, emulator.user(2), patience=patience)  # warm-up
        results_messages = completion_messages(emulator)
        payloads = reply_payloads(emulator)
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
        print(our_figures.line(), flush=True)
        print(our_figures.breakdown(), flush=True)
        our_figures.cpu_per_answer = await answer_cpu(emulator, ours, args.users, patience)
        await ours.stop()
        print(
            f"answers  cpu/answer={our_figures.cpu_per_answer:.2f}ms (the bot's CPU while "
            f"{args.users} people answered all but the last core question, nothing else)",
            flush=True,
        )

        floor_figures = await floor_phase(
            emulator, environ, workdir, args.users, patience, results_messages
        )
        payload_figures = await floor_phase(
            emulator, environ, workdir, args.users, patience, results_messages, payloads
        )
        open_rss = await open_assessments(emulator, environ, workdir, args.open, patience)
        return bare_figures, our_figures, floor_figures, payload_figures, open_rss
    finally:
        await emulator.close()
        await runner.cleanup()


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
    parser.add_argument(
        "--completed",
        type=int,
        default=0,
        help="assessments others completed in our bot's database beforehand (a deployment in use)",
    )
    parser.add_argument("--py-spy", metavar="FILE", help="profile our bot into FILE")
    parser.add_argument("--workdir", help="keep the databases and the bots' logs here")
    args = parser.parse_args()
    if args.quick:
        args.users, args.open = min(args.users, 50), min(args.open, 200)
    with tempfile.TemporaryDirectory(prefix="pishran-bench-") as directory:
        workdir = Path(args.workdir or directory)
        workdir.mkdir(parents=True, exist_ok=True)
        bare, ours, floor, payload_floor, open_peak = asyncio.run(measure(args, workdir))
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
        f"cpu/answer {ours.cpu_per_answer:.1f}ms (target <= {TARGET_CPU_MS}ms; "
        f"cpu/update over the whole walk {cpu_per_update:.1f}ms)"
    )
    print(f"ratio floor throughput={floor_throughput:.2f} p99={floor_p99:.2f}")
    # Not a target: how much of the gap is the bytes of Pishran's messages (floor+pl carries
    # them), and how much what Pishran does besides.
    print(
        f"ratio floor+payload throughput={ours.throughput / payload_floor.throughput:.2f} "
        f"p99={ours.percentile(0.99) / payload_floor.percentile(0.99):.2f}"
    )


if __name__ == "__main__":
    main()
