"""Bad input end to end: repeated, stale, forged and malformed presses, stray text and media."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.emulator import BotApiEmulator, ChatMessage, EmulatedUser
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale, QuestionSet
from storage.models import Answer, Assessment, Respondent
from tests.auxil.flows import (
    answer_questions,
    cancel,
    choose,
    fill_profile,
    question_set_button,
    restart,
)
from tests.auxil.harness import RunningBot

CORE_VALUES: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
PERSIAN_LETTERS = set("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی")
LATIN_LETTERS = set("abcdefghijklmnopqrstuvwxyz")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    """The catalogs, for the texts the user should see."""
    return Renderer()


async def snapshot(bot: RunningBot) -> dict[str, Any]:
    """Every assessment and answer row as plain values, to show that nothing changed."""
    async with bot.runtime.session_factory() as session:
        assessments = [a.model_dump() for a in await session.scalars(select(Assessment))]
        answers = [a.model_dump() for a in await session.scalars(select(Answer))]
    return {
        "assessments": sorted(assessments, key=lambda row: row["id"]),
        "answers": sorted(answers, key=lambda row: (row["assessment_id"], row["question_id"])),
    }


async def assessments_of(bot: RunningBot, telegram_id: int) -> list[Assessment]:
    """The person's assessments, oldest first."""
    async with bot.runtime.session_factory() as session:
        rows = await session.scalars(
            select(Assessment)
            .join(Respondent, Respondent.id == Assessment.respondent_id)
            .where(Respondent.telegram_id == telegram_id)
            .order_by(Assessment.id)
        )
        return list(rows)


async def answers_of(bot: RunningBot, assessment_id: int | None) -> dict[str, int | None]:
    """The stored answers of one assessment."""
    async with bot.runtime.session_factory() as session:
        rows = await session.scalars(select(Answer).where(Answer.assessment_id == assessment_id))
        return {row.question_id: row.value for row in rows}


async def to_first_question(user: EmulatedUser, kb: KnowledgeBase, locale: Locale) -> None:
    """Start, fill the profile and choose the core checklist."""
    await user.send("/start")
    await fill_profile(user, kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))


async def organisation_step(user: EmulatedUser, kb: KnowledgeBase, locale: Locale) -> None:
    """Start and choose a sector and a province, so that the bot asks for the organisation."""
    await user.send("/start")
    await user.press(kb.profile.sectors[0].label.get(locale))
    await user.press(next(r for r in kb.profile.regions if r.key == "tehran").label.get(locale))


async def fill_profile_rest(user: EmulatedUser, kb: KnowledgeBase) -> None:
    """Type the organisation, pick a role and the core checklist (English)."""
    await user.send("Tehran Water Company")
    await user.press(kb.profile.roles[0].label.get("en"))
    await user.press(question_set_button(user, QuestionSet.CORE))


def script_of(text: str) -> str:
    """Which script dominates `text`: "fa" or "en"."""
    persian = sum(ch in PERSIAN_LETTERS for ch in text)
    latin = sum(ch.lower() in LATIN_LETTERS for ch in text)
    return "fa" if persian > latin else "en"


def button_data(message: ChatMessage, label: str) -> str:
    """The callback data behind the button labelled `label` on `message`."""
    data = next((d for row in message.buttons for text, d in row if text == label), None)
    assert data is not None, f"no button {label!r} on message {message.message_id}"
    return data


def last_toast(user: EmulatedUser) -> str | None:
    """The text of the newest answer to one of the user's button presses."""
    assert user.callback_answers, "no button press was answered"
    return user.callback_answers[-1].text


def no_error_reply(user: EmulatedUser, renderer: Renderer) -> None:
    """The error handler never had to step in."""
    apologies = {renderer.text(locale, "error_saved") for locale in ("fa", "en")}
    assert not [m for m in user.bot_messages if m.text in apologies]


async def test_a_double_press_records_one_answer_and_shows_no_duplicate(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3001, language_code="en")
    await to_first_question(user, shipped_kb, "en")
    question = user.last_bot_message
    data = button_data(question, shipped_kb.scale.label(3).get("en"))

    await user.press_data(data, message_id=question.message_id)
    after_first = await snapshot(bot)
    messages, toasts = len(user.bot_messages), len(user.callback_answers)
    await user.press_data(data, message_id=question.message_id)

    assert await snapshot(bot) == after_first
    (assessment,) = await assessments_of(bot, user.id)
    assert assessment.cursor == 1
    first_id = shipped_kb.questions(QuestionSet.CORE)[0].id
    assert await answers_of(bot, assessment.id) == {first_id: 3}
    assert len(user.callback_answers) == toasts + 1
    assert last_toast(user) == renderer.text("en", "notice", "stale")
    assert len(user.bot_messages) == messages
    assert "2/16" in (user.last_bot_message.text or "")


async def test_a_stale_answer_button_changes_nothing(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3002, language_code="en")
    await to_first_question(user, shipped_kb, "en")
    first = user.last_bot_message
    old = button_data(first, shipped_kb.scale.label(0).get("en"))
    await answer_questions(user, shipped_kb, "en", [4, 4])
    before = await snapshot(bot)

    await user.press_data(old, message_id=first.message_id)

    assert await snapshot(bot) == before
    assert last_toast(user) == renderer.text("en", "notice", "stale")
    assert "3/16" in (user.last_bot_message.text or "")


async def test_a_stale_profile_button_changes_nothing(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3003, language_code="en")
    await user.send("/start")
    first = user.last_bot_message
    sector = shipped_kb.profile.sectors[-1]
    old = button_data(first, sector.label.get("en"))
    await fill_profile(user, shipped_kb, "en")
    before = await snapshot(bot)

    await user.press_data(old, message_id=first.message_id)

    assert await snapshot(bot) == before
    assert last_toast(user) == renderer.text("en", "notice", "stale")
    (assessment,) = await assessments_of(bot, user.id)
    assert assessment.sector == shipped_kb.profile.sectors[0].key


async def test_a_button_from_before_restart_says_the_assessment_is_closed(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3004, language_code="en")
    await to_first_question(user, shipped_kb, "en")
    old_message = user.last_bot_message
    old = button_data(old_message, shipped_kb.scale.label(2).get("en"))
    await restart(user)
    before = await snapshot(bot)

    await user.press_data(old, message_id=old_message.message_id)

    assert await snapshot(bot) == before
    assert last_toast(user) == renderer.text("en", "closed_assessment")
    old_assessment, new_assessment = await assessments_of(bot, user.id)
    assert await answers_of(bot, old_assessment.id) == {}
    assert new_assessment.status == "active"


async def test_a_button_after_completion_says_the_assessment_is_closed(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3005, language_code="fa")
    await to_first_question(user, shipped_kb, "fa")
    question = user.last_bot_message
    old = button_data(question, shipped_kb.scale.label(0).get("fa"))
    await answer_questions(user, shipped_kb, "fa", CORE_VALUES)
    before = await snapshot(bot)
    messages = len(user.bot_messages)

    await user.press_data(old, message_id=question.message_id)

    assert await snapshot(bot) == before
    assert last_toast(user) == renderer.text("fa", "closed_assessment")
    assert len(user.bot_messages) == messages
    (assessment,) = await assessments_of(bot, user.id)
    assert assessment.status == "completed"


async def test_a_forged_press_on_someone_elses_assessment_is_refused(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    victim = emulator.user(3006, language_code="en")
    forger = emulator.user(3007, language_code="en")
    for someone in (victim, forger):
        await to_first_question(someone, shipped_kb, "en")
    await answer_questions(victim, shipped_kb, "en", [4])
    (target,) = await assessments_of(bot, victim.id)
    before = await snapshot(bot)
    question_id = shipped_kb.questions(QuestionSet.CORE)[1].id

    await forger.press_data(f"a:{target.id}:{question_id}:0")

    assert await snapshot(bot) == before
    assert last_toast(forger) == renderer.text("en", "not_yours")
    assert "2/16" in (victim.last_bot_message.text or "")
    assert len(await answers_of(bot, target.id)) == 1


@pytest.mark.parametrize(
    "data",
    ["zzz", "a:1:..", "x" * 64, "a:{own}:no_such_question:2", "p:{own}:s:no_such_sector!"],
    ids=["junk", "truncated", "64-bytes", "unknown-question", "bad-key"],
)
async def test_malformed_callback_data_is_no_longer_valid(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    renderer: Renderer,
    data: str,
) -> None:
    user = emulator.user(3008, language_code="en")
    await to_first_question(user, shipped_kb, "en")
    (own,) = await assessments_of(bot, user.id)
    before = await snapshot(bot)
    shown = user.last_bot_message.text

    await user.press_data(data.format(own=own.id))

    assert await snapshot(bot) == before
    assert last_toast(user) == renderer.text("en", "invalid_button")
    assert user.last_bot_message.text == shown


async def test_free_text_where_a_button_is_expected_gets_a_hint_and_the_question(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3009, language_code="fa")
    await to_first_question(user, shipped_kb, "fa")
    before = await snapshot(bot)
    messages = len(user.bot_messages)

    await user.send("کاملاً")

    assert await snapshot(bot) == before
    hint, question = user.bot_messages[messages:]
    assert hint.text == renderer.text("fa", "use_buttons")
    first = shipped_kb.questions(QuestionSet.CORE)[0]
    assert first.text.get("fa") in (question.text or "")
    assert question.button_texts[0] == shipped_kb.scale.options[0].label.get("fa")


@pytest.mark.parametrize("media", ["photo", "document"])
async def test_a_photo_or_document_mid_question_gets_the_hint(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    renderer: Renderer,
    media: str,
) -> None:
    user = emulator.user(3010, language_code="en")
    await to_first_question(user, shipped_kb, "en")
    before = await snapshot(bot)
    messages = len(user.bot_messages)

    if media == "photo":
        await user.send_photo(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, caption="my answer")
    else:
        await user.send_document(b"answers", filename="answers.txt")

    assert await snapshot(bot) == before
    hint, question = user.bot_messages[messages:]
    assert hint.text == renderer.text("en", "use_buttons")
    assert "1/16" in (question.text or "")


async def test_html_in_the_organisation_name_is_stored_as_text_and_escaped(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3011, language_code="en")
    await organisation_step(user, shipped_kb, "en")
    name = "<b>x</b><script>alert(1)</script> & Co"

    await user.send(f"  {name}\u200f ")

    (assessment,) = await assessments_of(bot, user.id)
    assert assessment.organisation == name
    assert renderer.text("en", "ask", "role") in (user.last_bot_message.text or "")
    no_error_reply(user, renderer)
    for message in user.bot_messages:
        assert "<script>" not in message.rendered_html


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_an_over_long_organisation_name_gets_the_too_long_notice(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    renderer: Renderer,
    locale: Locale,
) -> None:
    user = emulator.user(3012, language_code=locale)
    await organisation_step(user, shipped_kb, locale)
    before = await snapshot(bot)

    await user.send("س" * 121)

    assert await snapshot(bot) == before
    notice = renderer.text(locale, "notice", "invalid_text", max=120)
    assert notice in (user.last_bot_message.text or "")
    assert ("۱۲۰" if locale == "fa" else "120") in notice
    assert renderer.text(locale, "ask", "organisation") in (user.last_bot_message.text or "")
    no_error_reply(user, renderer)
    await user.send("س" * 120)
    (assessment,) = await assessments_of(bot, user.id)
    assert assessment.organisation == "س" * 120


async def test_arabic_yeh_and_kaf_in_the_organisation_become_persian(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(3013, language_code="fa")
    await organisation_step(user, shipped_kb, "fa")

    await user.send("شركت آب منطقه‌اي كرمان ١٢")

    (assessment,) = await assessments_of(bot, user.id)
    assert assessment.organisation == "شرکت آب منطقه‌ای کرمان 12"


async def test_an_unknown_command_gets_a_localised_answer(
    emulator: BotApiEmulator, bot: RunningBot, renderer: Renderer
) -> None:
    users: tuple[tuple[int, Locale], ...] = ((3014, "fa"), (3015, "en"))
    for user_id, locale in users:
        user = emulator.user(user_id, language_code=locale)
        await user.send("/foo")
        assert user.last_bot_message.text == renderer.text(locale, "unknown_command")


async def test_cancel_with_and_without_an_assessment(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3016, language_code="en")
    await user.send("/cancel")
    assert user.last_bot_message.text == renderer.text("en", "nothing_to_cancel")

    await to_first_question(user, shipped_kb, "en")
    await answer_questions(user, shipped_kb, "en", [2])
    await user.send("/cancel")
    # Nothing is discarded before it is confirmed; "No, keep going" keeps everything.
    assert user.last_bot_message.text == renderer.text("en", "confirm_cancel")
    assert await choose(user, "stay")
    assert user.bot_messages[-2].text == renderer.text("en", "kept_going")
    (assessment,) = await assessments_of(bot, user.id)
    assert assessment.status == "active"
    await cancel(user)

    assert user.bot_messages[-1].text == renderer.text("en", "cancelled")
    (assessment,) = await assessments_of(bot, user.id)
    assert assessment.status == "cancelled"
    assert len(await answers_of(bot, assessment.id)) == 1
    await user.send("/cancel")
    assert user.last_bot_message.text == renderer.text("en", "nothing_to_cancel")


async def test_restart_closes_the_active_assessment_and_starts_anew(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3017, language_code="en")
    await to_first_question(user, shipped_kb, "en")
    await answer_questions(user, shipped_kb, "en", [1, 2])
    messages = len(user.bot_messages)

    await user.send("/restart")
    assert user.last_bot_message.text == renderer.text("en", "confirm_restart")
    (still,) = await assessments_of(bot, user.id)
    assert still.status == "active"
    assert await choose(user, "restart")

    _, lead, first_step = user.bot_messages[messages:]
    assert lead.text == renderer.text("en", "restarted")
    assert renderer.text("en", "ask", "sector") in (first_step.text or "")
    old, new = await assessments_of(bot, user.id)
    assert old.status != "active"
    assert len(await answers_of(bot, old.id)) == 2
    assert (new.status, new.sector, new.cursor) == ("active", None, 0)


async def test_language_switches_and_the_next_question_follows(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3018, language_code="fa")
    await to_first_question(user, shipped_kb, "fa")
    first = shipped_kb.questions(QuestionSet.CORE)[0]
    assert first.text.get("fa") in (user.last_bot_message.text or "")
    assert script_of(user.last_bot_message.text or "") == "fa"

    await user.send("/language")
    assert user.last_bot_message.text == renderer.text("fa", "language_prompt")
    await user.press(renderer.text("en", "language_name"))

    assert renderer.text("en", "language_set") in [m.text for m in user.bot_messages]
    assert first.text.get("en") in (user.last_bot_message.text or "")
    assert script_of(user.last_bot_message.text or "") == "en"
    await answer_questions(user, shipped_kb, "en", [3])
    second = shipped_kb.questions(QuestionSet.CORE)[1]
    assert second.text.get("en") in (user.last_bot_message.text or "")
    async with bot.runtime.session_factory() as session:
        respondent = await session.scalar(select(Respondent).where(Respondent.telegram_id == 3018))
    assert respondent is not None and respondent.language == "en"


async def test_back_at_the_first_profile_step_gets_a_notice(
    emulator: BotApiEmulator, bot: RunningBot, renderer: Renderer
) -> None:
    user = emulator.user(3019, language_code="en")
    await user.send("/start")
    (assessment,) = await assessments_of(bot, user.id)
    before = await snapshot(bot)

    await user.press_data(f"b:{assessment.id}:1")

    assert await snapshot(bot) == before
    assert last_toast(user) == renderer.text("en", "notice", "at_start")
    assert renderer.text("en", "ask", "sector") in (user.last_bot_message.text or "")


@pytest.mark.parametrize(("user_id", "language_code"), [(3020, "fa-IR"), (3021, None)])
async def test_persian_is_chosen_for_fa_ir_and_by_default(
    emulator: BotApiEmulator,
    bot: RunningBot,
    renderer: Renderer,
    user_id: int,
    language_code: str | None,
) -> None:
    user = emulator.user(user_id, language_code=language_code)
    await user.send("/start")
    assert renderer.text("fa", "ask", "sector") in (user.last_bot_message.text or "")
    await user.send("/help")
    assert script_of(user.last_bot_message.text or "") == "fa"
    async with bot.runtime.session_factory() as session:
        respondent = await session.scalar(
            select(Respondent).where(Respondent.telegram_id == user_id)
        )
    assert respondent is not None and respondent.language == "fa"


async def test_a_failure_inside_a_handler_tells_the_user_their_answers_are_safe(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    renderer: Renderer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = emulator.user(3022, language_code="fa")
    await to_first_question(user, shipped_kb, "fa")
    emulator.inject_fault(
        method="editMessageText", status=400, description="Bad Request: injected failure"
    )

    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        await answer_questions(user, shipped_kb, "fa", [4])

    assert user.last_bot_message.text == renderer.text("fa", "error_saved")
    failures = [r for r in caplog.records if r.name == "handlers.errors"]
    assert failures and failures[0].exc_info is not None
    assert "injected failure" in str(failures[0].exc_info[1]).lower()
    (assessment,) = await assessments_of(bot, user.id)
    first = shipped_kb.questions(QuestionSet.CORE)[0]
    assert await answers_of(bot, assessment.id) == {first.id: 4}
    await user.send("/start")
    assert "پرسش ۲ از ۱۶" in (user.last_bot_message.text or "")


async def test_a_double_press_of_back_goes_back_once(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3023, language_code="en")
    await to_first_question(user, shipped_kb, "en")
    await answer_questions(user, shipped_kb, "en", [1, 2, 3])
    question = user.last_bot_message
    back = button_data(question, renderer.text("en", "button_back"))

    await user.press_data(back, message_id=question.message_id)
    after_first = await snapshot(bot)
    await user.press_data(back, message_id=question.message_id)

    assert await snapshot(bot) == after_first
    (assessment,) = await assessments_of(bot, user.id)
    assert assessment.cursor == 2
    assert "3/16" in (user.last_bot_message.text or "")


async def test_a_stale_back_button_from_an_old_message_changes_nothing(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3024, language_code="en")
    await organisation_step(user, shipped_kb, "en")
    old_message = user.last_bot_message  # asks for the organisation, with a Back button
    back = button_data(old_message, renderer.text("en", "button_back"))
    await fill_profile_rest(user, shipped_kb)
    await answer_questions(user, shipped_kb, "en", [4, 4])
    before = await snapshot(bot)

    await user.press_data(back, message_id=old_message.message_id)

    assert await snapshot(bot) == before
    assert last_toast(user) == renderer.text("en", "notice", "stale")


async def test_a_photo_where_the_organisation_is_asked_asks_for_the_name_again(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, renderer: Renderer
) -> None:
    user = emulator.user(3025, language_code="en")
    await organisation_step(user, shipped_kb, "en")
    before = await snapshot(bot)

    await user.send_photo(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)

    assert await snapshot(bot) == before
    shown = user.last_bot_message.text or ""
    assert renderer.text("en", "notice", "invalid_text", max=120) in shown
    assert renderer.text("en", "ask", "organisation") in shown
    assert renderer.text("en", "use_buttons") not in [m.text for m in user.bot_messages]
