"""The composition root on the Telegram side: database, knowledge, services, Application."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

from bot.aiohttp_request import AiohttpRequest
from bot.metrics import Metrics, build_metrics
from bot.monitoring import MonitoredApplication
from bot.retries import RetryingRateLimiter
from bot.services import build_services
from bot.settings import Settings
from bot.update_order import PerChatUpdateProcessor
from handlers.context import SERVICES_KEY, BotContext, Services
from handlers.plan.telegram import setup_check_ins
from handlers.registry import register, set_commands
from handlers.reminders.telegram import setup_reminders
from knowledge import load_shipped_kb, to_document
from storage.db import build_engine, build_session_factory, upgrade_database
from storage.kb_revisions import ensure_shipped_kb_revision

__all__ = [
    "Runtime",
    "announce_commands",
    "build_application",
    "prepare_database",
    "start_runtime",
]

log = logging.getLogger(__name__)
PTBApplication = Application[Any, BotContext, Any, Any, Any, Any]


@dataclass(frozen=True)
class Runtime:
    """The long-lived resources behind the bot: the database engine and the services."""

    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    services: Services
    metrics: Metrics = field(default_factory=build_metrics)

    async def close(self) -> None:
        """Stop the chart worker processes and release the database connections."""
        await self.services.charts.close()
        await self.engine.dispose()


async def prepare_database(engine: AsyncEngine) -> None:
    """Apply migrations and store the shipped KB (first or updated: storage/kb_revisions.py)."""
    await upgrade_database(engine)
    # Validating here means a broken shipped KB stops start-up instead of a conversation.
    content = to_document(load_shipped_kb())
    async with build_session_factory(engine)() as session, session.begin():
        revision = await ensure_shipped_kb_revision(session=session, content=content)
    log.info("knowledge base revision %s is active", revision.id)


async def start_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Connect to the database (migrating it first) and build the services."""
    engine = build_engine(settings.database_url)
    if migrate:
        await prepare_database(engine)
    session_factory = build_session_factory(engine)
    metrics = build_metrics()
    services = build_services(settings, session_factory, metrics)
    return Runtime(
        engine=engine, session_factory=session_factory, services=services, metrics=metrics
    )


def build_application(
    settings: Settings,
    services: Services,
    *,
    updater: bool = True,
    metrics: Metrics | None = None,
) -> PTBApplication:
    """A configured python-telegram-bot Application with every handler registered.

    Pass the runtime's `metrics` so that /metrics shows this Application's updates.
    """
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .application_class(MonitoredApplication, kwargs={"metrics": metrics or build_metrics()})
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        # Honours Telegram's flood limits and retries a 429 after its retry_after; also
        # retries (a few times, with backoff) calls the Bot API did not carry out (5xx).
        .rate_limiter(
            RetryingRateLimiter(
                AIORateLimiter(max_retries=3, overall_max_rate=settings.flood_limit_per_second),
                backoff=settings.bot_api_retry_backoff,
                max_backoff=settings.bot_api_retry_max_backoff,
            )
        )
        .concurrent_updates(PerChatUpdateProcessor(settings.update_concurrency))
    )
    if settings.bot_api_client == "aiohttp":
        builder = builder.request(AiohttpRequest(read_timeout=settings.bot_api_read_timeout))
        if updater:
            builder = builder.get_updates_request(AiohttpRequest(connection_pool_size=1))
    else:
        builder = builder.read_timeout(settings.bot_api_read_timeout)
    if not updater:
        builder = builder.updater(None)
    application: PTBApplication = builder.build()
    application.bot_data[SERVICES_KEY] = services
    register(application)
    setup_reminders(application)
    setup_check_ins(application)
    return application


async def announce_commands(application: PTBApplication) -> None:
    """Publish the command menus (call once the application is initialised)."""
    services = application.bot_data[SERVICES_KEY]
    await set_commands(application, services.renderer)
