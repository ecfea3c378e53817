"""`pishran kb validate|lint|export|import`: knowledge base files on the command line.

`lint` (and `validate --strict`) also applies the content rules of knowledge.lint: evidence
coverage from confirmed studies, citations, mirror links and the Persian writing rules.

`import` follows the same rules as `/kb_import` in Telegram and the web panel: the file is
validated first (every problem printed with its path), the changes against the active
revision are listed, and the new revision is appended to the history with an audit entry;
nothing is overwritten. Other replicas pick it up within KB_REFRESH_SECONDS.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import yaml

from knowledge import (
    KBDiff,
    KBValidationError,
    count_summary,
    diff_kb,
    load_kb,
    read_document,
    shipped_kb_path,
    to_document,
    validate_document,
)
from knowledge.lint import LintSettings, confirmed_from_records, lint_document
from knowledge.lint_data import MIRROR_DOMAINS

__all__ = ["PROBLEMS_PRINTED", "add_kb_commands", "describe_changes", "import_kb"]

#: Problems printed for one file; a file with more gets a count of the rest.
PROBLEMS_PRINTED = 100


def _read_valid(path: Path, *, then: str) -> dict[str, Any] | None:
    """The document at `path`, or None after printing every problem and what `then` happened."""
    try:
        document = read_document(path)
    except (OSError, KBValidationError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return None
    problems = validate_document(document)
    if problems:
        for problem in problems[:PROBLEMS_PRINTED]:
            print(f"{path}: {problem}", file=sys.stderr)
        if len(problems) > PROBLEMS_PRINTED:
            print(f"{path}: ... and {len(problems) - PROBLEMS_PRINTED} more", file=sys.stderr)
        print(f"{len(problems)} problem(s) found{then}", file=sys.stderr)
        return None
    return document


def _lint_settings(args: argparse.Namespace) -> LintSettings | None:
    """The linter's settings from the options, or None after printing why they cannot be read."""
    settings = LintSettings(mirror_domains=MIRROR_DOMAINS + tuple(args.deny_domain))
    if args.references is None:
        return settings
    try:
        records = yaml.safe_load(args.references.read_text(encoding="utf-8"))
        confirmed = confirmed_from_records(records if isinstance(records, dict) else {})
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError) as exc:
        print(f"{args.references}: cannot read the research records: {exc}", file=sys.stderr)
        return None
    return LintSettings(confirmed=confirmed, mirror_domains=settings.mirror_domains)


def _print_lint(path: Path, document: dict[str, Any], args: argparse.Namespace) -> int | None:
    """Print the linter's problems of a valid document; None when it passes, else exit status."""
    settings = _lint_settings(args)
    if settings is None:
        return 2
    problems = lint_document(document, settings)
    if not problems:
        return None
    for found in problems[:PROBLEMS_PRINTED]:
        print(f"{path}: {found.path}: {found.describe(args.lang)} [{found.code}]", file=sys.stderr)
    if len(problems) > PROBLEMS_PRINTED:
        print(f"{path}: ... and {len(problems) - PROBLEMS_PRINTED} more", file=sys.stderr)
    print(f"{len(problems)} content problem(s) found", file=sys.stderr)
    return 1


def _lint(args: argparse.Namespace) -> int:
    path: Path = args.path or shipped_kb_path()
    document = _read_valid(path, then="")
    if document is None:
        return 1
    status = _print_lint(path, document, args)
    if status is not None:
        return status
    print(f"{path}: passes the linter")
    return 0


def _add_lint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--references",
        type=Path,
        metavar="FILE",
        help="research records (references.yaml) whose `confirmed: true` entries may be cited"
        " (default: the list shipped in knowledge/lint_data.py)",
    )
    parser.add_argument(
        "--deny-domain",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="one more document-sharing domain that references must not link to (repeatable)",
    )
    parser.add_argument(
        "--lang", choices=("fa", "en"), default="en", help="language of the problems (default en)"
    )


def _validate(args: argparse.Namespace) -> int:
    path: Path = args.path or shipped_kb_path()
    document = _read_valid(path, then="")
    if document is None:
        return 1
    if args.strict:
        status = _print_lint(path, document, args)
        if status is not None:
            return status
    counts = count_summary(load_kb(document))
    print(
        f"{path}: valid - {counts['factors']} factors, {counts['subfactors']} sub-factors, "
        f"{counts['questions']} questions, {counts['evidence']} evidence items, "
        f"{counts['references']} references"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    path: Path = args.path or shipped_kb_path()
    document = _read_valid(path, then="")
    if document is None:
        return 1
    document = to_document(load_kb(document))
    if args.format == "json":
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100), end="")
    return 0


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
    from handlers.kb_admin.service import StaleRevisionError

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
    document = _read_valid(args.path, then="; nothing imported")
    if document is None:
        return 1
    return asyncio.run(import_kb(document, note=args.note, dry_run=args.dry_run))


def add_kb_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Attach `kb validate`, `kb lint`, `kb export` and `kb import` to the command line."""
    kb = commands.add_parser("kb", help="knowledge base tools").add_subparsers(
        dest="kb_command", required=True, metavar="KB_COMMAND"
    )
    validate = kb.add_parser("validate", help="check a KB file; print every problem or a summary")
    validate.add_argument("path", nargs="?", type=Path, help="YAML or JSON file (default: shipped)")
    validate.add_argument(
        "--strict", action="store_true", help="also apply the content rules of `kb lint`"
    )
    _add_lint_options(validate)
    validate.set_defaults(handler=_validate)
    lint = kb.add_parser(
        "lint",
        help="check a KB's content: evidence coverage, citations, links and Persian writing",
    )
    lint.add_argument("path", nargs="?", type=Path, help="YAML or JSON file (default: shipped)")
    _add_lint_options(lint)
    lint.set_defaults(handler=_lint)
    export = kb.add_parser("export", help="print a KB (default: the shipped one) as JSON or YAML")
    export.add_argument("path", nargs="?", type=Path, help="YAML or JSON file (default: shipped)")
    export.add_argument("--format", choices=("json", "yaml"), default="yaml")
    export.set_defaults(handler=_export)
    imported = kb.add_parser(
        "import",
        help="validate a KB file and make it the active revision in DATABASE_URL (audited)",
    )
    imported.add_argument("path", type=Path, help="YAML or JSON file")
    imported.add_argument("--note", default="", help="a note for the revision history")
    imported.add_argument(
        "--dry-run", action="store_true", help="only list the changes; store nothing"
    )
    imported.set_defaults(handler=_import)
