"""Run modes: polling against any Bot API server, or the playground when no token is set."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.application import announce_commands, build_application, start_runtime
from bot.logs import configure_logging
from bot.settings import Settings, load_settings

__all__ = ["configure_logging", "run_bot", "run_playground"]

log = logging.getLogger(__name__)


async def _until_signalled(stop: asyncio.Event | None = None) -> None:
    """Wait for SIGINT or SIGTERM, or for `stop` when one is given (tests, embedding)."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve_polling(settings: Settings) -> None:
    """Poll the Bot API until SIGINT or SIGTERM; updates in flight finish before exit."""
    runtime = await start_runtime(settings)
    application = build_application(settings, runtime.services, metrics=runtime.metrics)
    try:
        async with application:
            await announce_commands(application)
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling()
            log.info("polling %s as @%s", settings.bot_api_base_url, application.bot.username)
            await _until_signalled()
            await application.updater.stop()
            await application.stop()
    finally:
        await runtime.close()


async def serve_webhook(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Receive updates on the aiohttp server until signalled (or `stop` is set).

    On the way out the server stops accepting requests first; then every update it already
    accepted is handled, and its replies sent, before the process exits.
    """
    from aiohttp import web

    from bot.web import build_web_app

    if not settings.webhook_url or settings.webhook_secret is None:
        raise SystemExit("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
    runtime = await start_runtime(settings)
    application = build_application(
        settings, runtime.services, updater=False, metrics=runtime.metrics
    )
    runner = web.AppRunner(build_web_app(settings, runtime, application))
    try:
        async with application:
            await announce_commands(application)
            await application.start()
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=["message", "callback_query"],
            )
            await runner.setup()
            await web.TCPSite(runner, settings.host, settings.port).start()
            log.info("webhook server on %s:%s", settings.host, settings.port)
            await _until_signalled(stop)
            await runner.cleanup()  # stop accepting updates before draining the queue
            await application.stop()
    finally:
        await runtime.close()


def run_bot(*, webhook: bool = False) -> int:
    """`pishran run`: poll with BOT_TOKEN, or start the playground when there is none."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    if webhook:
        asyncio.run(serve_webhook(settings))
        return 0
    if settings.bot_token is None:
        log.info("BOT_TOKEN is not set: starting the playground instead")
        return run_playground(host=settings.host, port=settings.port, settings=settings)
    asyncio.run(serve_polling(settings))
    return 0


def run_playground(*, host: str, port: int, settings: Settings | None = None) -> int:
    """`pishran playground`: the emulator, a web chat page and the real bot, on loopback."""
    from bot.playground import serve_playground

    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(serve_playground(settings, host=host, port=port))
    return 0
