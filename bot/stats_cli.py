"""`pishran stats export`: aggregated, anonymised statistics to a CSV, JSON or XLSX file.

`--table readiness` (the default): the readiness statistics of completed assessments.
`--table blockers`: what blocks agencies (committed plan steps done, in progress and blocked,
and the blocking reasons), the same file as `GET /api/stats/blockers`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from storage.stats.dimensions import parse_dimensions

if TYPE_CHECKING:
    from handlers.statistics.blockers import BlockersExport
    from handlers.statistics.service import ExportRequest

__all__ = ["add_stats_commands", "export_blockers", "export_stats"]


FORMATS = ("csv", "json", "xlsx")
TABLES = ("readiness", "blockers")


async def export_stats(request: ExportRequest, out: BinaryIO, *, progress: bool = True) -> int:
    """Write the export to `out` with a progress bar on a terminal; the groups written."""
    from tqdm import tqdm

    from bot.application import start_runtime
    from bot.settings import load_settings

    runtime = await start_runtime(load_settings(), migrate=False)
    try:
        statistics = runtime.services.statistics
        assert statistics is not None
        total = await statistics.count_groups(request)
        written = 0

        def step(_: object) -> None:
            nonlocal written
            written += 1
            bar.update()

        # disable=None: a bar on a terminal, nothing when stderr is a file or a pipe.
        with tqdm(total=total, unit="group", disable=None if progress else True) as bar:
            async for chunk in statistics.export(request, on_group=step):
                out.write(chunk)
        return written
    finally:
        await runtime.close()


async def export_blockers(request: BlockersExport, out: BinaryIO) -> None:
    """Write what blocks agencies (the published plan figures) to `out`."""
    from bot.application import start_runtime
    from bot.settings import load_settings

    runtime = await start_runtime(load_settings(), migrate=False)
    try:
        statistics = runtime.services.statistics
        assert statistics is not None
        async for chunk in statistics.export_blockers(request):
            out.write(chunk)
    finally:
        await runtime.close()


def _write(args: argparse.Namespace, export: Callable[[BinaryIO], Coroutine[Any, Any, Any]]) -> Any:
    if str(args.out) == "-":
        return asyncio.run(export(sys.stdout.buffer))
    with Path(args.out).open("wb") as out:
        return asyncio.run(export(out))


def _export(args: argparse.Namespace) -> int:
    from bot.settings import load_settings
    from handlers.statistics.blockers import BlockersExport, parse_plan_dimension
    from handlers.statistics.exports import ExportFormat
    from handlers.statistics.service import ExportRequest

    try:
        blockers = args.table == "blockers"
        by = parse_plan_dimension(args.by) if blockers else parse_dimensions(args.by)
    except ValueError as exc:
        args.parser.error(f"argument --by: {exc}")
    file_format = ExportFormat(args.format)
    locale = args.lang or load_settings().default_language
    if blockers:
        assert not isinstance(by, tuple)
        export = BlockersExport(by, file_format, locale)
        _write(args, lambda out: export_blockers(export, out))
        print(f"{export.filename} exported", file=sys.stderr)
        return 0
    assert isinstance(by, tuple)
    request = ExportRequest(by=by, format=file_format, locale=locale)
    groups = _write(args, lambda out: export_stats(request, out))
    print(f"{groups} group(s) exported as {request.format.value}", file=sys.stderr)
    return 0


def add_stats_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Attach `stats export` to the `pishran` command line."""
    stats = commands.add_parser("stats", help="aggregated, anonymised statistics").add_subparsers(
        dest="stats_command", required=True, metavar="STATS_COMMAND"
    )
    export = stats.add_parser(
        "export",
        help="export statistics: readiness of completed assessments, or what blocks agencies "
        "(groups under STATS_K are left out; every figure is perturbed, see docs/privacy.md)",
        description="Export aggregated, anonymised statistics. --table readiness (default): "
        "the readiness statistics of completed assessments. --table blockers: what blocks "
        "agencies in practice, per plan step and sub-factor the share of committed steps done, "
        "in progress and blocked, and the blocking reasons (the notes people type are never "
        "exported). Groups under STATS_K are left out; every figure is perturbed "
        "(docs/privacy.md).",
    )
    export.add_argument(
        "--table",
        choices=TABLES,
        default="readiness",
        help="readiness (default) or blockers",
    )
    export.add_argument(
        "--by",
        default="",
        help="readiness: up to two of sector, region, organisation, role, month, comma "
        "separated; blockers: one of sector, region, month (default: everything as one group)",
    )
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument(
        "--lang", choices=("fa", "en"), help="column names (default: DEFAULT_LANGUAGE)"
    )
    export.add_argument("--out", required=True, help="the file to write, or - for standard output")
    export.set_defaults(handler=_export, parser=export)
