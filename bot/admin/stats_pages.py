"""The panel's statistics: the national summary and what blocks agencies, and downloads.

The figures come from the same use case as `/stats` in Telegram and `/api/stats`, so the
same disclosure rules apply (docs/privacy.md): a group under k assessments or k people is
not shown, and every figure is perturbed by its cell key. Every view and download is written
to the audit log.
"""

from __future__ import annotations

from aiohttp import web

from bot.admin.pages import SECURITY_HEADERS, render, request_locale
from bot.admin.panel import ADMIN_ACTOR, ADMIN_KEY
from bot.stats_api import stream_blockers, stream_export
from handlers.statistics.blockers import BlockersExport, parse_plan_dimension
from handlers.statistics.exports import ExportFormat
from handlers.statistics.service import ExportRequest, Statistics, lowest_driver_shares
from knowledge import Locale
from storage.stats import MAX_DIMENSIONS, Dimension, parse_dimensions
from storage.stats.plan_steps import PLAN_DIMENSIONS

__all__ = ["blockers_export", "stats_export", "stats_page"]


def _statistics(request: web.Request) -> Statistics:
    statistics = request.config_dict[ADMIN_KEY].statistics
    if statistics is None:  # a panel built without statistics (not the case in `run`)
        raise web.HTTPNotFound()
    return statistics


async def stats_page(request: web.Request) -> web.StreamResponse:
    """The summary: funnel, readiness, factor means as bars, what holds agencies back."""
    panel = request.config_dict[ADMIN_KEY]
    statistics = _statistics(request)
    summary = await statistics.summary()
    blockers = statistics.label_blockers(await statistics.blockers(), request_locale(request))
    await panel.audit.record(actor=ADMIN_ACTOR, action="stats.view")
    return await render(
        request,
        "stats.html",
        s=summary,
        blockers=blockers,
        plan_dimensions=PLAN_DIMENSIONS,
        lowest=lowest_driver_shares(summary.kb, summary.overall),
        dimensions=list(Dimension),
        formats=list(ExportFormat),
        max_dimensions=MAX_DIMENSIONS,
    )


def _export_request(request: web.Request) -> ExportRequest:
    """The export the form asked for; 400 for anything the form could not have sent."""
    query = request.query
    chosen = [query.get(f"by{i}", "") for i in range(1, MAX_DIMENSIONS + 1)]
    lang = query.get("lang")
    if lang not in (None, "fa", "en"):
        raise web.HTTPBadRequest(text="lang must be fa or en")
    locale: Locale = "fa" if lang == "fa" else "en" if lang == "en" else request_locale(request)
    try:
        by = parse_dimensions([name for name in chosen if name])
        file_format = ExportFormat(query.get("format", ""))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return ExportRequest(by=by, format=file_format, locale=locale)


def _blockers_request(request: web.Request) -> BlockersExport:
    """The plan statistics export the form asked for; 400 for anything it could not send."""
    query = request.query
    lang = query.get("lang")
    if lang not in (None, "fa", "en"):
        raise web.HTTPBadRequest(text="lang must be fa or en")
    locale: Locale = "fa" if lang == "fa" else "en" if lang == "en" else request_locale(request)
    try:
        by = parse_plan_dimension(query.get("by", ""))
        file_format = ExportFormat(query.get("format", ""))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return BlockersExport(by=by, format=file_format, locale=locale)


async def blockers_export(request: web.Request) -> web.StreamResponse:
    """What blocks agencies as a file (CSV, JSON or XLSX): shares of steps and reasons."""
    panel = request.config_dict[ADMIN_KEY]
    wanted = _blockers_request(request)
    statistics = _statistics(request)
    await panel.audit.record(
        actor=ADMIN_ACTOR,
        action="stats.blockers_export",
        detail={"by": wanted.by.value if wanted.by else None, "format": wanted.format.value},
    )
    return await stream_blockers(request, statistics, wanted, headers=SECURITY_HEADERS)


async def stats_export(request: web.Request) -> web.StreamResponse:
    """The export file, streamed as it is written (CSV, JSON or XLSX)."""
    panel = request.config_dict[ADMIN_KEY]
    wanted = _export_request(request)
    statistics = _statistics(request)
    await panel.audit.record(
        actor=ADMIN_ACTOR,
        action="stats.export",
        detail={"by": [d.value for d in wanted.by], "format": wanted.format.value},
    )
    return await stream_export(request, statistics, wanted, headers=SECURITY_HEADERS)
