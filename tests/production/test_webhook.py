"""The webhook server: forged requests refused, health, metrics, and a graceful stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.application import start_runtime
from bot.emulator import BotApiEmulator
from bot.main import serve_webhook
from bot.web import SECRET_HEADER, build_web_app
from knowledge import KnowledgeBase, QuestionSet
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.production.support import (
    SECRET,
    AiohttpClient,
    Replica,
    eventually,
    free_port,
    start_replica,
    webhook_settings,
)

CORE_VALUES: list[int | None] = [4, 4, 3, 3, 2, 2, 1, 1, 0, 0, None, 4, 3, 2, 1, 0]


@pytest.fixture
async def replica(
    emulator: BotApiEmulator, emulator_url: str, database_url: str, aiohttp_client: AiohttpClient
) -> AsyncIterator[Replica]:
    """One webhook replica; the emulator hands every update to its /telegram route."""
    settings = webhook_settings(emulator, emulator_url, database_url)
    running = await start_replica("A", settings, aiohttp_client)
    emulator.deliver = running.deliver
    yield running
    emulator.deliver = None
    await running.stop()


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text exposition, by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


@pytest.mark.parametrize(
    "headers",
    [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}, {SECRET_HEADER: SECRET + "x"}],
    ids=["missing", "wrong", "prefix", "longer"],
)
async def test_the_webhook_refuses_requests_without_the_secret(
    emulator: BotApiEmulator, replica: Replica, headers: dict[str, str]
) -> None:
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/start",
              "chat": {"id": 5, "type": "private"}, "from": {"id": 5, "is_bot": False,
              "first_name": "Forger"}}}  # fmt: skip
    response = await replica.client.post("/telegram", json=update, headers=headers)
    assert response.status == 403
    assert replica.application.update_queue.empty()
    assert replica.handled("message") == 0
    assert emulator.calls_to("sendMessage") == []


MALFORMED: dict[str, bytes] = {
    "not_json": b"not json",
    "truncated": b'{"update_id": 1, "message": {',
    "empty": b"",
    "not_utf8": b"\xff\xfe{}",
    "a_list": b"[1, 2]",
    "a_string": b'"x"',
    "no_update_id": b'{"no": "update id"}',
    "update_id_text": b'{"update_id": "7", "message": {}}',
    "update_id_negative": b'{"update_id": -7}',
    "update_id_huge": b'{"update_id": 100000000000000000000000}',
    "message_x": b'{"update_id": 7, "message": "x"}',
    "callback_7": b'{"update_id": 8, "callback_query": 7}',
    "message_without_date": b'{"update_id": 9, "message": {"message_id": 1}}',
    "deep_200k": b'{"update_id": 10, "message": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    "deep_object": b'{"update_id": 11, "x": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}",
}


@pytest.mark.parametrize("body", list(MALFORMED.values()), ids=list(MALFORMED))
async def test_a_malformed_update_is_logged_and_answered_200(
    emulator: BotApiEmulator,
    replica: Replica,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.web")
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    response = await replica.client.post("/telegram", data=body, headers=headers)

    assert response.status == 200  # a 4xx or 500 would make Telegram send it again and again
    await replica.application.update_queue.join()
    assert replica.handled("message") == 0 and emulator.calls_to("sendMessage") == []
    (record,) = [r for r in caplog.records if r.name == "bot.web"]
    assert record.levelno == logging.WARNING and "ignored" in record.getMessage()
    assert len(record.getMessage()) < 200  # the body itself is never logged
    # The replica goes on serving.
    await emulator.user(3301, language_code="en").send("/help")
    assert replica.handled("message") == 1 and len(emulator.calls_to("sendMessage")) == 1


async def test_a_replayed_update_is_handled_once(
    emulator: BotApiEmulator, replica: Replica, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.web")
    update = await emulator.user(3302, language_code="en").send("/help")
    for _ in range(2):  # the same request again, as a replay or Telegram's redelivery would
        await replica.deliver(update)

    assert replica.handled("message") == 1
    assert len(emulator.calls_to("sendMessage")) == 1
    dropped = [r.getMessage() for r in caplog.records if r.name == "bot.web"]
    assert dropped == [f"webhook: update {update['update_id']} was already taken on; dropped"] * 2


async def test_an_update_delivered_to_two_replicas_is_handled_by_one(
    emulator: BotApiEmulator, emulator_url: str, database_url: str, aiohttp_client: AiohttpClient
) -> None:
    settings = webhook_settings(emulator, emulator_url, database_url)
    first = await start_replica("A", settings, aiohttp_client)
    second = await start_replica("B", settings, aiohttp_client)
    try:
        emulator.deliver = first.deliver
        one = await emulator.user(3303, language_code="en").send("/help")
        emulator.deliver = second.deliver
        other = await emulator.user(3304, language_code="en").send("/help")
        # Telegram's redelivery (or a replay) reaching the other replica, and both at once.
        await second.deliver(one)
        await asyncio.gather(first.deliver(other), second.deliver(other), first.deliver(one))

        assert (first.handled("message"), second.handled("message")) == (1, 1)
        replies = [call.params["chat_id"] for call in emulator.calls_to("sendMessage")]
        assert sorted(int(chat) for chat in replies) == [3303, 3304]
    finally:
        emulator.deliver = None
        await first.stop()
        await second.stop()


async def test_health_names_the_active_kb_revision(replica: Replica) -> None:
    response = await replica.client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "kb_revision": 1}


@pytest.mark.parametrize("problem", ["no database server", "no knowledge base"])
async def test_health_is_unavailable_without_database_or_kb(
    emulator: BotApiEmulator,
    emulator_url: str,
    tmp_path: Path,
    aiohttp_client: AiohttpClient,
    problem: str,
) -> None:
    database_url = (
        f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none"
        if problem == "no database server"
        else f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"  # never migrated
    )
    settings = webhook_settings(emulator, emulator_url, database_url)
    runtime = await start_runtime(settings, migrate=False)
    try:
        client = await aiohttp_client(build_web_app(settings, runtime))
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["status"] == "unavailable"
    finally:
        await runtime.close()


async def test_metrics_count_a_whole_conversation(
    emulator: BotApiEmulator, replica: Replica, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(3501, language_code="en")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "en")  # 3 presses and 1 typed organisation
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, shipped_kb, "en", CORE_VALUES)
    emulator.inject_fault(method="sendMessage", status=400, description="Bad Request: test")
    await user.send("/help")  # fails once: counted as an error, then the user is told

    response = await replica.client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    values = samples(await response.text())
    assert values[("pishran_updates_total", (("kind", "message"),))] == 3
    assert values[("pishran_updates_total", (("kind", "callback_query"),))] == 20
    assert values[("pishran_update_duration_seconds_count", (("kind", "callback_query"),))] == 20
    assert values[("pishran_errors_total", (("error", "BadRequest"),))] == 1
    assert values[("pishran_assessments_started_total", ())] == 1
    assert values[("pishran_assessments_completed_total", ())] == 1
    assert values[("process_resident_memory_bytes", ())] > 0


async def test_each_app_counts_only_its_own_updates(
    emulator: BotApiEmulator,
    emulator_url: str,
    database_url: str,
    aiohttp_client: AiohttpClient,
) -> None:
    settings = webhook_settings(emulator, emulator_url, database_url)
    first = await start_replica("A", settings, aiohttp_client)
    second = await start_replica("B", settings, aiohttp_client)
    try:
        emulator.deliver = first.deliver
        await emulator.user(3601, language_code="en").send("/help")
        assert (first.handled("message"), second.handled("message")) == (1, 0)
    finally:
        emulator.deliver = None
        await first.stop()
        await second.stop()


async def test_serve_webhook_finishes_accepted_updates_before_it_returns(
    emulator: BotApiEmulator, emulator_url: str, database_url: str
) -> None:
    port = free_port()
    settings = webhook_settings(
        emulator,
        emulator_url,
        database_url,
        port=port,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
    )
    stop = asyncio.Event()
    server = asyncio.create_task(serve_webhook(settings, stop=stop))
    async with aiohttp.ClientSession() as session:

        async def healthy() -> bool:
            assert not server.done(), server
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    return response.status == 200
            except aiohttp.ClientConnectionError:
                return False

        await eventually(healthy, within=30, what="the webhook server answering")
        assert emulator.webhook.url == settings.webhook_url  # setWebhook with the secret
        assert emulator.webhook.secret_token == SECRET

        async def post(update: dict[str, Any]) -> None:
            url = f"http://127.0.0.1:{port}/telegram"
            async with session.post(url, json=update, headers={SECRET_HEADER: SECRET}) as answer:
                assert answer.status == 200

        slow_reply = emulator.inject_fault(method="sendMessage", delay=0.5)
        emulator.deliver = post
        user = emulator.user(3701, language_code="en")
        await user.send("/start")

        async def replying() -> bool:
            return slow_reply.hits == 1

        await eventually(replying, within=10, what="the first reply to be on its way")
        stop.set()
        await asyncio.wait_for(server, 30)
        emulator.deliver = None
        with pytest.raises(aiohttp.ClientConnectionError):
            await post({"update_id": 99})
    assert len(user.bot_messages) == 2  # the welcome and the first profile question
