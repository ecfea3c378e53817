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
    """Answer the next questions in order with `values` (None presses "don't know")."""
    for value in values:
        label = kb.scale.label(value).get(locale)
        await user.press(label)
