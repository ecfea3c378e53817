"""`GET /api/stats`, `/api/stats/org/{code}`, `/api/stats/blockers`: files behind a token.

The routes answer 404 while STATS_API_TOKEN is unset, and 401 to a request without the token
or with a wrong one (compared in constant time). Files are streamed as they are written.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from aiohttp import web

from handlers.audit_trail import AuditTrail
from handlers.statistics.blockers import BlockersExport, parse_plan_dimension
from handlers.statistics.exports import CONTENT_TYPES, ExportFormat
from handlers.statistics.service import ExportRequest, Statistics
from knowledge import Locale
from storage.stats import Dimension, parse_dimensions

__all__ = [
    "API_ACTOR",
    "STATS_API_KEY",
    "StatsApi",
    "setup_stats_routes",
    "stream_blockers",
    "stream_export",
]

log = logging.getLogger(__name__)
API_ACTOR = "api:stats"


@dataclass(frozen=True)
class StatsApi:
    """What the statistics routes need: the use cases, the audit log, the token, defaults."""

    statistics: Statistics
    audit: AuditTrail
    token: str | None
    default_locale: Locale


STATS_API_KEY = web.AppKey("stats_api", StatsApi)


def _error(status: type[web.HTTPException], message: str, **headers: str) -> web.HTTPException:
    return status(
        text=json.dumps({"error": message}), content_type="application/json", headers=headers
    )


def _authorise(request: web.Request) -> StatsApi:
    api = request.app[STATS_API_KEY]
    if not api.token:
        raise _error(web.HTTPNotFound, "the statistics API is disabled (STATS_API_TOKEN unset)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), api.token.encode()
    ):
        log.warning("statistics API request refused: missing or wrong bearer token")
        raise _error(
            web.HTTPUnauthorized,
            "a valid bearer token is required",
            **{"WWW-Authenticate": 'Bearer realm="pishran-stats"'},
        )
    return api


def _request(
    api: StatsApi, query: Mapping[str, str], where: Mapping[Dimension, str] | None = None
) -> ExportRequest:
    try:
        by = () if where else parse_dimensions(query.get("by", ""))
        file_format = ExportFormat(query.get("format", ExportFormat.JSON.value).lower())
    except ValueError as exc:
        raise _error(web.HTTPBadRequest, str(exc)) from None
    lang = query.get("lang", api.default_locale)
    if lang not in ("fa", "en"):
        raise _error(web.HTTPBadRequest, "lang must be fa or en")
    return ExportRequest(
        by=by, format=file_format, locale="fa" if lang == "fa" else "en", where=where
    )


async def stream_export(
    request: web.Request,
    statistics: Statistics,
    export: ExportRequest,
    *,
    headers: Mapping[str, str] | None = None,
) -> web.StreamResponse:
    """Send the export as an attachment, streamed chunk by chunk as it is written."""
    chunks = statistics.export(export)
    return await _attachment(request, export.filename, export.format, chunks, headers)


async def stream_blockers(
    request: web.Request,
    statistics: Statistics,
    export: BlockersExport,
    *,
    headers: Mapping[str, str] | None = None,
) -> web.StreamResponse:
    """Send the plan statistics file as an attachment."""
    chunks = statistics.export_blockers(export)
    return await _attachment(request, export.filename, export.format, chunks, headers)


async def _attachment(
    request: web.Request,
    filename: str,
    file_format: ExportFormat,
    chunks: AsyncIterator[bytes],
    headers: Mapping[str, str] | None,
) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": CONTENT_TYPES[file_format],
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            **(headers or {}),
        }
    )
    await response.prepare(request)
    async for chunk in chunks:
        await response.write(chunk)
    await response.write_eof()
    return response


async def blockers_export(request: web.Request) -> web.StreamResponse:
    """What blocks agencies, grouped by `by` (sector, region, month or none), as `format`."""
    api = _authorise(request)
    query = request.query
    try:
        by = parse_plan_dimension(query.get("by", ""))
        file_format = ExportFormat(query.get("format", ExportFormat.JSON.value).lower())
    except ValueError as exc:
        raise _error(web.HTTPBadRequest, str(exc)) from None
    lang = query.get("lang", api.default_locale)
    if lang not in ("fa", "en"):
        raise _error(web.HTTPBadRequest, "lang must be fa or en")
    export = BlockersExport(by=by, format=file_format, locale="fa" if lang == "fa" else "en")
    await api.audit.record(
        actor=API_ACTOR,
        action="stats.blockers_export",
        detail={"by": by.value if by else None, "format": file_format.value},
    )
    return await stream_blockers(request, api.statistics, export)


async def stats_export(request: web.Request) -> web.StreamResponse:
    """Statistics grouped by `by` (up to two dimensions) as `format` with `lang` column names."""
    api = _authorise(request)
    export = _request(api, request.query)
    await api.audit.record(
        actor=API_ACTOR,
        action="stats.export",
        detail={"by": [d.value for d in export.by], "format": export.format.value},
    )
    return await stream_export(request, api.statistics, export)


async def organisation_profile(request: web.Request) -> web.StreamResponse:
    """The aggregated profile of one organisation (deep-link code), if it has k respondents."""
    api = _authorise(request)
    code = request.match_info["code"]
    export = _request(api, request.query, where={Dimension.ORGANISATION: code})
    await api.audit.record(actor=API_ACTOR, action="stats.organisation", detail={"code": code})
    # The same answer for an unknown code and a small one: neither reveals who took part.
    if await api.statistics.organisation(code) is None:
        raise _error(web.HTTPNotFound, "no profile: fewer than k respondents or no such code")
    return await stream_export(request, api.statistics, export)


def setup_stats_routes(
    app: web.Application,
    *,
    statistics: Statistics,
    audit: AuditTrail,
    token: str | None,
    default_locale: Locale,
) -> None:
    """Attach /api/stats, /api/stats/org/{code}, /api/stats/blockers (404 while no `token`)."""
    app[STATS_API_KEY] = StatsApi(statistics, audit, token, default_locale)
    app.router.add_get("/api/stats", stats_export, name="stats_export")
    app.router.add_get("/api/stats/blockers", blockers_export, name="stats_blockers")
    app.router.add_get(
        r"/api/stats/org/{code:[A-Za-z0-9_-]{1,32}}", organisation_profile, name="stats_org"
    )
