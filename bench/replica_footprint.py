"""How big one webhook replica is: resident memory and PostgreSQL connections, measured.

Starts the Bot API emulator on loopback and `python -m bot run --webhook` as real processes on
a fresh PostgreSQL database, runs whole core-checklist conversations through them (several
users at once, updates alternating between the replicas), and prints what it measured.

    PISHRAN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.replica_footprint --replicas 2 --users 40 --concurrency 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.emulator import BotApiEmulator
from knowledge import QuestionSet, load_shipped_kb
from storage.db import normalise_database_url
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.production.support import ReplicaProcess, free_port, round_robin

VALUES: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]


def rss_mib(pid: int) -> float:
    """Resident set size of a process, in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def connections(admin: AsyncEngine, database: str) -> int:
    """Open connections of Pishran processes (application_name = 'pishran') to `database`."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = 'pishran' AND datname = :database"
    )
    async with admin.connect() as connection:
        return int(await connection.scalar(query, {"database": database}) or 0)


async def mean_latency_ms(session: aiohttp.ClientSession, replica: ReplicaProcess) -> float:
    """Mean update latency from the replica's /metrics histogram."""
    async with session.get(f"{replica.url}/metrics") as response:
        exposition = await response.text()
    total = count = 0.0
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == "pishran_update_duration_seconds_sum":
                total += sample.value
            elif sample.name == "pishran_update_duration_seconds_count":
                count += sample.value
    return 1000 * total / count if count else 0.0


async def converse(emulator: BotApiEmulator, user_id: int, semaphore: asyncio.Semaphore) -> None:
    """One civil servant completes the core checklist."""
    kb = load_shipped_kb()
    async with semaphore:
        user = emulator.user(user_id, language_code="fa")
        await user.send("/start")
        await fill_profile(user, kb, "fa")
        await user.press(question_set_button(user, QuestionSet.CORE))
        await answer_questions(user, kb, "fa", VALUES)


async def measure(
    server_url: str,
    replicas: int,
    users: int,
    concurrency: int,
    update_concurrency: int,
    flood_limit: float | None = None,
) -> None:
    server = make_url(normalise_database_url(server_url))
    name = f"pishran_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    emulator = BotApiEmulator()
    runner = web.AppRunner(emulator.build_app())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    environ = {
        "BOT_TOKEN": emulator.token,
        "BOT_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "BOT_API_FILE_URL": f"http://127.0.0.1:{port}/file/bot",
        "DATABASE_URL": server.set(database=name).render_as_string(hide_password=False),
        "UPDATE_CONCURRENCY": str(update_concurrency),
    }
    if flood_limit is not None:  # each replica's own limiter (bot/settings.py)
        environ["FLOOD_LIMIT_PER_SECOND"] = str(flood_limit)
    peak = 0
    try:
        async with aiohttp.ClientSession() as session:
            with tempfile.TemporaryDirectory() as cwd:
                names = [chr(ord("A") + i) for i in range(replicas)]
                processes = [
                    await ReplicaProcess.start(n, environ, Path(cwd), session) for n in names
                ]
                for process in processes:
                    process.handle_within = 300.0  # a busy machine is slow, not wrong
                try:
                    await asyncio.gather(*(p.wait_healthy() for p in processes))
                    idle = [rss_mib(p.process.pid) for p in processes]
                    idle_connections = await connections(admin, name)
                    emulator.deliver = round_robin(processes)
                    semaphore = asyncio.Semaphore(concurrency)
                    started = time.perf_counter()
                    work = asyncio.gather(
                        *(converse(emulator, 9_000_000 + i, semaphore) for i in range(users))
                    )
                    while not work.done():
                        peak = max(peak, await connections(admin, name))
                        await asyncio.wait([work], timeout=0.05)
                    await work
                    elapsed = time.perf_counter() - started
                    busy = [rss_mib(p.process.pid) for p in processes]
                    latencies = [await mean_latency_ms(session, p) for p in processes]
                finally:
                    for process in processes:
                        process.terminate()
                    for process in processes:
                        await process.wait()
    finally:
        await emulator.close()
        await runner.cleanup()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    updates = users * 22
    print(
        f"replicas: {replicas}, users: {users} (core checklist, {concurrency} at a time), "
        f"UPDATE_CONCURRENCY={update_concurrency}, FLOOD_LIMIT_PER_SECOND="
        f"{'the default' if flood_limit is None else flood_limit}"
    )
    print(f"updates: {updates} in {elapsed:.1f} s = {updates / elapsed:.1f} updates/s")
    for process, before, after, latency in zip(processes, idle, busy, latencies, strict=True):
        print(
            f"replica {process.name}: RSS idle {before:.0f} MiB, after load {after:.0f} MiB, "
            f"mean update latency {latency:.0f} ms"
        )
    print(f"PostgreSQL connections: {idle_connections} idle, peak {peak} under load")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=10, help="users at a time")
    parser.add_argument("--update-concurrency", type=int, default=4, help="each replica's")
    parser.add_argument(
        "--flood-limit",
        type=float,
        help="each replica's FLOOD_LIMIT_PER_SECOND (default: the bot's, 30; 0 measures what "
        "the replicas can do rather than what Telegram allows)",
    )
    args = parser.parse_args()
    url = os.environ.get("PISHRAN_BENCH_POSTGRES_URL") or os.environ.get(
        "PISHRAN_TEST_POSTGRES_URL"
    )
    if not url:
        raise SystemExit("set PISHRAN_BENCH_POSTGRES_URL to a PostgreSQL server URL")
    asyncio.run(
        measure(
            url,
            args.replicas,
            args.users,
            args.concurrency,
            args.update_concurrency,
            args.flood_limit,
        )
    )


if __name__ == "__main__":
    main()
