from bot.emulator import BotApiEmulator
from tests.auxil.harness import RunningBot


async def test_start_greets_and_asks_for_the_sector(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    user = emulator.user(1001, first_name="Sara", language_code="fa")
    await user.send("/start")
    for m in user.bot_messages:
        print(m.text, m.button_texts)
    assert "پیشران" in user.bot_messages[0].text
