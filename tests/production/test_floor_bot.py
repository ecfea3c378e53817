"""The benchmark's durable floor bot (bench/floor_bot.py), as bench/throughput.py runs it: its
own process on the emulator, committing every update before it replies, with short replies or
carrying the messages it is given."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bench.bot_process import BotProcess, bot_environ
from bench.phases import bare_script
from bench.walk import walk_script
from bench.watched_emulator import WatchedEmulator, shown_reply

USER = 7
QUESTION = {
    "text": "<b>Do you publish a service charter?</b>",
    "parse_mode": "HTML",
    "reply_markup": {"inline_keyboard": [[{"text": "Yes", "callback_data": "a:1:q:1"}]]},
}
RESULTS = [{"text": f"<b>Results</b> part {n}", "parse_mode": "HTML"} for n in (1, 2, 3)]


@pytest.fixture
def emulator() -> WatchedEmulator:
    """An emulator that wakes the simulated user when the floor's reply arrives."""
    return WatchedEmulator(bot_username="floor_test_bot")


async def walk_the_floor(
    emulator: WatchedEmulator, url: str, workdir: Path, payloads: dict[str, Any] | None
) -> int:
    """One person's core checklist against the floor bot; how many rows it committed."""
    script = bare_script(1)
    environ = {
        **bot_environ(emulator, url, "unused"),
        "FLOOR_DATABASE": str(workdir / "floor.sqlite3"),
        "FLOOR_LAST_QUESTION": script[-1][1].split(":")[2],
        "FLOOR_COMPLETION_MESSAGES": "2",
        "BOT_API_CLIENT": "aiohttp",
    }
    if payloads is not None:
        path = workdir / "payloads.json"
        path.write_text(json.dumps(payloads), encoding="utf-8")
        environ["FLOOR_PAYLOADS"] = str(path)
    floor = await BotProcess.start(
        ["-m", "bench.floor_bot"], environ, cwd=workdir, log_path=workdir / "floor.log"
    )
    try:
        await floor.wait_polling(emulator)
        final = "results 2" if payloads is None else payloads["results"][-1]["text"]
        walk = await walk_script(
            emulator,
            emulator.user(USER),
            script,
            30,
            shown_reply,
            accept_last=lambda call: call.params.get("text") == final,  # the whole completion
        )
    finally:
        await floor.stop()
    assert walk.finished and walk.updates == len(script), (workdir / "floor.log").read_text()
    with sqlite3.connect(workdir / "floor.sqlite3") as database:
        (rows,) = database.execute("SELECT count(*) FROM answer").fetchone()
    return int(rows)


async def test_the_floor_commits_every_update_and_replies_briefly(
    emulator: WatchedEmulator, emulator_url: str, tmp_path: Path
) -> None:
    rows = await walk_the_floor(emulator, emulator_url, tmp_path, None)
    assert rows == len(bare_script(1))
    texts = [m.text for m in emulator.user(USER).bot_messages]
    # The completing press edits its message to its own data, then sends the results.
    assert texts[-2:] == ["results 1", "results 2"]
    assert texts[-3].startswith("a:1:")


async def test_the_floor_carries_the_messages_it_is_given(
    emulator: WatchedEmulator, emulator_url: str, tmp_path: Path
) -> None:
    payloads = {"question": QUESTION, "results": RESULTS}
    rows = await walk_the_floor(emulator, emulator_url, tmp_path, payloads)
    assert rows == len(bare_script(1))
    edits = emulator.calls_to("editMessageText")
    questions = [call for call in edits if call.params.get("reply_markup")]
    # Every press but the last shows the question with its buttons, changed by the press's
    # data (the Bot API refuses an edit that changes nothing).
    presses = [kind for kind, _ in bare_script(1) if kind == "press"]
    assert len(questions) == len(presses) - 1
    assert all(call.params["text"].startswith(QUESTION["text"]) for call in questions)
    assert len({call.params["text"] for call in questions}) > 1
    messages = emulator.user(USER).bot_messages
    # The completion edits the first results part in, then sends the others, in order.
    assert [m.text for m in messages[-3:]] == ["Results part 1", "Results part 2", "Results part 3"]
