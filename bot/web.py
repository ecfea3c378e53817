"""The aiohttp web app: webhook, health, and the routes later features attach with setup_*()."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from sqlalchemy import text
from telegram import Update

from bot.admin import setup_admin
from bot.application import PTBApplication, Runtime
from bot.metrics import setup_metrics
from bot.settings import Settings
from bot.stats_api import setup_stats_routes

__all__ = [
    "APPLICATION_KEY",
    "RUNTIME_KEY",
    "SECRET_HEADER",
    "SETTINGS_KEY",
    "build_web_app",
    "setup_routes",
]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SETTINGS_KEY = web.AppKey("settings", Settings)
RUNTIME_KEY = web.AppKey("runtime", Runtime)
APPLICATION_KEY = web.AppKey("application", PTBApplication)
MAX_UPDATE_BYTES = 1_000_000


async def telegram_webhook(request: web.Request) -> web.Response:
    """Accept one update from Telegram after checking the secret token in constant time."""
    settings = request.app[SETTINGS_KEY]
    expected = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("webhook request refused: wrong or missing secret token")
        raise web.HTTPForbidden(text="forbidden")
    if request.content_length and request.content_length > MAX_UPDATE_BYTES:
        raise web.HTTPRequestEntityTooLarge(MAX_UPDATE_BYTES, request.content_length)
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="body is not JSON") from None
    application = request.app[APPLICATION_KEY]
    try:
        update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
    except (KeyError, TypeError, ValueError):  # JSON, but not shaped like an update
        update = None
    if update is None:
        raise web.HTTPBadRequest(text="not an update")
    await application.update_queue.put(update)
    return web.Response(text="ok")


async def healthz(request: web.Request) -> web.Response:
    """Healthy when the database answers and a knowledge base revision is active.

    A failure names only the check that failed: the exception text can carry a database host,
    file path or user name, so it goes to the log, not to whoever can reach this URL.
    """
    runtime = request.app[RUNTIME_KEY]
    check = "database"
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        check = "knowledge_base"
        revision, _ = await runtime.services.knowledge.active()
    except Exception:  # any failure here means "not healthy"; the detail goes to the log
        log.warning("health check failed: %s", check, exc_info=True)
        return web.json_response({"status": "unavailable", "failed": check}, status=503)
    return web.json_response({"status": "ok", "kb_revision": revision})


def setup_routes(app: web.Application, *, webhook_path: str | None) -> None:
    """Attach the core routes; the webhook route only when the app serves a bot."""
    app.router.add_get("/healthz", healthz, name="healthz")
    if webhook_path is not None:
        app.router.add_post(webhook_path, telegram_webhook, name="telegram_webhook")


def build_web_app(
    settings: Settings, runtime: Runtime, application: PTBApplication | None = None
) -> web.Application:
    """The web app; with `application`, it also receives Telegram updates at /telegram."""
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app[SETTINGS_KEY] = settings
    app[RUNTIME_KEY] = runtime
    if application is not None:
        app[APPLICATION_KEY] = application
    setup_routes(app, webhook_path="/telegram" if application is not None else None)
    setup_metrics(app, runtime.metrics.registry)
    if runtime.services.statistics is not None:
        token = settings.stats_api_token
        setup_stats_routes(
            app,
            statistics=runtime.services.statistics,
            audit=runtime.services.audit,
            token=token.get_secret_value() if token is not None else None,
            default_locale=settings.default_language,
        )
    setup_admin(app, settings, runtime.services, runtime.session_factory, application)
    return app
