"""Organisations (name -> code, deep link, QR code) and the audit log, as panel pages."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp_session import get_session

from bot.admin.pages import render, set_notice
from bot.admin.panel import ADMIN_ACTOR, ADMIN_KEY, AdminPanel
from handlers.organisations.service import OrganisationInfo, deep_link, qr_png
from knowledge.interview_state import ORGANISATION_MAX_LENGTH
from storage.audit import AuditKind

__all__ = [
    "AUDIT_LIMIT",
    "add_organisation",
    "audit_log",
    "organisation_page",
    "organisation_qr",
    "organisations",
]

AUDIT_LIMIT = 200


async def _organisation(panel: AdminPanel, code: str) -> OrganisationInfo:
    found = next((o for o in await panel.organisations.organisations() if o.code == code), None)
    if found is None:
        raise web.HTTPNotFound()
    return found


async def _list_page(
    request: web.Request, *, name: str = "", refusal: str | None = None, status: int = 200
) -> web.StreamResponse:
    panel = request.config_dict[ADMIN_KEY]
    return await render(
        request,
        "organisations.html",
        status=status,
        organisations=await panel.organisations.organisations(),
        k=panel.organisations.k,
        name=name,
        refusal=refusal,
        name_max_length=ORGANISATION_MAX_LENGTH,
    )


async def organisations(request: web.Request) -> web.StreamResponse:
    """Every organisation with its respondent count, and the form to add one."""
    return await _list_page(request)


async def add_organisation(request: web.Request) -> web.StreamResponse:
    """Create an organisation with a short code (or find the one with that name)."""
    panel = request.config_dict[ADMIN_KEY]
    name = str((await request.post()).get("name", ""))
    added = await panel.organisations.add(name, author=ADMIN_ACTOR)
    if added.organisation is None:
        refusal = added.refusal.value if added.refusal else "empty"
        return await _list_page(request, name=name, refusal=refusal, status=422)
    notice = "org_created" if added.created else "org_exists"
    set_notice(await get_session(request), notice)
    url = request.app.router["admin_organisation"].url_for(code=added.organisation.code)
    raise web.HTTPSeeOther(url)


async def organisation_page(request: web.Request) -> web.StreamResponse:
    """One organisation: its code, its deep link and the QR code of the link."""
    panel = request.config_dict[ADMIN_KEY]
    organisation = await _organisation(panel, request.match_info["code"])
    username = panel.bot_username()
    link = deep_link(username, organisation.code) if username else None
    return await render(request, "organisation.html", organisation=organisation, link=link)


async def organisation_qr(request: web.Request) -> web.StreamResponse:
    """The QR code of the organisation's deep link, as a PNG to print or share."""
    panel = request.config_dict[ADMIN_KEY]
    organisation = await _organisation(panel, request.match_info["code"])
    username = panel.bot_username()
    if not username:
        raise web.HTTPNotFound()  # no bot to link to: this web app serves no bot
    png = await asyncio.to_thread(qr_png, deep_link(username, organisation.code))
    return web.Response(body=png, content_type="image/png")


async def audit_log(request: web.Request) -> web.StreamResponse:
    """The newest entries of the audit log: who did what, and when; `?kind=` admin or refused.

    Refusals are counted, not listed one by one, and the administrators' actions can be
    shown on their own: no flood of refused requests hides them.
    """
    chosen = request.query.get("kind", "all")
    kind = AuditKind(chosen) if chosen in tuple(AuditKind) else None
    audit = request.config_dict[ADMIN_KEY].audit
    entries = await audit.entries(limit=AUDIT_LIMIT, kind=kind)
    return await render(request, "audit.html", entries=entries, kind=kind or "all")
