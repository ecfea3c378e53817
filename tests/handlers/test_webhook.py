"""The core checklist through the real webhook route, as Telegram delivers updates in production."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.application import PTBApplication, Runtime, build_application, start_runtime
from bot.emulator import BotApiEmulator
from bot.web import SECRET_HEADER, build_web_app
from knowledge import KnowledgeBase, QuestionSet, assess
from storage.models import Answer, Assessment
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import bot_settings

SECRET = "webhook-secret-for-tests_0123456789"
CORE_VALUES: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]


@dataclass
class WebhookBot:
    """The bot behind its aiohttp app, and a client that posts to it."""

    client: TestClient[Any, Any]
    runtime: Runtime
    application: PTBApplication


@pytest.fixture
async def webhook_bot(
    emulator: BotApiEmulator,
    emulator_url: str,
    database_url: str,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> AsyncIterator[WebhookBot]:
    """The webhook app on loopback; the emulator posts each update to /telegram."""
    settings = bot_settings(emulator, emulator_url, database_url, webhook_secret=SECRET)
    runtime = await start_runtime(settings)
    application = build_application(
        settings, runtime.services, updater=False, metrics=runtime.metrics
    )
    try:
        async with application:
            await application.start()
            client = await aiohttp_client(build_web_app(settings, runtime, application))

            async def deliver(update: dict[str, Any]) -> None:
                response = await client.post(
                    "/telegram", json=update, headers={SECRET_HEADER: SECRET}
                )
                assert response.status == 200, await response.text()
                # The route only queues the update: wait until the Application has handled it.
                await application.update_queue.join()

            emulator.deliver = deliver
            yield WebhookBot(client, runtime, application)
            await application.stop()
    finally:
        await runtime.close()


async def test_the_core_checklist_through_the_webhook(
    emulator: BotApiEmulator, webhook_bot: WebhookBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(4001, language_code="en")
    await user.send("/start")
    await emulator.wait_idle()
    assert "Welcome to Pishran" in (user.bot_messages[0].text or "")
    await fill_profile(user, shipped_kb, "en")
    await user.press(question_set_button(user, QuestionSet.CORE))
    assert "1/16" in (user.last_bot_message.text or "")

    await answer_questions(user, shipped_kb, "en", CORE_VALUES)
    await emulator.wait_idle()

    texts = "\n\n".join(m.text or "" for m in user.bot_messages)
    assert "Readiness index" in texts
    core = [q.id for q in shipped_kb.questions(QuestionSet.CORE)]
    readiness = assess(shipped_kb, QuestionSet.CORE, dict(zip(core, CORE_VALUES, strict=True)))
    for result in readiness.subfactors:
        assert shipped_kb.subfactor(result.key).title.get("en") in texts
    assert any((m.text or "").startswith("References") for m in user.bot_messages)
    async with webhook_bot.runtime.session_factory() as session:
        answers = await session.scalar(select(func.count()).select_from(Answer))
        status = await session.scalar(select(Assessment.status))
    assert (answers, status) == (16, "completed")


async def post_update(client: TestClient[Any, Any], **kwargs: Any) -> tuple[int, str]:
    """Post to the webhook route; return the status and body."""
    response = await client.post("/telegram", **kwargs)
    return response.status, await response.text()


def start_update(user_id: int) -> dict[str, Any]:
    """A /start message from a user nobody has seen."""
    user = {"id": user_id, "is_bot": False, "first_name": "Mallory", "language_code": "en"}
    return {
        "update_id": 900,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.mark.parametrize(
    "headers",
    [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}, {SECRET_HEADER: ""}],
    ids=["missing", "wrong", "prefix", "empty"],
)
async def test_a_post_without_the_right_secret_is_forbidden_and_not_processed(
    emulator: BotApiEmulator, webhook_bot: WebhookBot, headers: dict[str, str]
) -> None:
    status, _ = await post_update(webhook_bot.client, json=start_update(4002), headers=headers)

    assert status == 403
    await webhook_bot.application.update_queue.join()
    assert emulator.calls_to("sendMessage") == []
    async with webhook_bot.runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Assessment)) == 0


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{", b"", b"[1, 2]", b'{"no": "id"}', b'{"update_id": 3, "message": "x"}'],
    ids=repr,
)
async def test_a_body_that_is_not_an_update_is_answered_200_and_ignored(
    emulator: BotApiEmulator, webhook_bot: WebhookBot, body: bytes
) -> None:
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    status, _ = await post_update(webhook_bot.client, data=body, headers=headers)

    assert status == 200  # Telegram retries anything else, forever
    await webhook_bot.application.update_queue.join()
    assert emulator.calls_to("sendMessage") == []
