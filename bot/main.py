"""Run modes: polling against any Bot API server, or the playground when no token is set."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.application import announce_commands, build_application, start_runtime
from bot.settings import Settings, load_settings

__all__ = ["configure_logging", "run_bot", "run_playground"]

log = logging.getLogger(__name__)


def configure_logging(level: str) -> None:
    """Plain log lines on stderr at `level`."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve_polling(settings: Settings) -> None:
    """Poll the Bot API until SIGINT or SIGTERM; updates in flight finish before exit."""
    runtime = await start_runtime(settings)
    application = build_application(settings, runtime.services)
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


async def serve_webhook(settings: Settings) -> None:
    """Receive updates on the aiohttp server until signalled; updates in flight finish first."""
    from aiohttp import web

    from bot.web import build_web_app

    if not settings.webhook_url or settings.webhook_secret is None:
        raise SystemExit("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
    runtime = await start_runtime(settings)
    application = build_application(settings, runtime.services, updater=False)
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
            await _until_signalled()
            await runner.cleanup()  # stop accepting updates before draining the queue
            await application.stop()
    finally:
        await runtime.close()


def run_bot(*, webhook: bool = False) -> int:
    """`pishran run`: poll with BOT_TOKEN, or start the playground when there is none."""
    settings = load_settings()
    configure_logging(settings.log_level)
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
    configure_logging(settings.log_level)
    asyncio.run(serve_playground(settings, host=host, port=port))
    return 0
