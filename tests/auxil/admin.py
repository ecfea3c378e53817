"""Helpers for administrators' end-to-end tests: settings with an admin, KB files, DB checks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from bot.emulator import BotApiEmulator, ChatMessage
from bot.settings import Settings
from knowledge import KnowledgeBase, canonical_yaml, to_document
from storage.models import AuditLog, KbRevision, KbUpload, Organisation
from tests.auxil.harness import RunningBot, bot_settings

ADMIN_ID = 7_000_000_001
CIVIL_SERVANT_ID = 7_000_000_002

Edit = Callable[[dict[str, Any]], None]


def admin_settings(
    emulator: BotApiEmulator, emulator_url: str, database_url: str, **overrides: Any
) -> Settings:
    """Settings for a bot on the emulator whose one administrator is ADMIN_ID."""
    return bot_settings(emulator, emulator_url, database_url, admin_ids=(ADMIN_ID,), **overrides)


def edited_document(kb: KnowledgeBase, edit: Edit | None = None) -> dict[str, Any]:
    """The KB as a document, changed by `edit`."""
    document = copy.deepcopy(to_document(kb))
    if edit is not None:
        edit(document)
    return document


def yaml_bytes(document: dict[str, Any]) -> bytes:
    """A KB document as the YAML file an administrator would send."""
    return canonical_yaml(document).encode()


def first_advice_summary(kb: KnowledgeBase) -> str:
    """A sub-factor's first advice summary, as a path inside it: by band from schema 2 on."""
    return "advice.bands.absent.summary" if kb.version == 2 else "advice.obstacle.summary"


def revised_advice_keys(kb: KnowledgeBase) -> tuple[str, ...]:
    """The advice keys of a KB diff that `revise_first_advice` changes."""
    bands = ("absent",) if kb.version == 2 else ("absent", "started")
    return tuple(f"{kb.factors[0].subfactors[0].key}.{band}" for band in bands)


def revise_first_advice(document: dict[str, Any]) -> None:
    """Reword the first sub-factor's advice for the band absent (everything answered 0).

    In a version 1 document that is the obstacle advice, which also serves the band started.
    """
    advice = document["factors"][0]["subfactors"][0]["advice"]
    advice = (
        advice["bands"]["absent"]["summary"] if "bands" in advice else advice["obstacle"]["summary"]
    )
    advice["en"] = REVISED_ADVICE
    advice["fa"] = "توصیه بازنگری‌شده: منشور شفافیت را منتشر کنید."


REVISED_ADVICE = "REVISED ADVICE: publish a transparency charter."


async def count_rows(bot: RunningBot, table: type[Any]) -> int:
    """How many rows `table` holds."""
    async with bot.runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def active_revision(bot: RunningBot) -> int:
    """The number of the newest (active) KB revision in the database."""
    async with bot.runtime.session_factory() as session:
        return int(await session.scalar(select(func.max(KbRevision.id))) or 0)


async def audit_log(bot: RunningBot) -> list[AuditLog]:
    """Every audit entry, oldest first."""
    async with bot.runtime.session_factory() as session:
        return list(await session.scalars(select(AuditLog).order_by(AuditLog.id)))  # type: ignore[arg-type]


async def unchanged_state(bot: RunningBot) -> tuple[int, int, int, int]:
    """Active revision and counts of revisions, uploads, organisations: what refusals keep."""
    return (
        await active_revision(bot),
        await count_rows(bot, KbRevision),
        await count_rows(bot, KbUpload),
        await count_rows(bot, Organisation),
    )


def texts_since(messages: list[ChatMessage], start: int) -> str:
    """The text (or caption) of every message from index `start` on, as one string."""
    return "\n\n".join(m.text or m.caption or "" for m in messages[start:])
