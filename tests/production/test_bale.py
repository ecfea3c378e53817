"""Bale: the same bot on a Bot API server at another base URL (https://tapi.bale.ai/bot<token>/).

The emulator is mounted under /bale, so every call must go to <server>/bale/bot<token>/<method>
(and files to <server>/bale/file/bot<token>/<path>); the root answers 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.emulator import BotApiEmulator
from knowledge import KnowledgeBase, QuestionSet
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import bot_settings, start_bot

CORE_VALUES: list[int | None] = [3, 1, 4, 0, 2, 2, 3, 1, 4, 0, None, 2, 3, 1, 4, 2]


async def test_the_core_checklist_runs_on_a_bale_shaped_server(
    emulator: BotApiEmulator,
    database_url: str,
    shipped_kb: KnowledgeBase,
    aiohttp_server: Callable[..., Awaitable[Any]],
) -> None:
    server_app = web.Application()
    server_app.add_subapp("/bale", emulator.build_app())
    server = await aiohttp_server(server_app)
    base = str(server.make_url("")).rstrip("/")
    settings = bot_settings(
        emulator,
        base,
        database_url,
        bot_api_base_url=f"{base}/bale/bot",
        bot_api_file_url=f"{base}/bale/file/bot",
    )
    bot = await start_bot(emulator, settings)
    try:
        user = emulator.user(5001, language_code="fa")
        await user.send("/start")
        await fill_profile(user, shipped_kb, "fa")
        await user.press(question_set_button(user, QuestionSet.CORE))
        await answer_questions(user, shipped_kb, "fa", CORE_VALUES)
    finally:
        await bot.stop()
        await emulator.close()

    assert "شاخص آمادگی" in "\n".join(m.text or "" for m in user.bot_messages)
    assert {call.status for call in emulator.calls} == {200}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/bot{emulator.token}/getMe") as response:
            assert response.status == 404  # only the Bale-shaped path serves the Bot API
        async with session.get(f"{base}/bale/bot{emulator.token}/getMe") as response:
            assert (await response.json())["ok"] is True
