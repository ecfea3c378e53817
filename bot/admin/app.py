"""The panel as an aiohttp sub-app mounted at /admin, when ADMIN_TOKEN is set."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from aiohttp import web
from aiohttp_session import session_middleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.admin.guard import guard
from bot.admin.labels import Labels
from bot.admin.pages import error_pages, setup_templates, stylesheet_directory
from bot.admin.panel import ADMIN_KEY, ADMIN_PREFIX, ANONYMOUS_ACTOR, AdminPanel, is_https
from bot.admin.refusals import RefusalLog
from bot.admin.routes import PUBLIC_ROUTE_NAMES, STATIC_ROUTE, setup_routes
from bot.admin.security import SESSION_MAX_AGE, AdminCookieStorage, SignInThrottle, session_key
from bot.admin.sessions import PanelSessions
from bot.application import PTBApplication
from bot.settings import Settings
from handlers.services import Services

__all__ = ["build_admin_app", "setup_admin"]


def build_admin_app(
    panel: AdminPanel, *, cookie_key: bytes, always_secure: bool
) -> web.Application:
    """The panel's own app: error pages, the session cookie, the guard, templates, routes."""
    storage = AdminCookieStorage(
        cookie_key, path=ADMIN_PREFIX, always_secure=always_secure, is_https=is_https
    )
    # Note: order matters. Error pages see everything; the guard needs the session.
    admin = web.Application(
        middlewares=[error_pages, session_middleware(storage), guard(PUBLIC_ROUTE_NAMES)]
    )
    admin[ADMIN_KEY] = panel

    async def flush_refusals(_: web.Application) -> None:
        await panel.refusals.flush()

    admin.on_cleanup.append(flush_refusals)
    setup_templates(admin, panel.labels)
    setup_routes(admin)
    admin.router.add_static("/static", stylesheet_directory(), name=STATIC_ROUTE)
    return admin


def _bot_username(application: PTBApplication | None) -> Callable[[], str | None]:
    def username() -> str | None:
        if application is None:
            return None
        try:
            username: str = application.bot.username
            return username
        except RuntimeError:  # the bot has not called getMe yet
            return None

    return username


async def _to_panel(request: web.Request) -> web.StreamResponse:
    raise web.HTTPPermanentRedirect(f"{ADMIN_PREFIX}/")


def setup_admin(
    app: web.Application,
    settings: Settings,
    services: Services,
    session_factory: async_sessionmaker[AsyncSession],
    application: PTBApplication | None = None,
) -> None:
    """Mount the panel at /admin; without ADMIN_TOKEN nothing is mounted (every path is 404)."""
    if settings.admin_token is None:
        return
    token = settings.admin_token.get_secret_value()
    panel = AdminPanel(
        kb_admin=services.kb_admin,
        organisations=services.organisations,
        audit=services.audit,
        knowledge=services.knowledge,
        labels=Labels(),
        token=token,
        default_locale=settings.default_language,
        throttle=SignInThrottle(),
        sessions=PanelSessions(session_factory, lifetime=timedelta(seconds=SESSION_MAX_AGE)),
        refusals=RefusalLog(services.audit, actor=ANONYMOUS_ACTOR),
        bot_username=_bot_username(application),
        behind_proxy=settings.behind_proxy,
        statistics=services.statistics,
    )
    app.router.add_get(ADMIN_PREFIX, _to_panel)
    admin = build_admin_app(
        panel, cookie_key=session_key(token), always_secure=settings.admin_cookie_secure
    )
    app.add_subapp(ADMIN_PREFIX, admin)
