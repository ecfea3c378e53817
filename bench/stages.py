"""The bot's CPU per update in each stage of the checklist: profile, answers, completion.

One bot process (aiohttp, four updates at once, INFO logging, no flood limit: as
bench/throughput.py runs it) on a fresh SQLite file. After one warm-up walk, U people take the
profile steps together (`/start` to choosing the core checklist), then answer all but the last
core question, then complete; the bot's CPU is read between the stages. Steadier than the
throughput run's phases for comparing two versions of the code alternately, and it can profile
one stage alone (bench/README.md, issue 17's fourth round).

    .venv/bin/python -m bench.stages                          # 30 people
    .venv/bin/python -m bench.stages --py-spy /tmp/answers.txt --stage answers
    .venv/bin/python -m bench.stages --completed 100000       # after 100 000 others finished
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import tempfile
from pathlib import Path

from aiohttp import web

from bench.bot_process import bot_environ
from bench.phases import migrate, start_bot
from bench.throughput import start_py_spy
from bench.walk import walk_checklist
from bench.watched_emulator import WatchedEmulator

#: Each stage's name and how many steps of the walk it takes.
STAGES = (("profile", 6), ("answers", 15), ("completion", 1))


async def measure(
    users: int, workdir: Path, spy: str | None, spied: str | None, completed: int
) -> None:
    """Walk `users` people through the stages; print the bot's CPU per update of each."""
    emulator = WatchedEmulator(bot_username="pishran_bench_bot")
    runner = web.AppRunner(emulator.build_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        environ = bot_environ(emulator, url, f"sqlite+aiosqlite:///{workdir / 'stages.sqlite3'}")
        environ.update(
            LOG_LEVEL="INFO",
            UPDATE_CONCURRENCY="4",
            FLOOD_LIMIT_PER_SECOND="0",
            BOT_API_CLIENT="aiohttp",
        )
        await migrate(environ, completed)
        bot = await start_bot(emulator, ["-m", "bot", "run"], environ, workdir, "stages")
        await walk_checklist(emulator, emulator.user(1), patience=10)  # warm-up
        people = [emulator.user(2_000_001 + n) for n in range(users)]
        for name, steps in STAGES:
            profiler = start_py_spy(bot.pid, spy) if spy and name == spied else None
            if profiler is not None:
                await asyncio.sleep(1)  # py-spy attached
            started = bot.cpu_seconds()
            walks = await asyncio.gather(
                *(walk_checklist(emulator, p, patience=10, stop_after=steps) for p in people)
            )
            cpu = bot.cpu_seconds() - started
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                profiler.wait(60)
            updates = sum(walk.updates for walk in walks)
            print(
                f"{name:10s} {updates:5d} updates  {cpu / updates * 1000:6.2f} ms CPU per update",
                flush=True,
            )
        await bot.stop()
    finally:
        await emulator.close()
        await runner.cleanup()


def main() -> None:
    """Parse options and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30, help="people walking at once")
    parser.add_argument("--py-spy", metavar="FILE", help="profile the bot into FILE")
    parser.add_argument(
        "--stage",
        choices=[name for name, _ in STAGES],
        default="answers",
        help="the stage --py-spy profiles",
    )
    parser.add_argument(
        "--completed", type=int, default=0, help="assessments others completed beforehand"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pishran-stages-") as directory:
        asyncio.run(measure(args.users, Path(directory), args.py_spy, args.stage, args.completed))


if __name__ == "__main__":
    main()
