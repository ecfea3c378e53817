"""The playground: the Bot API emulator, a web chat page and the real bot in one process."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from pydantic import SecretStr

from bot.application import (
    PTBApplication,
    Runtime,
    announce_commands,
    build_application,
    start_runtime,
)
from bot.emulator import DEFAULT_TOKEN, BotApiEmulator
from bot.emulator.server import MAX_REQUEST_SIZE
from bot.playground.chat import Playground
from bot.playground.views import (
    PLAYGROUND_KEY,
    RENDERER_KEY,
    TEMPLATES_KEY,
    json_errors,
    setup_routes,
)
from bot.settings import Settings
from handlers.i18n import CHAT_FEATURES, Renderer
from knowledge import Locale

__all__ = [
    "EMULATOR_PREFIX",
    "PLAYGROUND_BOT_USERNAME",
    "PLAYGROUND_FEATURES",
    "PlaygroundBot",
    "RunningPlayground",
    "build_playground_app",
    "serve_playground",
    "start_playground",
    "start_playground_bot",
]

log = logging.getLogger(__name__)

EMULATOR_PREFIX = "/tg"  # the Bot API lives at /tg/bot<token>/<method>, files at /tg/file/bot...
PLAYGROUND_BOT_USERNAME = "pishran_playground_bot"


def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


#: The chat's catalogs and templates plus the page's own words (bot/playground/locales).
PLAYGROUND_FEATURES = (*CHAT_FEATURES, "bot.playground")


def build_playground_app(emulator: BotApiEmulator, *, default_locale: Locale) -> web.Application:
    """The page, its JSON API and static files, with the emulator mounted at EMULATOR_PREFIX."""
    # The root app reads every request body, so it takes the emulator's upload limit; the
    # playground's own API reads at most views.MAX_BODY_BYTES.
    app = web.Application(middlewares=[json_errors], client_max_size=MAX_REQUEST_SIZE)
    app[PLAYGROUND_KEY] = Playground(emulator, default_locale=default_locale)
    app[RENDERER_KEY] = Renderer(PLAYGROUND_FEATURES)
    app[TEMPLATES_KEY] = _templates()
    setup_routes(app)
    app.router.add_static("/static", Path(str(resources.files("bot") / "static")), name="static")
    app.add_subapp(EMULATOR_PREFIX, emulator.build_app())
    return app


@dataclass
class PlaygroundBot:
    """The real bot polling the playground's emulator."""

    runtime: Runtime
    application: PTBApplication

    async def stop(self) -> None:
        """Stop polling, let updates in flight finish, then close the database."""
        try:
            updater = self.application.updater
            if updater is not None and updater.running:
                await updater.stop()
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()
        finally:
            await self.runtime.close()


async def start_playground_bot(
    settings: Settings, emulator: BotApiEmulator, *, server_url: str
) -> PlaygroundBot:
    """Migrate the database and start the real bot, polling the emulator served at server_url."""
    api = f"{server_url.rstrip('/')}{EMULATOR_PREFIX}"
    bot_settings = settings.model_copy(
        update={
            "bot_token": SecretStr(emulator.token),
            "bot_api_base_url": f"{api}/bot",
            "bot_api_file_url": f"{api}/file/bot",
            "webhook_url": None,
        }
    )
    runtime = await start_runtime(bot_settings)
    application = build_application(bot_settings, runtime.services)
    try:
        await application.initialize()
        await announce_commands(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling()
    except BaseException:
        await PlaygroundBot(runtime, application).stop()
        raise
    return PlaygroundBot(runtime, application)


def _loopback_url(addresses: list[Any]) -> str:
    """The http:// URL of the first bound address, a wildcard read as the loopback address."""
    host, port = addresses[0][0], addresses[0][1]
    address = ipaddress.ip_address(host)
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{shown}:{port}/"


@dataclass
class RunningPlayground:
    """A playground serving on a real socket: its URL, emulator, bot and web runner."""

    url: str
    emulator: BotApiEmulator
    bot: PlaygroundBot
    runner: web.AppRunner

    async def stop(self) -> None:
        """Stop the bot first (it polls the server), then the web server."""
        try:
            await self.bot.stop()
        finally:
            await self.runner.cleanup()


async def start_playground(settings: Settings, *, host: str, port: int) -> RunningPlayground:
    """Serve the playground on host:port (0: any free port) and start the bot against it."""
    emulator = BotApiEmulator(token=DEFAULT_TOKEN, bot_username=PLAYGROUND_BOT_USERNAME)
    app = build_playground_app(emulator, default_locale=settings.default_language)
    # No access log: the page polls twice a second and the bot long-polls the emulator.
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        url = _loopback_url(runner.addresses)
        bot = await start_playground_bot(settings, emulator, server_url=url)
    except BaseException:
        await runner.cleanup()
        raise
    return RunningPlayground(url=url, emulator=emulator, bot=bot, runner=runner)


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve_playground(settings: Settings, *, host: str, port: int) -> None:
    """Run the playground until SIGINT or SIGTERM, logging the URL to open."""
    running = await start_playground(settings, host=host, port=port)
    log.info("Pishran playground: %s", running.url)
    log.info("database: %s", settings.redacted_database_url)
    try:
        await _until_signalled()
    finally:
        log.info("stopping the playground")
        await running.stop()
