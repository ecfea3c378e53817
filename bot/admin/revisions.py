"""Revision history: the list, one revision with a readable diff, and rollback."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web
from aiohttp_session import get_session

from bot.admin.pages import render, request_locale, set_notice
from bot.admin.panel import ADMIN_ACTOR, ADMIN_KEY
from handlers.kb_admin.service import (
    RevisionAlreadyActiveError,
    UnknownRevisionError,
)
from knowledge import KBValidationError

__all__ = ["HISTORY_LIMIT", "DiffLine", "diff_lines", "revision_page", "revisions", "roll_back"]

HISTORY_LIMIT = 200


# A YAML line of the canonical dump: the diff mark, indentation, an optional list dash and
# a key; the rest is the value, which the page isolates so Persian text keeps its own order.
_YAML_KEY = re.compile(r"^([ +-]\s*(?:- )?[\w-]+: )(.+)$")


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff: its kind (file, hunk, added, removed, context), split in two.

    `lead` is the mark, indentation and YAML key; `value` the rest (empty when there is none).
    """

    kind: str
    lead: str
    value: str = ""

    @property
    def text(self) -> str:
        """The whole line."""
        return self.lead + self.value


def diff_lines(lines: Iterable[str]) -> list[DiffLine]:
    """Classify unified-diff lines so the page can colour added and removed ones."""
    shown = []
    for line in lines:
        if line.startswith(("---", "+++")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "added"
        elif line.startswith("-"):
            kind = "removed"
        else:
            kind = "context"
        match = _YAML_KEY.match(line) if kind != "file" and kind != "hunk" else None
        shown.append(DiffLine(kind, *match.groups()) if match else DiffLine(kind, line))
    return shown


def _number(request: web.Request) -> int:
    try:
        return int(request.match_info["number"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def revisions(request: web.Request) -> web.StreamResponse:
    """Every revision, newest (active) first."""
    history = await request.config_dict[ADMIN_KEY].kb_admin.history(limit=HISTORY_LIMIT)
    return await render(request, "revisions.html", history=history)


async def revision_page(request: web.Request) -> web.StreamResponse:
    """One revision: who, when, why, what changed since the one before it, and rollback."""
    kb_admin = request.config_dict[ADMIN_KEY].kb_admin
    number = _number(request)
    active = (await kb_admin.active_summary()).revision.number
    if not 1 <= number <= active:
        raise web.HTTPNotFound()
    # Numbers run 1, 2, 3... without gaps (storage assigns max + 1), so this reaches `number`.
    info = (await kb_admin.history(limit=active - number + 1))[-1]
    diff, lines = await kb_admin.compare(number - 1, number) if number > 1 else (None, [])
    return await render(
        request, "revision.html", info=info, diff=diff, lines=diff_lines(lines), active=active
    )


async def roll_back(request: web.Request) -> web.StreamResponse:
    """Bring back the content of a revision as a new revision (history is never rewritten)."""
    panel = request.config_dict[ADMIN_KEY]
    number = _number(request)
    session = await get_session(request)
    note = panel.labels.text(request_locale(request), "rollback_note", revision=number)
    router = request.app.router
    try:
        new = await panel.kb_admin.rollback(number, author=ADMIN_ACTOR, note=note)
    except UnknownRevisionError:
        raise web.HTTPNotFound() from None
    except RevisionAlreadyActiveError:
        set_notice(session, "rollback_active", revision=number)
        raise web.HTTPSeeOther(router["admin_revision"].url_for(number=str(number))) from None
    except KBValidationError:
        set_notice(session, "rollback_invalid", revision=number)
        raise web.HTTPSeeOther(router["admin_revision"].url_for(number=str(number))) from None
    set_notice(session, "rolled_back", revision=number, new=new)
    raise web.HTTPSeeOther(router["admin_revision"].url_for(number=str(new)))
