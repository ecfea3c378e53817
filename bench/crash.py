"""Crash test: the bot process is SIGKILLed at random moments while people take the checklist.

Simulated civil servants take the core checklist closed loop against `python -m bot run`
(polling the emulator served by this process). A killer SIGKILLs the bot at random moments
(after a random number of replies, plus a random fraction of a second) and starts it again;
a user whose reply never came presses again, as a person would, and one told the
assessment is closed (its results were lost to a kill) sends /results.
Afterwards: every answer a user saw acknowledged (the reply showed the next question) is
stored, no assessment is corrupt, nobody has two active ones, and every user finished.

    .venv/bin/python -m bench.crash                      # 40 users, 20 kills, SQLite
    .venv/bin/python -m bench.crash --users 10 --kills 5 --database-url postgresql+asyncpg://...
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bench.bot_process import BotProcess, bot_environ
from bench.integrity import find_problems
from bench.walk import Walk, walk_checklist
from bench.watched_emulator import WatchedEmulator
from knowledge import load_shipped_kb

__all__ = ["CrashOutcome", "crash_run", "serve_emulator"]


@dataclass
class CrashOutcome:
    """What a crash run did and found."""

    walks: list[Walk]
    kills: int
    problems: list[str]
    error_lines: list[str]
    seconds: float

    @property
    def unfinished(self) -> list[int]:
        """Users who never saw their results."""
        return [walk.user_id for walk in self.walks if not walk.finished]


async def serve_emulator(emulator: WatchedEmulator) -> tuple[web.AppRunner, str]:
    """Serve the emulator on a free loopback port; the runner and the base URL."""
    runner = web.AppRunner(emulator.build_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def _start(emulator: WatchedEmulator, environ: dict[str, str], workdir: Path) -> BotProcess:
    process = await BotProcess.start(
        ["-m", "bot", "run"], environ, cwd=workdir, log_path=workdir / "bot.log"
    )
    await process.wait_polling(emulator)
    return process


async def crash_run(
    emulator: WatchedEmulator,
    url: str,
    database_url: str,
    workdir: Path,
    *,
    users: int,
    kills: int,
    seed: int = 1,
    patience: float = 3.0,
    replies_between: tuple[int, int] = (2, 15),
    jitter: float = 0.3,
    within: float = 600.0,
) -> CrashOutcome:
    """Run `users` through the checklist while killing the bot `kills` times; then check."""
    rng = random.Random(seed)
    environ = {**bot_environ(emulator, url, database_url), "LOG_LEVEL": "WARNING"}
    started = time.monotonic()
    process = await _start(emulator, environ, workdir)
    ids = range(5_000_001, 5_000_001 + users)
    walks = [
        asyncio.create_task(
            walk_checklist(emulator, emulator.user(u), patience=patience, max_updates=400)
        )
        for u in ids
    ]
    done = 0
    try:
        async with asyncio.timeout(within):
            while done < kills and not all(walk.done() for walk in walks):
                # A random moment while people are being answered: after a few more replies.
                target = emulator.replies + rng.randint(*replies_between)
                while emulator.replies < target and not all(w.done() for w in walks):  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                await asyncio.sleep(rng.uniform(0, jitter))
                process.kill()
                await process.process.wait()
                done += 1
                process = await _start(emulator, environ, workdir)
            finished = await asyncio.gather(*walks)
    finally:
        for walk in walks:
            walk.cancel()
        await process.stop()
    acknowledged = {walk.user_id: walk.acknowledged for walk in finished}
    problems = await find_problems(
        database_url,
        load_shipped_kb(),
        acknowledged,
        finished=frozenset(walk.user_id for walk in finished if walk.finished),
    )
    log = (workdir / "bot.log").read_text(errors="replace").splitlines()
    errors = [line for line in log if " ERROR " in line or "Traceback" in line]
    return CrashOutcome(finished, done, problems, errors, time.monotonic() - started)


async def _main(args: argparse.Namespace) -> int:
    # A killed bot leaves its requests half-sent; the emulator logs each one as a traceback.
    logging.getLogger("bot.emulator.server").setLevel(logging.CRITICAL)
    emulator = WatchedEmulator(bot_username="pishran_crash_bot")
    runner, url = await serve_emulator(emulator)
    try:
        with tempfile.TemporaryDirectory(prefix="pishran-crash-") as directory:
            workdir = Path(directory)
            database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'crash.sqlite3'}"
            outcome = await crash_run(
                emulator, url, database_url, workdir, users=args.users, kills=args.kills,
                seed=args.seed,
            )  # fmt: skip
    finally:
        await emulator.close()
        await runner.cleanup()
    acknowledged = sum(len(walk.acknowledged) for walk in outcome.walks)
    print(
        f"users={args.users} kills={outcome.kills} time={outcome.seconds:.0f}s "
        f"updates={sum(w.updates for w in outcome.walks)} "
        f"retries={sum(w.timeouts for w in outcome.walks)} acknowledged_answers={acknowledged} "
        f"unfinished={len(outcome.unfinished)} problems={len(outcome.problems)} "
        f"error_log_lines={len(outcome.error_lines)}"
    )
    for problem in outcome.problems:
        print(f"PROBLEM {problem}")
    for line in outcome.error_lines[:20]:
        print(f"LOG {line}")
    return 1 if outcome.problems or outcome.unfinished else 0


def main() -> None:
    """Parse options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary directory")
    raise SystemExit(asyncio.run(_main(parser.parse_args())))


if __name__ == "__main__":
    main()
