"""The command menus Telegram shows: published at start-up in Persian and English."""

from __future__ import annotations

from bot.application import announce_commands
from bot.emulator import BotApiEmulator
from handlers.i18n import Renderer
from handlers.registry import COMMANDS
from tests.auxil.harness import RunningBot

PERSIAN_LETTERS = set("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی")


async def test_start_up_publishes_the_command_menus_in_both_languages(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    assert emulator.get_commands(language_code="fa") == []

    await announce_commands(bot.application)

    renderer = Renderer()
    for locale in ("fa", "en"):
        menu = emulator.get_commands(language_code=locale)
        assert [entry["command"] for entry in menu] == list(COMMANDS)
        for entry in menu:
            description = entry["description"]
            assert description == renderer.text(locale, "commands", entry["command"])
            persian = any(ch in PERSIAN_LETTERS for ch in description)
            assert persian == (locale == "fa"), (locale, description)
    # Clients in any other language get the English menu.
    assert emulator.get_commands() == emulator.get_commands(language_code="en")
