"""`pishran kb import`: make a KB file the active revision from the command line, audited.

The same rules as `/kb_import` in Telegram and the web panel: the file is validated first
(every problem printed with its path), the changes against the active revision are listed,
and the new revision is appended to the history with an audit entry; nothing is overwritten.
Other replicas pick the new revision up within KB_REFRESH_SECONDS.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from typing import Any, TextIO

from knowledge import KBDiff, KBValidationError, diff_kb, load_kb, read_document, validate_document

__all__ = ["add_kb_import_command", "describe_changes", "import_kb"]


def describe_changes(diff: KBDiff) -> list[str]:
    """One line per section that changed: `questions: 2 added, 1 changed`."""
    lines = []
    for name, section in diff.sections:
        parts = [
            f"{len(keys)} {label}"
            for label, keys in (
                ("added", section.added),
                ("removed", section.removed),
                ("changed", section.changed),
            )
            if keys
        ]
        if parts:
            lines.append(f"  {name}: {', '.join(parts)}")
    if diff.settings:
        lines.append(f"  settings: {', '.join(diff.settings)}")
    if diff.reordered:
        lines.append(f"  reordered: {', '.join(diff.reordered)}")
    return lines


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name for this uid (e.g. in a container)
        return "cli"


async def import_kb(
    document: dict[str, Any], *, note: str, dry_run: bool, out: TextIO | None = None
) -> int:
    """Compare a valid document with the active revision and, unless `dry_run`, activate it."""
    out = out or sys.stdout
    from bot.application import start_runtime
    from bot.settings import load_settings
    from handlers.kb_admin import StaleRevisionError

    runtime = await start_runtime(load_settings())
    try:
        knowledge, admin = runtime.services.knowledge, runtime.services.kb_admin
        active, active_kb = await knowledge.active()
        diff = diff_kb(active_kb, load_kb(document))
        if diff.is_empty:
            print(f"identical to the active revision {active}: nothing to import", file=out)
            return 0
        print(f"changes from the active revision {active}:", file=out)
        for line in describe_changes(diff):
            print(line, file=out)
        if dry_run:
            print("dry run: nothing stored", file=out)
            return 0
        try:
            revision = await admin.activate(
                document, author=_cli_actor(), note=note, expected_revision=active
            )
        except StaleRevisionError as exc:
            print(
                f"revision {exc.active} became active meanwhile; nothing stored: run it again",
                file=sys.stderr,
            )
            return 1
        print(f"revision {revision} is active", file=out)
        return 0
    finally:
        await runtime.close()


def _import(args: argparse.Namespace) -> int:
    path: Path = args.path
    try:
        document = read_document(path)
    except (OSError, KBValidationError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    problems = validate_document(document)
    if problems:
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        print(f"{len(problems)} problem(s) found; nothing imported", file=sys.stderr)
        return 1
    return asyncio.run(import_kb(document, note=args.note, dry_run=args.dry_run))


def add_kb_import_command(kb: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Attach `kb import` to the `pishran kb` commands."""
    command = kb.add_parser(
        "import",
        help="validate a KB file and make it the active revision in DATABASE_URL (audited)",
    )
    command.add_argument("path", type=Path, help="YAML or JSON file")
    command.add_argument("--note", default="", help="a note for the revision history")
    command.add_argument(
        "--dry-run", action="store_true", help="only list the changes; store nothing"
    )
    command.set_defaults(handler=_import)
