"""`pishran stats export`: aggregated, anonymised statistics to a CSV, JSON or XLSX file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from storage.stats.dimensions import Dimension, parse_dimensions

if TYPE_CHECKING:
    from handlers.statistics.service import ExportRequest

__all__ = ["add_stats_commands", "export_stats"]


FORMATS = ("csv", "json", "xlsx")


def _dimensions(text: str) -> tuple[Dimension, ...]:
    try:
        return parse_dimensions(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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


def _export(args: argparse.Namespace) -> int:
    from bot.settings import load_settings
    from handlers.statistics.exports import ExportFormat
    from handlers.statistics.service import ExportRequest

    request = ExportRequest(
        by=args.by,
        format=ExportFormat(args.format),
        locale=args.lang or load_settings().default_language,
    )
    if str(args.out) == "-":
        groups = asyncio.run(export_stats(request, sys.stdout.buffer))
    else:
        with Path(args.out).open("wb") as out:
            groups = asyncio.run(export_stats(request, out))
    print(f"{groups} group(s) exported as {request.format.value}", file=sys.stderr)
    return 0


def add_stats_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Attach `stats export` to the `pishran` command line."""
    stats = commands.add_parser("stats", help="aggregated, anonymised statistics").add_subparsers(
        dest="stats_command", required=True, metavar="STATS_COMMAND"
    )
    export = stats.add_parser(
        "export",
        help="export statistics of completed assessments (groups under STATS_K are left out; "
        "every figure is perturbed, see docs/privacy.md)",
    )
    export.add_argument(
        "--by",
        type=_dimensions,
        default=(),
        help="up to two of sector, region, organisation, role, month, comma separated "
        "(default: everything as one group)",
    )
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument(
        "--lang", choices=("fa", "en"), help="column names (default: DEFAULT_LANGUAGE)"
    )
    export.add_argument("--out", required=True, help="the file to write, or - for standard output")
    export.set_defaults(handler=_export)
