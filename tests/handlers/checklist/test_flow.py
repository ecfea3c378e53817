"""A civil servant completes the checklist in the chat, end to end, against the emulator."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.emulator import BotApiEmulator, EmulatedUser
from handlers.i18n import Renderer
from knowledge import Effect, KnowledgeBase, Locale, QuestionSet, assess
from storage.models import Answer, Assessment
from storage.organisations import create_organisation
from tests.auxil.flows import answer_questions, choose, fill_profile, question_set_button
from tests.auxil.harness import RunningBot, start_bot

RENDERER = Renderer()

# Varied answers so that the results mix drivers and obstacles.
CORE_VALUES: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
EFFECT_WORDS = {
    "fa": {"driver": "پیشران", "obstacle": "پیشگیر", "unknown": "بی‌پاسخ"},
    "en": {"driver": "driver", "obstacle": "obstacle", "unknown": "not answered"},
}


NATIONAL_WORDS = {
    "fa": {"driver": "در وضعیت کلی کشور پیشران است", "obstacle": "در وضعیت کلی کشور پیشگیر است"},
    "en": {
        "driver": "the national review finds this a common driver",
        "obstacle": "the national review finds this a common obstacle",
    },
}


def results_text(user: EmulatedUser) -> str:
    """Every bot message from the results summary on, as one text."""
    texts = [m.text or "" for m in user.bot_messages]
    first = next(i for i, t in enumerate(texts) if "100" in t or "۱۰۰" in t)
    return "\n\n".join(texts[first:])


async def count(bot: RunningBot, statement: object) -> int:
    async with bot.runtime.session_factory() as session:
        return int(await session.scalar(statement))  # type: ignore[call-overload]


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 2001), ("en", 2002)])
async def test_a_civil_servant_completes_the_core_checklist(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
) -> None:
    user = emulator.user(user_id, first_name="Civil", language_code=locale)
    await user.send("/start")
    await fill_profile(user, shipped_kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))
    assert re.search(r"(1/16|۱ از ۱۶)", user.last_bot_message.text or "")  # progress 1 of 16

    await answer_questions(user, shipped_kb, locale, CORE_VALUES)

    text = results_text(user)
    core = shipped_kb.questions(QuestionSet.CORE)
    expected = assess(
        shipped_kb, QuestionSet.CORE, dict(zip([q.id for q in core], CORE_VALUES, strict=True))
    )
    for result in expected.subfactors:
        title = shipped_kb.subfactor(result.key).title.get(locale)
        lines = text.splitlines()
        at = next(i for i, line in enumerate(lines) if title in line and "—" in line)
        effect = result.effect.value if result.effect else "unknown"  # "don't know" only
        words = EFFECT_WORDS[locale]
        assert f"— {words[effect]}" in lines[at], lines[at]
        # The national column says what the review found, never a score of other agencies.
        assert NATIONAL_WORDS[locale][result.baseline.value] in lines[at + 1], lines[at + 1]
    # Citations in the advice resolve to the numbered reference list, with DOI links.
    groups = re.findall(r"\[([\d,، ]+)\]", text)
    cited = {int(n) for group in groups for n in re.split(r"[,،]", group)}
    assert cited, "the advice cites no reference"
    listed = {int(n) for n in re.findall(r"^\u200f?\[(\d+)\] ", text, flags=re.M)}
    assert cited == listed
    assert "https://doi.org/10." in "".join(m.rendered_html for m in user.bot_messages)
    # Everything the user was told is in the database: 16 answers, one completed assessment.
    assert await count(bot, select(func.count()).select_from(Answer)) == 16
    status = await count(bot, select(func.count()).where(Assessment.status == "completed"))
    assert status == 1


async def test_persian_users_see_persian_digits_and_english_users_ascii(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    fa = emulator.user(2101, language_code="fa")
    en = emulator.user(2102, language_code="en")
    for user, locale in ((fa, "fa"), (en, "en")):
        await user.send("/start")
        await fill_profile(user, shipped_kb, locale)
        await user.press(question_set_button(user, QuestionSet.CORE))
    assert "پرسش ۱ از ۱۶" in (fa.last_bot_message.text or "")
    assert "1/16" in (en.last_bot_message.text or "")


async def test_a_restarted_bot_resumes_at_the_right_question(
    emulator: BotApiEmulator, bot: RunningBot, settings, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(2201, language_code="en")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "en")
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, shipped_kb, "en", CORE_VALUES[:8])
    await bot.stop()  # the process goes away; only the database file remains

    second = await start_bot(emulator, settings)
    try:
        await user.send("/start")
        assert "9/16" in (user.last_bot_message.text or "")
        await answer_questions(user, shipped_kb, "en", CORE_VALUES[8:])
        assert "Readiness index" in results_text(user)
        assert await count(second, select(func.count()).select_from(Answer)) == 16
    finally:
        await second.stop()
        bot.runtime = second.runtime  # so the fixture's stop() does not close twice
        bot.application = second.application


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_a_deep_link_with_an_unknown_code_says_so_and_asks_the_name(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    user = emulator.user(2301, language_code=locale)
    await user.send("/start org_water42")
    texts = [m.text or "" for m in user.bot_messages]
    assert RENDERER.text(locale, "org_unknown") in texts
    await user.press(shipped_kb.profile.sectors[0].label.get(locale))
    await user.press(shipped_kb.profile.regions[0].label.get(locale))
    # The normal organisation question: the code is never taken for the name.
    assert RENDERER.text(locale, "ask", "organisation") in (user.last_bot_message.text or "")
    await user.send("Tehran Water Company")
    async with bot.runtime.session_factory() as session:
        assessment = await session.scalar(select(Assessment))
    assert assessment is not None
    assert (assessment.org_code, assessment.organisation) == (None, "Tehran Water Company")


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_a_deep_link_with_a_known_code_names_the_organisation_and_can_change_it(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    async with bot.runtime.session_factory() as session, session.begin():
        await create_organisation(
            session=session, code="water42", name="آبفای تهران", created_by="test"
        )
    user = emulator.user(2302, language_code=locale)
    await user.send("/start org_water42")
    confirmed = next(m for m in user.bot_messages if "آبفای تهران" in (m.text or "") and m.buttons)
    assert confirmed.html == RENDERER.markup(locale, "org_confirmed", name="آبفای تهران")
    await fill_profile(user, shipped_kb, locale, organisation=None)
    assert question_set_button(user, QuestionSet.CORE)  # the name was not asked
    async with bot.runtime.session_factory() as session:
        assessment = await session.scalar(select(Assessment))
    assert assessment is not None
    assert (assessment.org_code, assessment.organisation) == ("water42", "آبفای تهران")

    # "Not you? change": the organisation is asked again and the code let go.
    (label,) = confirmed.button_texts
    await user.press(label)
    assert RENDERER.text(locale, "ask", "organisation") in (user.last_bot_message.text or "")
    await user.send("Another agency")
    async with bot.runtime.session_factory() as session:
        assessment = await session.scalar(select(Assessment))
    assert assessment is not None
    assert (assessment.org_code, assessment.organisation) == (None, "Another agency")


async def test_results_command_shows_the_latest_results_again(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(2501, language_code="en")
    await user.send("/results")
    assert "no completed assessment" in (user.last_bot_message.text or "")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "en")
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, shipped_kb, "en", CORE_VALUES)
    before = len(user.bot_messages)
    await user.send("/results")
    again = [m.text or "" for m in user.bot_messages[before:]]
    assert any("Readiness index" in t for t in again)
    assert any(t.startswith("References") for t in again)


async def test_the_detailed_checklist_asks_every_question(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(2601, language_code="fa")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "fa")
    await user.press(question_set_button(user, QuestionSet.DETAILED))
    total = len(shipped_kb.questions(QuestionSet.DETAILED))
    await answer_questions(user, shipped_kb, "fa", [3] * total)
    assert await count(bot, select(func.count()).select_from(Answer)) == total
    assert EFFECT_WORDS["fa"][Effect.DRIVER.value] in results_text(user)


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_start_after_a_finished_assessment_can_keep_the_profile(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    user = emulator.user(2401, language_code=locale)
    await user.send("/start")
    await fill_profile(user, shipped_kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, shipped_kb, locale, [2] * 16)

    await user.send("/start")
    offer = user.last_bot_message
    assert "Tehran Water Company" in (offer.text or "")
    assert await choose(user, "keep")
    # No profile question: straight to the choice of checklist, with the same profile.
    assert question_set_button(user, QuestionSet.CORE)
    assert RENDERER.text(locale, "ask", "sector") not in (user.last_bot_message.text or "")
    async with bot.runtime.session_factory() as session:
        first, second = (await session.scalars(select(Assessment).order_by(Assessment.id))).all()
    assert (second.sector, second.region, second.organisation, second.role) == (
        first.sector,
        first.region,
        first.organisation,
        first.role,
    )
    assert second.status == "active"
