"""Benchmark of the statistics exports: every format and grouping, at N/4 and N assessments.

    .venv/bin/python bench/stats.py                 # N = 100 000 on SQLite
    .venv/bin/python bench/stats.py --n 20000       # quicker
    PISHRAN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/stats.py             # SQLite, then PostgreSQL (a scratch database)

Prints, per export: groups, wall seconds, CPU seconds, assessments per second and bytes; then
the peak Python memory (tracemalloc) of a second, separate run of each format, at N/4 and at N,
which should be about the same: the exports stream. See bench/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import insert_synthetic
from bot.application import prepare_database
from handlers.i18n import Renderer
from handlers.knowledge_store import KnowledgeStore
from handlers.statistics.exports import ExportFormat
from handlers.statistics.sector_means import SectorMeans
from handlers.statistics.service import ExportRequest, Statistics
from knowledge import load_shipped_kb
from storage.db import build_engine, build_session_factory, normalise_database_url
from storage.stats import cut_release, parse_dimensions

GROUPINGS = (
    "sector",
    "region",
    "organisation",
    "role",
    "month",
    "sector,month",
    "region,month",
    "organisation,month",
)
TARGET = ("sector,month", ExportFormat.CSV)


@asynccontextmanager
async def scratch_database(backend: str, postgres_url: str | None) -> AsyncIterator[str]:
    """An empty database for one size: a temporary SQLite file or a new PostgreSQL database."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="pishran-bench-") as folder:
            yield f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        return
    assert postgres_url is not None
    server = make_url(normalise_database_url(postgres_url))
    name = f"pishran_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def run_export(statistics: Statistics, by: str, file_format: ExportFormat) -> tuple[int, int]:
    """Export to nowhere; the number of groups and of bytes written."""
    groups, size = 0, 0

    def counted(_: object) -> None:
        nonlocal groups
        groups += 1

    request = ExportRequest(parse_dimensions(by), file_format, "fa")
    async for chunk in statistics.export(request, on_group=counted):
        size += len(chunk)
    return groups, size


async def time_sector_means(factory: async_sessionmaker[AsyncSession], sector: str) -> None:
    """The sector means beside a respondent's results: read live (a sum over the sector's
    assessments) against kept for a minute by `SectorMeans`, as the bot reads them."""
    rounds = 20
    kept = SectorMeans(k=5, ttl=60)
    for label, ttl in (("read live", 0.0), ("kept", 60.0)):
        means = SectorMeans(k=5, ttl=ttl) if ttl == 0 else kept
        async with factory() as session:
            await means.of(session, sector)  # warm: statements compiled, the kept value read
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(rounds):
                await means.of(session, sector)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"results' sector means ({sector}), {label}: {wall / rounds * 1000:.3f} ms wall, "
            f"{cpu / rounds * 1000:.3f} ms CPU per results screen",
            flush=True,
        )


async def bench_size(
    backend: str, url: str, n: int, groupings: Sequence[str], formats: Sequence[ExportFormat]
) -> dict[str, float]:
    """Fill a database with n assessments, time every export, then measure peak memory."""
    kb = load_shipped_kb()
    engine = build_engine(url)
    await prepare_database(engine)
    started = time.perf_counter()
    await insert_synthetic(engine, kb, n)
    seconds = time.perf_counter() - started
    print(f"\n{backend}: {n} assessments inserted in {seconds:.1f} s", flush=True)
    if backend == "postgresql":
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
    factory = build_session_factory(engine)
    # The first release marks every assessment once (an UPDATE of n rows): cut it here,
    # untimed, as a deployment would have done long before; exports then only read.
    started = time.perf_counter()
    async with factory() as session:
        await cut_release(session=session, k=5, every=timedelta(0))
    print(f"first statistics release cut in {time.perf_counter() - started:.1f} s", flush=True)
    statistics = Statistics(factory, KnowledgeStore(factory), Renderer(), k=5)
    columns = ("grouping", "format", "groups", "wall s", "cpu s", "assess/s", "bytes")
    widths = (-20, -7, 8, 9, 8, 11, 12)
    print(
        "".join(
            f"{c:<{-w}}" if w < 0 else f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)
        )
    )
    timings: dict[str, float] = {}
    for by in groupings:
        for file_format in formats:
            wall, cpu = time.perf_counter(), time.process_time()
            groups, size = await run_export(statistics, by, file_format)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            timings[f"{by}/{file_format.value}"] = wall
            print(
                f"{by:<20}{file_format.value:<7}{groups:>8}{wall:>9.2f}{cpu:>8.2f}"
                f"{n / wall:>11.0f}{size:>12}",
                flush=True,
            )
    await time_sector_means(factory, kb.profile.sectors[0].key)
    for file_format in formats:
        tracemalloc.start()
        await run_export(statistics, "organisation,month", file_format)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        timings[f"peak/{file_format.value}"] = peak
    await engine.dispose()
    return timings


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="assessments at full size")
    parser.add_argument("--groupings", default=";".join(GROUPINGS), help="';'-separated")
    parser.add_argument("--formats", default="csv,json,xlsx")
    args = parser.parse_args(argv)
    groupings = [g for g in args.groupings.split(";") if g]
    formats = [ExportFormat(f) for f in args.formats.split(",")]
    postgres_url = os.environ.get("PISHRAN_BENCH_POSTGRES_URL")
    backends = ["sqlite"] + (["postgresql"] if postgres_url else [])
    print(f"{os.cpu_count()} CPU(s); load average {os.getloadavg()[0]:.2f}; N = {args.n}")
    for backend in backends:
        results = {}
        for n in (args.n // 4, args.n):
            async with scratch_database(backend, postgres_url) as url:
                results[n] = await bench_size(backend, url, n, groupings, formats)
        print(f"\n{backend}: peak Python memory of an organisation x month export (tracemalloc)")
        for file_format in formats:
            sizes = "  ".join(
                f"N={n}: {results[n][f'peak/{file_format.value}'] / 2**20:.1f} MiB" for n in results
            )
            print(f"  {file_format.value:<5} {sizes}")
        by, file_format = TARGET
        if by in groupings and file_format in formats:
            seconds = results[args.n][f"{by}/{file_format.value}"]
            verdict = "meets" if seconds < 2 else "misses"
            print(f"  target: {args.n} by {by} to {file_format.value}: {seconds:.2f} s")
            print(f"  ({verdict} the 2 s target)")
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS (including data generation): {max_rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
