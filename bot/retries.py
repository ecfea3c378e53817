"""Bot API calls that survive Telegram's bad moments: flood limits, 5xx, refused connections."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import aiohttp
import httpx
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, BaseRateLimiter

__all__ = ["RetryingRateLimiter", "was_not_carried_out"]

log = logging.getLogger(__name__)
JSON = bool | dict[str, Any] | list[dict[str, Any]]
# The request never left this process, or the connection was refused: nothing happened.
# httpx (python-telegram-bot's default client) and aiohttp (BOT_API_CLIENT=aiohttp): a failed
# connect (refused, unreachable, DNS), a connect timeout, no free connection in the pool
# (aiohttp counts waiting for one under its connect timeout).
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
)


def was_not_carried_out(error: NetworkError) -> bool:
    """True when the Bot API certainly did not perform the call, so repeating it is safe.

    PTB raises NetworkError both for an error answer from the server and for a broken
    connection. A 5xx answer means the call was not performed; so does a connection that
    was never made. A read timeout or a connection lost mid-request may hide a message that
    was sent, and retrying it could send it twice, so those are not retried.
    """
    if isinstance(error, BadRequest):  # the request itself is wrong: it would fail again
        return False
    cause = error.__cause__
    if cause is None or isinstance(cause, TelegramError):  # the server answered with an error
        return True
    return isinstance(cause, _NOT_SENT)


class RetryingRateLimiter(BaseRateLimiter[int]):
    """AIORateLimiter (flood limits, 429 retried after retry_after) plus bounded retries of
    calls the Bot API did not carry out, with exponential backoff."""

    def __init__(
        self,
        limiter: BaseRateLimiter[int] | None = None,
        *,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 4.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._limiter = limiter if limiter is not None else AIORateLimiter(max_retries=3)
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep

    async def initialize(self) -> None:
        """Initialise the wrapped limiter."""
        await self._limiter.initialize()

    async def shutdown(self) -> None:
        """Shut the wrapped limiter down."""
        await self._limiter.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Run the call through the wrapped limiter, repeating it while it was not carried out."""
        retry = 0
        while True:
            try:
                return await self._limiter.process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as error:
                if retry >= self._max_retries or not was_not_carried_out(error):
                    raise
                delay = min(self._backoff * 2**retry, self._max_backoff)
                retry += 1
                log.warning(
                    "Bot API %s failed (%s); retry %d of %d in %.1f s",
                    endpoint,
                    error,
                    retry,
                    self._max_retries,
                    delay,
                )
                await self._sleep(delay)
