"""python-telegram-bot's network layer on aiohttp instead of httpx (BOT_API_CLIENT=aiohttp).

On loopback a Bot API call costs about 0.8 ms of client work with httpx and 0.2 ms with
aiohttp (bench/README.md); the bot makes two calls for most updates. Calls without files go as
one JSON body, as the Bot API accepts them: an edited question (2.9 KB urlencoded, 1.2 KB as
JSON) took 155 µs to encode as a form and 14 µs as JSON.

Inside `handlers.replies.answers_unread()`, a successful sendMessage or editMessageText is
answered to python-telegram-bot as a plain `true`: the message the Bot API sends back is read
off the connection but not decoded or built into a Message that nobody reads.
"""

from __future__ import annotations

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from handlers.replies import answer_unread

__all__ = ["AiohttpRequest"]


class AiohttpRequest(BaseRequest):
    """A BaseRequest that sends Bot API calls with one pooled aiohttp ClientSession."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default seconds to wait for an answer (getUpdates adds its long-poll time)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (inside the running event loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one call; TimedOut or NetworkError (caused by aiohttp's error) on failure."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no separate write timeout: sending the body counts toward sock_read's
        # clock only once it waits for the answer, so `write_timeout` is not applied.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            body, headers = _body(request_data)
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                content = await response.read()
                if 200 <= response.status < 300 and answer_unread(url.rpartition("/")[2]):
                    return response.status, _TRUE
                return response.status, content
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


_JSON = {"Content-Type": "application/json"}
_TRUE = b'{"ok":true,"result":true}'


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """A UTF-8 JSON body and its header; multipart form fields when files are attached."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        # `parameters` holds plain values (Telegram objects already as dicts), so nested ones
        # such as reply_markup go as JSON objects, not as JSON strings inside JSON.
        payload = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":"))
        return payload.encode(), _JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename or name, content_type=mime_type)
    return form, None
