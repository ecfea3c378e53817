"""What a civil servant does in the chat, as reusable steps for end-to-end tests."""

from __future__ import annotations

from collections.abc import Sequence

from bot.emulator import EmulatedUser
from knowledge import KnowledgeBase, Locale, QuestionSet


async def fill_profile(
    user: EmulatedUser,
    kb: KnowledgeBase,
    locale: Locale,
    *,
    organisation: str | None = "Tehran Water Company",
) -> None:
    """Choose the first sector, Tehran, type the organisation (unless preset), pick a role."""
    await user.press(kb.profile.sectors[0].label.get(locale))
    await user.press(next(r for r in kb.profile.regions if r.key == "tehran").label.get(locale))
    if organisation is not None:
        await user.send(organisation)
    await user.press(kb.profile.roles[0].label.get(locale))


def question_set_button(user: EmulatedUser, question_set: QuestionSet) -> str:
    """The label of the core or detailed button on the newest message that has them."""
    prefix = "qs:"
    for message in reversed(user.bot_messages):
        for text, data in (b for row in message.buttons for b in row):
            if data and data.startswith(prefix) and data.endswith(question_set.value):
                return text
    raise AssertionError("no question-set buttons in the chat")


async def answer_questions(
    user: EmulatedUser, kb: KnowledgeBase, locale: Locale, values: Sequence[int | None]
) -> None:
    """Answer the next questions in order with `values` (None presses "don't know").

    Each press is of the label the question shows for that value: questions may have their
    own scale (agreement, frequency), so the label is read from the question's buttons.
    """
    for value in values:
        await user.press(answer_label(user, value))


def answer_label(user: EmulatedUser, value: int | None) -> str:
    """The label of the newest question's button for `value` (None: "don't know"): a checklist
    question's (a:…) or a recheck's (ra:…)."""
    shown = "x" if value is None else str(value)
    for message in reversed(user.bot_messages):
        answers = [
            (t, d) for row in message.buttons for t, d in row if d and d.startswith(("a:", "ra:"))
        ]
        for text, data in answers:
            if data.rsplit(":", 1)[-1] == shown:
                return text
        if answers:
            break
    raise AssertionError(f"no answer button for {value!r} in the newest question")


async def choose(user: EmulatedUser, action: str) -> bool:
    """Press the newest message's confirmation button for `action` (cancel, restart, stay,
    keep, fresh, org); False when that message offers none."""
    message = user.last_bot_message
    for _, data in (b for row in message.buttons for b in row):
        if data and data.startswith(f"cf:{action}:"):
            await user.press_data(data, message_id=message.message_id)
            return True
    return False


async def restart(user: EmulatedUser) -> None:
    """/restart, confirmed when an assessment in progress asks for it."""
    await user.send("/restart")
    await choose(user, "restart")


async def cancel(user: EmulatedUser) -> None:
    """/cancel, confirmed when an assessment in progress asks for it."""
    await user.send("/cancel")
    await choose(user, "cancel")


async def start_afresh(user: EmulatedUser) -> None:
    """/start, answering the profile again if a finished assessment offers to keep it."""
    await user.send("/start")
    await choose(user, "fresh")
