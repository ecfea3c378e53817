"""The aiohttp web app: webhook, health, and the routes later features attach with setup_*()."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update

from bot.admin import setup_admin
from bot.application import PTBApplication, Runtime
from bot.metrics import setup_metrics
from bot.settings import Settings
from bot.stats_api import setup_stats_routes
from bot.update_ledger import UpdateLedger
from storage.db import ping_database

__all__ = [
    "APPLICATION_KEY",
    "RUNTIME_KEY",
    "SECRET_HEADER",
    "SETTINGS_KEY",
    "UPDATE_LEDGER_KEY",
    "build_web_app",
    "setup_routes",
]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SETTINGS_KEY = web.AppKey("settings", Settings)
RUNTIME_KEY = web.AppKey("runtime", Runtime)
APPLICATION_KEY = web.AppKey("application", PTBApplication)
UPDATE_LEDGER_KEY = web.AppKey("update_ledger", UpdateLedger)
MAX_UPDATE_BYTES = 1_000_000


async def telegram_webhook(request: web.Request) -> web.Response:
    """Accept one update from Telegram after checking the secret token in constant time.

    Anything that is not an update is logged and answered 200, never 4xx or 500: Telegram
    would send it again and again. An update some replica already took on is dropped.
    """
    settings = request.app[SETTINGS_KEY]
    expected = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("webhook request refused: wrong or missing secret token")
        raise web.HTTPForbidden(text="forbidden")
    if request.content_length and request.content_length > MAX_UPDATE_BYTES:
        raise web.HTTPRequestEntityTooLarge(MAX_UPDATE_BYTES, request.content_length)
    application = request.app[APPLICATION_KEY]
    update = _parse_update(await request.read(), application)
    if update is None:
        return web.Response(text="ignored")
    if not await request.app[UPDATE_LEDGER_KEY].claim(update.update_id):
        log.info("webhook: update %s was already taken on; dropped", update.update_id)
        return web.Response(text="ok")
    await application.update_queue.put(update)
    return web.Response(text="ok")


def _parse_update(body: bytes, application: PTBApplication) -> Update | None:
    """The update in a webhook body, or None (logged, without the body) for anything else."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deep
        log.warning("webhook: a body of %d bytes that is not JSON was ignored", len(body))
        return None
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id < 2**63:
        log.warning("webhook: a %s without a valid update_id was ignored", type(data).__name__)
        return None
    try:
        update = Update.de_json(data, application.bot)
    except Exception as exc:  # any shape Telegram never sends: "message": "x", deep nesting
        log.warning("webhook: update %s is malformed (%s); ignored", update_id, type(exc).__name__)
        return None
    return update


async def healthz(request: web.Request) -> web.Response:
    """Healthy when the database answers and a knowledge base revision is active.

    A failure names only the check that failed: the exception text can carry a database host,
    file path or user name, so it goes to the log, not to whoever can reach this URL.
    """
    runtime = request.app[RUNTIME_KEY]
    check = "database"
    try:
        await ping_database(runtime.engine)
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
        app[UPDATE_LEDGER_KEY] = UpdateLedger(runtime.session_factory)
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
