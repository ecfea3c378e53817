"""Sharper with three more minutes: after the short checklist, the top priorities' detailed
questions, end to end through the emulator, across a restart, and with stale buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from bot.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from handlers.checklist.service import Refusal
from knowledge import (
    AnswerQuestion,
    AskQuestion,
    ChooseQuestionSet,
    Event,
    KnowledgeBase,
    Locale,
    QuestionSet,
    SetProfile,
    assess,
)
from knowledge.refinement import Refinement, refinement
from storage.models import Answer, Assessment, AssessmentScore, SubFactorResult
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot, start_bot

# Capital budgeting, user resistance and legal infrastructure come out as the top priorities.
CORE_VALUES: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
# One per detailed question, in KB order: cap_d2 is answered low (0), the rest high.
DETAILED_VALUES: list[int | None] = [0, 3, 4, None, 3, 4]
REFINE = {"fa": "🎯 توصیه دقیق‌تر در سه دقیقه دیگر", "en": "🎯 Sharper advice in three more minutes"}
PROGRESS = {"fa": "دقیق‌سازی", "en": "Refinement"}
COUNTER = {"fa": "— پرسش {number} از {total}", "en": "— {number}/{total}"}
INDEX = {"fa": "شاخص آمادگی", "en": "Readiness index"}
ALERTS = {
    "en": {
        "outdated": "These are not your latest results",
        "busy": "You have an assessment in progress",
        "done": "already sharpened",
        "not_yours": "someone else's",
        "invalid": "no longer valid",
        "at_start": "This is the first step",
    },
}


def _plan(kb: KnowledgeBase) -> Refinement:
    core = kb.questions(QuestionSet.CORE)
    answers = {q.id: v for q, v in zip(core, CORE_VALUES, strict=True)}
    return refinement(kb, assess(kb, QuestionSet.CORE, answers))


def _digits(locale: Locale, text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) if locale == "fa" else text


def _since(user: EmulatedUser, start: int) -> str:
    return "\n\n".join(m.text or "" for m in user.bot_messages[start:])


async def _complete_core(user: EmulatedUser, kb: KnowledgeBase, locale: Locale) -> None:
    await user.send("/start")
    await fill_profile(user, kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, kb, locale, CORE_VALUES)


async def _scalar(bot: RunningBot, statement: object) -> object:
    async with bot.runtime.session_factory() as session:
        return await session.scalar(statement)  # type: ignore[call-overload]


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 7001), ("en", 7002)])
async def test_refining_asks_the_priorities_detailed_questions_and_sharpens_their_advice(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
) -> None:
    kb = shipped_kb
    plan = _plan(kb)
    assert plan.subfactor_keys == ("capital_budgeting", "user_resistance", "legal_infrastructure")
    user = emulator.user(user_id, language_code=locale)
    await _complete_core(user, kb, locale)
    low_finding = kb.question("cap_d2").low
    assert low_finding is not None
    finding = low_finding.finding.get(locale)
    core_results = _since(user, 0)
    assert INDEX[locale] in core_results and finding not in core_results

    before = len(user.bot_messages)
    await user.press(REFINE[locale])
    intro, first = user.bot_messages[before:]
    for key in plan.subfactor_keys:
        assert kb.subfactor(key).title.get(locale) in (intro.text or "")
    separator = {"fa": "، ", "en": " · "}[locale]  # a middle dot reads like ۰ in Persian
    assert _digits(locale, f"{PROGRESS[locale]}{separator}") in (first.text or "")
    assert _digits(locale, COUNTER[locale].format(number=1, total=6)) in (first.text or "")
    assert kb.question("cap_d2").text.get(locale) in (first.text or "")
    # The same keyboard as every question: the scale, "don't know" and back.
    assert first.button_texts[-2:] == [
        kb.scale.dont_know.get(locale),
        "↩ بازگشت" if locale == "fa" else "↩ Back",
    ]

    await answer_questions(user, kb, locale, DETAILED_VALUES[:1])
    second = _digits(locale, COUNTER[locale].format(number=2, total=6))
    assert second in (user.last_bot_message.text or "")
    await answer_questions(user, kb, locale, DETAILED_VALUES[1:])

    refined = _since(user, before)
    assert INDEX[locale] in refined
    assert finding in refined  # the low detailed answer is named and advised
    # Stored: still one completed assessment, its results replaced by the refined ones.
    answers = dict.fromkeys([q.id for q in kb.questions(QuestionSet.CORE)])
    answers.update(zip([q.id for q in kb.questions(QuestionSet.CORE)], CORE_VALUES, strict=True))
    answers.update(zip([q.id for q in plan.questions], DETAILED_VALUES, strict=True))
    expected = assess(kb, QuestionSet.CORE, answers, refined=plan.subfactor_keys)
    assessment = await _scalar(bot, select(Assessment))
    assert isinstance(assessment, Assessment)
    assert assessment.status == "completed" and assessment.refined_at is not None
    assert assessment.readiness_index == pytest.approx(expected.index)
    score = await _scalar(
        bot,
        select(col(SubFactorResult.score)).where(
            col(SubFactorResult.subfactor_key) == "capital_budgeting"
        ),
    )
    assert score == pytest.approx(expected.subfactor("capital_budgeting").score)
    assert await _scalar(bot, select(func.count()).select_from(Answer)) == 22
    assert await _scalar(bot, select(func.count()).select_from(AssessmentScore)) == 1
    # The refined results offer no second refinement.
    assert all(REFINE[locale] not in m.button_texts for m in user.bot_messages[before:])


async def test_back_stays_within_the_refinement(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    kb = shipped_kb
    user = emulator.user(7101, language_code="en")
    await _complete_core(user, kb, "en")
    await user.press(REFINE["en"])
    await user.press("↩ Back")  # at the first extra question: the short checklist is settled
    assert ALERTS["en"]["at_start"] in (user.callback_answers[-1].text or "")
    assert "— 1/6" in (user.last_bot_message.text or "")
    await answer_questions(user, kb, "en", [2])
    await user.press("↩ Back")
    text = user.last_bot_message.text or ""
    assert "— 1/6" in text and "Your earlier answer" in text


async def test_a_restarted_bot_resumes_the_refinement_at_the_same_question(
    emulator: BotApiEmulator, bot: RunningBot, settings: Settings, shipped_kb: KnowledgeBase
) -> None:
    kb = shipped_kb
    user = emulator.user(7201, language_code="en")
    await _complete_core(user, kb, "en")
    await user.press(REFINE["en"])
    await answer_questions(user, kb, "en", DETAILED_VALUES[:2])
    await bot.stop()  # the process goes away; only the database file remains

    second = await start_bot(emulator, settings)
    try:
        await user.send("/start")
        text = user.last_bot_message.text or ""
        assert "Refinement · " in text and "— 3/6" in text
        assert kb.question("res_d1").text.get("en") in text
        before = len(user.bot_messages)
        await answer_questions(user, kb, "en", DETAILED_VALUES[2:])
        assert kb.question("cap_d2").low.finding.get("en") in _since(user, before)  # type: ignore[union-attr]
        # /results shows the refined results too.
        before = len(user.bot_messages)
        await user.send("/results")
        assert kb.question("cap_d2").low.finding.get("en") in _since(user, before)  # type: ignore[union-attr]
    finally:
        await second.stop()
        bot.runtime = second.runtime  # so the fixture's stop() does not close twice
        bot.application = second.application


async def test_stale_forged_and_repeated_refine_buttons_change_nothing(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    kb = shipped_kb
    user = emulator.user(7301, language_code="en")
    other = emulator.user(7302, language_code="en")
    await _complete_core(user, kb, "en")
    first_id = await _scalar(bot, select(func.max(Assessment.id)))
    stale = f"rf:{first_id}"

    await other.send("/start")  # someone else presses (forges) the first person's button
    await other.press_data(stale)
    assert ALERTS["en"]["not_yours"] in (other.callback_answers[-1].text or "")
    await user.press_data("rf:abc")
    assert ALERTS["en"]["invalid"] in (user.callback_answers[-1].text or "")
    await user.press_data("rf:999999")
    assert ALERTS["en"]["not_yours"] in (user.callback_answers[-1].text or "")

    # A second press while refining shows the current question again; nothing changes.
    await user.press(REFINE["en"])
    await answer_questions(user, kb, "en", [3])
    await user.press_data(stale)
    assert "— 2/6" in (user.last_bot_message.text or "")
    await answer_questions(user, kb, "en", DETAILED_VALUES[1:])
    await user.press_data(stale)
    assert ALERTS["en"]["done"] in (user.callback_answers[-1].text or "")

    # A newer assessment in progress, then completed: the old button stays harmless.
    await user.send("/restart")
    await fill_profile(user, kb, "en")
    await user.press(question_set_button(user, QuestionSet.CORE))
    await user.press_data(stale)
    assert ALERTS["en"]["busy"] in (user.callback_answers[-1].text or "")
    await answer_questions(user, kb, "en", CORE_VALUES)
    await user.press_data(stale)
    assert ALERTS["en"]["outdated"] in (user.callback_answers[-1].text or "")
    assessments = await _scalar(bot, select(func.count()).select_from(Assessment))
    refined = await _scalar(
        bot,
        select(func.count()).select_from(Assessment).where(col(Assessment.refined).isnot(None)),
    )
    assert (assessments, refined) == (3, 1)  # the other person's, and two of this one


async def test_cancel_stops_a_refinement_and_keeps_the_results(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    kb = shipped_kb
    user = emulator.user(7401, language_code="fa")
    await _complete_core(user, kb, "fa")
    index = await _scalar(bot, select(col(Assessment.readiness_index)))
    await user.press(REFINE["fa"])
    await answer_questions(user, kb, "fa", [0, 0])
    await user.send("/cancel")
    assert "پرسش‌های تکمیلی متوقف شد" in (user.last_bot_message.text or "")
    assert await _scalar(bot, select(func.count()).select_from(Answer)) == 16
    assert await _scalar(bot, select(col(Assessment.readiness_index))) == index
    # The results offer the refinement again, from its first question.
    before = len(user.bot_messages)
    await user.send("/results")
    assert any(REFINE["fa"] in m.button_texts for m in user.bot_messages[before:])
    await user.press(REFINE["fa"])
    assert "— پرسش ۱ از ۶" in (user.last_bot_message.text or "")


async def test_the_service_refines_only_the_latest_completed_short_checklist(
    bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    kb = shipped_kb
    checklist = bot.runtime.services.checklist
    me, lang = 7501, "en"
    step = await checklist.start(telegram_id=me, language_code=lang)
    assert step.assessment_id is not None
    refused = await checklist.refine(
        telegram_id=me, language_code=lang, assessment_id=step.assessment_id
    )
    assert refused.refusal is Refusal.BUSY  # still in progress
    events: list[Event] = [
        SetProfile("sector", kb.profile.sectors[0].key),
        SetProfile("region", "tehran"),
        SetProfile("organisation", "Agency"),
        SetProfile("role", kb.profile.roles[0].key),
        ChooseQuestionSet(QuestionSet.CORE),
    ]
    core = kb.questions(QuestionSet.CORE)
    events += [AnswerQuestion(q.id, v) for q, v in zip(core, CORE_VALUES, strict=True)]
    for event in events:
        step = await checklist.handle(telegram_id=me, language_code=lang, event=event)
    assert step.results is not None and step.results.refinable
    assessment_id = step.results.assessment_id

    step = await checklist.refine(telegram_id=me, language_code=lang, assessment_id=assessment_id)
    assert isinstance(step.view, AskQuestion) and step.view.question.id == "cap_d2"
    assert step.refinement is not None
    assert (step.refinement.number, step.refinement.total) == (1, 6)
    # While refining, the results of the short checklist stay available.
    latest = await checklist.latest_results(telegram_id=me, language_code=lang)
    assert latest.results is not None and latest.results.refined == ()
    again = await checklist.refine(telegram_id=me, language_code=lang, assessment_id=assessment_id)
    assert isinstance(again.view, AskQuestion) and again.view.question.id == "cap_d2"
    for question, value in zip(_plan(kb).questions, DETAILED_VALUES, strict=True):
        step = await checklist.handle(
            telegram_id=me,
            language_code=lang,
            event=AnswerQuestion(question.id, value),
            assessment_id=assessment_id,
        )
    assert step.results is not None
    assert step.results.refined == _plan(kb).subfactor_keys
    assert not step.results.refinable
    capital = step.results.readiness.subfactor("capital_budgeting")
    assert (capital.answered, capital.asked) == (3, 3)
    done = await checklist.refine(telegram_id=me, language_code=lang, assessment_id=assessment_id)
    assert done.refusal is Refusal.REFINED
    someone = await checklist.refine(
        telegram_id=7502, language_code=lang, assessment_id=assessment_id
    )
    assert someone.refusal is Refusal.NOT_YOURS
