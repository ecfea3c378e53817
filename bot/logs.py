"""Log lines as text or JSON, and the only way a Telegram user appears in them: a keyed hash."""

from __future__ import annotations

import logging
from typing import Literal, TextIO

from pythonjsonlogger.json import JsonFormatter

from storage.pseudonyms import hash_user_id, user_hash_key

__all__ = [
    "QUIET_LOGGERS",
    "LogFormat",
    "build_formatter",
    "configure_logging",
    "hash_user_id",
    "user_hash_key",
]

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = ("asctime", "levelname", "name", "message")
# Their DEBUG lines print whole updates, request bodies and SQL parameters: user ids and what
# people typed. httpx's INFO lines carry the request URL, which contains the bot token.
QUIET_LOGGERS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.INFO,
    "aiosqlite": logging.INFO,
    "asyncpg": logging.INFO,
    "sqlalchemy": logging.WARNING,
}


def build_formatter(log_format: LogFormat) -> logging.Formatter:
    """Plain lines, or one JSON object per line with a record's `extra` fields as keys."""
    if log_format == "json":
        return JsonFormatter(
            list(JSON_FIELDS),
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(
    level: str, log_format: LogFormat = "text", *, stream: TextIO | None = None
) -> None:
    """Send every log record at `level` or above to stderr (or `stream`) in `log_format`."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(build_formatter(log_format))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    root_level = logging.getLogger().level
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(root_level, floor))
