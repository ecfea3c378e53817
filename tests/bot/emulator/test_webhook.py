"""Webhook delivery: secret header, order, retries, and the getUpdates conflict."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from bot.emulator import BotApiEmulator
from tests.bot.emulator.support import RawApi


@dataclass
class Receiver:
    """A tiny webhook endpoint that records what it receives."""

    fail_first: int = 0
    received: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    attempts: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        """Record the update, or fail while ``fail_first`` lasts."""
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((await request.json(), secret))
        return web.Response(text="ok")


async def serve_receiver(receiver: Receiver, aiohttp_server: Callable[..., Awaitable[Any]]) -> str:
    """Start the receiver and return its URL."""
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    server = await aiohttp_server(app)
    return str(server.make_url("/hook"))


async def test_webhook_delivery_with_secret(
    emu: BotApiEmulator, raw: RawApi, aiohttp_server: Callable[..., Awaitable[Any]]
) -> None:
    receiver = Receiver()
    hook = await serve_receiver(receiver, aiohttp_server)
    status, body = await raw.call("setWebhook", url=hook, secret_token="s3cr3t_TOKEN")
    assert (status, body) == (200, {"ok": True, "result": True, "description": "Webhook was set"})

    user = emu.user(1001, first_name="Sara")
    await user.send("/start")
    await user.send("second")
    await user.send("third")
    await emu.wait_idle()

    assert [u["update_id"] for u, _ in receiver.received] == [1, 2, 3]
    assert [u["message"]["text"] for u, _ in receiver.received] == ["/start", "second", "third"]
    assert {secret for _, secret in receiver.received} == {"s3cr3t_TOKEN"}

    status, body = await raw.call("getUpdates")
    assert (status, body) == (
        409,
        {
            "ok": False,
            "error_code": 409,
            "description": "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        },
    )
    status, body = await raw.call("getWebhookInfo")
    assert body["result"]["url"] == hook
    assert body["result"]["pending_update_count"] == 0


async def test_webhook_without_secret_has_no_header(
    emu: BotApiEmulator, raw: RawApi, aiohttp_server: Callable[..., Awaitable[Any]]
) -> None:
    receiver = Receiver()
    await raw.call("setWebhook", url=await serve_receiver(receiver, aiohttp_server))
    await emu.user(7, first_name="A").send("hi")
    await emu.wait_idle()
    assert receiver.received[0][1] is None


async def test_webhook_retries_failed_deliveries(
    emu: BotApiEmulator, raw: RawApi, aiohttp_server: Callable[..., Awaitable[Any]]
) -> None:
    receiver = Receiver(fail_first=2)
    await raw.call("setWebhook", url=await serve_receiver(receiver, aiohttp_server))
    user = emu.user(1001, first_name="Sara")
    await user.send("one")
    await user.send("two")
    await emu.wait_idle()
    assert receiver.attempts == 4
    assert [u["message"]["text"] for u, _ in receiver.received] == ["one", "two"]
    _, body = await raw.call("getWebhookInfo")
    assert body["result"]["last_error_message"] == (
        "Wrong response from the webhook: 500 Internal Server Error"
    )


async def test_unreachable_webhook_gives_up_and_reports(emu_url: str, raw: RawApi) -> None:
    emu = BotApiEmulator(webhook_max_attempts=2, webhook_backoff=0.01)
    # Reuse the running server only for HTTP; drive this emulator's webhook directly.
    emu.webhook.configure(
        "http://127.0.0.1:9/hook",
        secret_token=None,
        max_connections=40,
        allowed_updates=None,
        ip_address=None,
    )
    user = emu.user(1, first_name="A")
    await user.send("lost")
    await emu.wait_idle(timeout=5)
    assert [u["message"]["text"] for u in emu.webhook.failed] == ["lost"]
    assert emu.webhook.info()["last_error_message"].startswith("Connection failed")
    await emu.close()


async def test_wait_idle_reports_undelivered_updates(
    emu: BotApiEmulator, raw: RawApi, aiohttp_server: Callable[..., Awaitable[Any]]
) -> None:
    receiver = Receiver(fail_first=1000)
    hook = await serve_receiver(receiver, aiohttp_server)
    await raw.call("setWebhook", url=hook)
    await emu.user(1, first_name="A").send("stuck")
    with pytest.raises(TimeoutError, match=r"update\(s\) \[1\] not yet delivered to webhook"):
        await emu.wait_idle(timeout=0.3)
    # Deleting the webhook hands the update back to getUpdates.
    status, body = await raw.call("deleteWebhook")
    assert body == {"ok": True, "result": True, "description": "Webhook was deleted"}
    status, body = await raw.call("getUpdates")
    assert status == 200 and [u["update_id"] for u in body["result"]] == [1]
    status, body = await raw.call("deleteWebhook", drop_pending_updates=True)
    assert body["description"] == "Webhook is already deleted"
    assert len(emu.queue) == 0
