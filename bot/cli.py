"""The `pishran` command line: run the bot, manage the knowledge base and the database."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from bot.kb_cli import add_kb_commands
from bot.stats_cli import add_stats_commands

__all__ = ["build_parser", "main"]


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.settings import load_settings
    from storage.db import upgrade_database

    settings = load_settings()
    asyncio.run(upgrade_database(settings.database_url))
    print(f"database is at the latest revision: {settings.redacted_database_url}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.main import run_bot

    return run_bot(webhook=args.webhook)


def _playground(args: argparse.Namespace) -> int:
    from bot.main import run_playground

    return run_playground(host=args.host, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="pishran",
        description=(
            "Pishran: a chat-based readiness advisor for government service delivery through "
            "social media. Settings come from the environment and a .env file (see .env.example)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot (polling; with no BOT_TOKEN set, runs the playground instead)",
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve a webhook (WEBHOOK_URL, WEBHOOK_SECRET) instead of polling",
    )
    run.set_defaults(handler=_run)

    playground = commands.add_parser(
        "playground", help="try the bot in a browser against the built-in Bot API emulator"
    )
    playground.add_argument("--host", default="127.0.0.1")
    playground.add_argument("--port", type=int, default=8080)
    playground.set_defaults(handler=_playground)

    add_kb_commands(commands)

    db = commands.add_parser("db", help="database tools").add_subparsers(
        dest="db_command", required=True, metavar="DB_COMMAND"
    )
    db.add_parser("upgrade", help="apply database migrations (DATABASE_URL)").set_defaults(
        handler=_db_upgrade
    )

    add_stats_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `pishran` console script."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))
