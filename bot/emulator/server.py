"""The aiohttp application: routes, parameter decoding, faults, call recording."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from aiohttp import web

from bot.emulator.errors import ApiError, not_found, unauthorized
from bot.emulator.methods import Answer, BotApiMethods
from bot.emulator.models import ApiCall
from bot.emulator.params import Params, decode_params, read_params
from bot.emulator.state import EmulatorState

logger = logging.getLogger(__name__)

MAX_REQUEST_SIZE = 60 * 1024 * 1024  # Telegram accepts 50 MB uploads


def _dumps(body: Any) -> str:
    """Serialise a response body compactly, keeping non-ASCII text readable."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _json(body: dict[str, Any], status: int) -> web.Response:
    """Build a JSON response."""
    return web.json_response(body, status=status, dumps=_dumps)


class ApiServer:
    """HTTP handlers of one emulator."""

    def __init__(self, emulator: EmulatorState) -> None:
        """Bind to ``emulator``."""
        self.emu = emulator
        self.methods = BotApiMethods(emulator)

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        """Answer ``/bot<token>/<method>`` like the Bot API does."""
        arrived = time.time()
        resolved = self.methods.resolve(request.match_info["method"])
        method = resolved[0] if resolved else request.match_info["method"]
        ticket = self.emu.request_started(method)
        params: dict[str, Any] = {}
        status = 500
        try:
            try:
                if not self.emu.accepts_token(request.match_info["token"]):
                    raise unauthorized()
                params = decode_params(await read_params(request))
                if resolved is None:
                    raise not_found()
                fault = self.emu.faults.take(method)
                if fault is not None:
                    if fault.delay > 0:
                        await asyncio.sleep(fault.delay)
                    if fault.drop:
                        status = 0
                        if request.transport is not None:
                            request.transport.close()
                        return web.Response()
                    error = fault.error()
                    if error is not None:
                        raise error
                answer = await resolved[1](Params(params))
                body: dict[str, Any] = {"ok": True}
                if isinstance(answer, Answer):
                    body["result"] = answer.result
                    if answer.description:
                        body["description"] = answer.description
                else:
                    body["result"] = answer
                status = 200
            except ApiError as error:
                body, status = error.to_body(), error.status
            except Exception:
                logger.exception("emulator failed while handling %s", method)
                body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
                status = 500
            return _json(body, status)
        finally:
            self.emu.calls.append(ApiCall(method, params, status, arrived))
            self.emu.request_finished(ticket)

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve ``/file/bot<token>/<file_path>``."""
        if not self.emu.accepts_token(request.match_info["token"]):
            error = unauthorized()
            return _json(error.to_body(), error.status)
        stored = self.emu.files.by_path(request.match_info["file_path"])
        if stored is None:
            error = not_found()
            return _json(error.to_body(), error.status)
        return web.Response(body=stored.data, content_type=stored.mime_type)


def create_app(emulator: EmulatorState) -> web.Application:
    """Build the aiohttp application serving ``emulator`` (its lifecycle hooks not included)."""
    server = ApiServer(emulator)
    app = web.Application(client_max_size=MAX_REQUEST_SIZE)
    app.router.add_route("*", "/bot{token}/{method}", server.handle_api)
    app.router.add_get("/file/bot{token}/{file_path:.+}", server.handle_file)
    return app
