"""Steps that span several assessments or KB revisions, for end-to-end tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale, QuestionSet
from storage.kb_revisions import add_kb_revision
from tests.auxil.flows import answer_questions, fill_profile, question_set_button, start_afresh
from tests.auxil.harness import RunningBot, start_bot

__all__ = ["assert_no_error", "complete_core_checklist", "restart_with_revision"]


async def complete_core_checklist(
    user: EmulatedUser, kb: KnowledgeBase, locale: Locale, values: Sequence[int | None]
) -> None:
    """Start an assessment, fill the profile and answer the core checklist with `values`."""
    await start_afresh(user)
    await fill_profile(user, kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, kb, locale, values)


async def restart_with_revision(
    bot: RunningBot, emulator: BotApiEmulator, settings: Settings, content: dict[str, Any]
) -> None:
    """Store `content` as the new active KB revision, then restart the bot process in place."""
    async with bot.runtime.session_factory() as session, session.begin():
        await add_kb_revision(session=session, content=content, author="test", note="test edit")
    await bot.stop()
    second = await start_bot(emulator, settings)
    bot.runtime, bot.application = second.runtime, second.application


def assert_no_error(user: EmulatedUser, locale: Locale) -> None:
    """No message in the chat is the error handler's apology."""
    apology = Renderer().text(locale, "error_saved")
    assert all(m.text != apology for m in user.bot_messages)
