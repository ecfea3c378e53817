"""The bot process is SIGKILLed while people take the checklist: nothing acknowledged is lost."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bench.crash import crash_run
from bench.watched_emulator import WatchedEmulator


@pytest.fixture
def emulator() -> WatchedEmulator:
    """An emulator that wakes each simulated user when their reply arrives."""
    return WatchedEmulator(bot_username="pishran_test_bot")


async def test_killed_bot_loses_no_acknowledged_answer(
    emulator: WatchedEmulator,
    emulator_url: str,
    database_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A killed bot leaves requests half-sent; the emulator logs those, which is expected here.
    caplog.set_level(logging.CRITICAL, logger="bot.emulator.server")
    outcome = await crash_run(
        emulator, emulator_url, database_url, tmp_path, users=5, kills=3, seed=8, within=240
    )

    assert outcome.kills == 3
    assert outcome.unfinished == []
    assert outcome.problems == []
    assert outcome.error_lines == []
    assert all(walk.acknowledged for walk in outcome.walks)
