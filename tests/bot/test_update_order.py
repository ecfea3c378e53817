"""Updates of different chats run together; one chat's updates run one by one, in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.update_order import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    user = User(chat_id, "someone", is_bot=False)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="x")
    return Update(update_id, message=message)


async def _feed(processor: PerChatUpdateProcessor, updates: list[tuple[int, int, float]]) -> list:
    """Process (update id, chat id, seconds) as the Application does: one task per update, in
    arrival order; return the (event, update id) log."""
    log: list[tuple[str, int]] = []

    async def handle(update_id: int, seconds: float) -> None:
        log.append(("start", update_id))
        await asyncio.sleep(seconds)
        log.append(("end", update_id))

    tasks = [
        asyncio.create_task(processor.process_update(_update(uid, chat), handle(uid, seconds)))
        for uid, chat, seconds in updates
    ]
    await asyncio.gather(*tasks)
    return log


async def test_one_chats_updates_run_in_arrival_order_without_overlap() -> None:
    processor = PerChatUpdateProcessor(4)
    # A slow first update (a completion) and two quick ones from the same chat.
    log = await _feed(processor, [(1, 10, 0.05), (2, 10, 0.0), (3, 10, 0.0)])
    assert log == [("start", 1), ("end", 1), ("start", 2), ("end", 2), ("start", 3), ("end", 3)]


async def test_other_chats_do_not_wait_behind_a_slow_update() -> None:
    processor = PerChatUpdateProcessor(4)
    log = await _feed(processor, [(1, 10, 0.05), (2, 20, 0.0), (3, 30, 0.0)])
    # Chats 20 and 30 are answered while chat 10's slow update is still running.
    assert log.index(("end", 2)) < log.index(("end", 1))
    assert log.index(("end", 3)) < log.index(("end", 1))


async def test_with_one_slot_everything_runs_in_arrival_order() -> None:
    processor = PerChatUpdateProcessor(1)
    log = await _feed(processor, [(1, 10, 0.01), (2, 20, 0.0), (3, 10, 0.0)])
    assert [uid for event, uid in log if event == "start"] == [1, 2, 3]
    assert processor.current_concurrent_updates == 0
