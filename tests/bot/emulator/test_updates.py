"""getUpdates semantics, wait_idle, and the call log."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.emulator import BotApiEmulator
from tests.bot.emulator.support import RawApi


async def test_offset_limit_and_confirmation(emu: BotApiEmulator, raw: RawApi) -> None:
    user = emu.user(1001, first_name="Sara")
    for i in range(5):
        await user.send(f"m{i}")
    status, body = await raw.call("getUpdates", limit=2)
    assert status == 200 and [u["update_id"] for u in body["result"]] == [1, 2]
    _, body = await raw.call("getUpdates", limit=2)  # not confirmed yet: same again
    assert [u["update_id"] for u in body["result"]] == [1, 2]
    _, body = await raw.call("getUpdates", offset=3, limit=100)
    assert [u["message"]["text"] for u in body["result"]] == ["m2", "m3", "m4"]
    assert emu.queue.ids == [3, 4, 5]
    _, body = await raw.call("getUpdates", offset=-1)  # keep only the newest
    assert [u["update_id"] for u in body["result"]] == [5]
    _, body = await raw.call("getUpdates", offset=6, timeout=0)
    assert body == {"ok": True, "result": []}
    assert len(emu.queue) == 0


async def test_form_encoded_parameters(emu: BotApiEmulator, raw: RawApi) -> None:
    await emu.user(1, first_name="A").send("x")
    status, body = await raw.call("getUpdates", form=True, offset="1", limit="1", timeout="0")
    assert status == 200 and len(body["result"]) == 1
    call = emu.calls[-1]
    assert call.method == "getUpdates"
    assert call.params == {"offset": 1, "limit": 1, "timeout": 0}


async def test_long_poll_wakes_on_new_update(emu: BotApiEmulator, raw: RawApi) -> None:
    user = emu.user(1001, first_name="Sara")
    started = time.monotonic()
    poll = asyncio.create_task(raw.call("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    await user.send("wake up")
    status, body = await poll
    assert status == 200 and body["result"][0]["message"]["text"] == "wake up"
    assert time.monotonic() - started < 2


async def test_long_poll_times_out_empty(raw: RawApi) -> None:
    started = time.monotonic()
    status, body = await raw.call("getUpdates", timeout=0.3)
    assert (status, body) == (200, {"ok": True, "result": []})
    assert 0.25 <= time.monotonic() - started < 2


async def test_second_poller_terminates_first(raw: RawApi) -> None:
    first = asyncio.create_task(raw.call("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    status, _ = await raw.call("getUpdates", timeout=0)
    assert status == 200
    status, body = await first
    assert (status, body["description"]) == (
        409,
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    )


async def test_wait_idle_explains_a_stuck_queue(emu: BotApiEmulator, emu_url: str) -> None:
    await emu.user(1, first_name="A").send("nobody reads this")
    with pytest.raises(TimeoutError) as caught:
        await emu.wait_idle(timeout=0.2)
    message = str(caught.value)
    assert "update(s) [1] not yet fetched and confirmed" in message
    assert "no getUpdates call seen yet" in message


async def test_wait_idle_returns_when_quiet(emu: BotApiEmulator, raw: RawApi) -> None:
    started = time.monotonic()
    await emu.wait_idle()
    assert time.monotonic() - started < 1
    emu.inject_fault(method="getMe", delay=0.3)
    call = asyncio.create_task(raw.call("getMe"))
    await asyncio.sleep(0.05)
    await emu.wait_idle()
    assert call.done()  # wait_idle waited for the in-flight call
    assert (await call)[0] == 200


async def test_update_ids_and_call_log(emu: BotApiEmulator, raw: RawApi) -> None:
    a, b = emu.user(1, first_name="A"), emu.user(2, first_name="B")
    assert (await a.send("1"))["update_id"] == 1
    assert (await b.send("2"))["update_id"] == 2
    await raw.call("getMe")
    assert [c.method for c in emu.calls] == ["getMe"]
    method, params, status, when = emu.calls[0]
    assert (method, params, status) == ("getMe", {}, 200)
    assert when <= time.time()
    emu.reset_calls()
    assert emu.calls == []


async def test_two_emulators_are_independent(emu: BotApiEmulator, raw: RawApi) -> None:
    other = BotApiEmulator(bot_username="other_bot")
    other.user(1, first_name="A")
    assert 1 not in emu.users
    await other.user(1).send("hi")
    assert len(emu.queue) == 0 and len(other.queue) == 1
