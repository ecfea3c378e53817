"""The benchmarks' simulated civil servant reads the real bot's replies as a person would.

bench/throughput.py times each step from the press to the reply that ends it. For the
completing answer that is the last of the results' messages (the explore screen); a walk that
stopped at the first one timed a fraction of the completion and then, seeing no next step yet,
sent /start in the middle of the results (bench/README.md, issue 17's third round).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.phases import completion_messages, reply_payloads
from bench.walk import walk_checklist
from bench.watched_emulator import WatchedEmulator, step_reply
from knowledge import AnswerQuestion, QuestionSet, load_shipped_kb
from tests.auxil.harness import RunningBot, bot_settings, start_bot

PROFILE_STEPS = ("start", "sector", "region", "organisation", "role", "question set")


@pytest.fixture
def emulator() -> WatchedEmulator:
    return WatchedEmulator(bot_username="pishran_test_bot")


@pytest.fixture
async def bot(
    emulator: WatchedEmulator, emulator_url: str, tmp_path: Path
) -> AsyncIterator[RunningBot]:
    """The real bot on a SQLite file, polling the watched emulator."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'walk.sqlite3'}"
    running = await start_bot(emulator, bot_settings(emulator, emulator_url, database_url))
    try:
        yield running
    finally:
        await running.stop()


async def test_only_the_explore_screen_ends_the_completing_step(
    emulator: WatchedEmulator, bot: RunningBot
) -> None:
    user = emulator.user(5_300_001, language_code="fa")
    walk = await walk_checklist(emulator, user, patience=10)

    core = len(load_shipped_kb().questions(QuestionSet.CORE))
    assert walk.finished and walk.timeouts == 0
    assert walk.steps == [*PROFILE_STEPS, *["answer"] * (core - 1), "completion"]
    assert walk.updates == len(walk.steps)  # nothing sent after the results
    # The completing press's replies, from its acknowledgement on: of the messages with
    # buttons, the scores' (charts, report, ...) does not end the step, the explore screen does.
    calls = emulator.calls
    last_press = max(i for i, call in enumerate(calls) if call.method == "answerCallbackQuery")
    shown = [call for call in calls[last_press:] if call.params.get("reply_markup")]
    assert len(shown) >= 2
    assert [step_reply(call) for call in shown] == [False] * (len(shown) - 1) + [True]
    explore = shown[-1].params["reply_markup"]["inline_keyboard"]
    assert all(button["callback_data"].startswith("ev:") for row in explore for button in row)

    # What the second durable floor carries (bench/floor_bot.py with FLOOR_PAYLOADS): a
    # question as the bot showed it, and every reply of the completion, in order.
    payloads = reply_payloads(emulator)
    question = payloads["question"]
    assert question["parse_mode"] == "HTML" and question["text"]
    data = [b["callback_data"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert any(item.startswith("a:") for item in data)
    results = [c for c in calls[last_press:] if c.method in ("editMessageText", "sendMessage")]
    assert [p["text"] for p in payloads["results"]] == [c.params["text"] for c in results]
    assert len(payloads["results"]) == completion_messages(emulator) + 1  # the edit, then sends


async def test_a_walk_whose_results_were_lost_asks_for_them(
    emulator: WatchedEmulator, bot: RunningBot
) -> None:
    # A crash after the completion was stored and before its results were sent: pressing the
    # last answer again is refused ("closed ... /results"), and a person sends /results.
    user = emulator.user(5_300_002, language_code="fa")
    core = load_shipped_kb().questions(QuestionSet.CORE)
    to_last_question = len(PROFILE_STEPS) + len(core) - 1
    await walk_checklist(emulator, user, patience=10, stop_after=to_last_question)
    step = await bot.runtime.services.checklist.handle(
        telegram_id=user.id, language_code="fa", event=AnswerQuestion(core[-1].id, 2)
    )
    assert step.results is not None  # completed and stored, never sent
    walk = await walk_checklist(emulator, user, patience=2, max_updates=5)

    assert walk.finished and walk.timeouts == 1
    assert walk.steps == ["completion"]  # the reply to /results ends with the explore screen
    assert [m.text for m in user.messages if not m.from_bot][-1] == "/results"
    assert "/results" in (user.callback_answers[-1].text or "")
