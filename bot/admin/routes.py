"""The panel's route table: one place that lists every route and which ones need no session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.admin import kb_pages, organisations, revisions, sign_in, stats_pages
from bot.admin.guard import SIGN_IN_ROUTE

__all__ = ["PANEL_ROUTES", "PUBLIC_ROUTE_NAMES", "ROUTES", "STATIC_ROUTE", "Route", "setup_routes"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STATIC_ROUTE = "admin_static"


@dataclass(frozen=True)
class Route:
    """One route under /admin; `public` ones are reachable without signing in."""

    method: str
    path: str
    handler: Handler
    name: str
    public: bool = False


# A GET and a POST on one path share a name, and must stay next to each other (aiohttp
# reuses the previous resource only when path and name match it).
ROUTES: tuple[Route, ...] = (
    Route("GET", "/sign-in", sign_in.sign_in_page, SIGN_IN_ROUTE, public=True),
    Route("POST", "/sign-in", sign_in.signing_in, SIGN_IN_ROUTE, public=True),
    Route("GET", "/language/{lang}", sign_in.choose_language, "admin_language", public=True),
    Route("POST", "/sign-out", sign_in.sign_out, "admin_sign_out"),
    Route("GET", "/", kb_pages.home, "admin_home"),
    Route("GET", "/kb", kb_pages.kb_overview, "admin_kb"),
    Route("GET", "/kb/export", kb_pages.export_kb, "admin_kb_export"),
    Route("GET", "/kb/subfactors/{key}", kb_pages.subfactor_page, "admin_subfactor"),
    Route("GET", "/kb/{kind}/{key}/edit", kb_pages.edit_form, "admin_edit"),
    Route("POST", "/kb/{kind}/{key}/edit", kb_pages.save_edit, "admin_edit"),
    Route("GET", "/kb/revisions", revisions.revisions, "admin_revisions"),
    Route("GET", "/kb/revisions/{number}", revisions.revision_page, "admin_revision"),
    Route("POST", "/kb/revisions/{number}/rollback", revisions.roll_back, "admin_rollback"),
    Route("GET", "/organisations", organisations.organisations, "admin_organisations"),
    Route("POST", "/organisations", organisations.add_organisation, "admin_organisations"),
    Route("GET", "/organisations/{code}", organisations.organisation_page, "admin_organisation"),
    Route("GET", "/organisations/{code}/qr.png", organisations.organisation_qr, "admin_org_qr"),
    Route("GET", "/stats", stats_pages.stats_page, "admin_stats"),
    Route("GET", "/stats/export", stats_pages.stats_export, "admin_stats_export"),
    Route("GET", "/stats/blockers", stats_pages.blockers_export, "admin_blockers_export"),
    Route("GET", "/audit", organisations.audit_log, "admin_audit"),
)
PANEL_ROUTES = tuple(route for route in ROUTES if not route.public)
PUBLIC_ROUTE_NAMES = frozenset({STATIC_ROUTE, *(r.name for r in ROUTES if r.public)})


def setup_routes(app: web.Application) -> None:
    """Add every route of the table to the panel's app."""
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler, name=route.name)
