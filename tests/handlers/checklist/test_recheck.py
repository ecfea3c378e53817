"""Closing the loop, end to end through the emulator: commit to steps, answer most of one
sub-factor's check-ins done, get the offer (once), answer only that sub-factor again, see the
before/after; the comparison and the report show the steps done; stale and forged buttons."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from bot.emulator import BotApiEmulator, EmulatedUser
from handlers.i18n import Renderer
from handlers.report.document import render_report_document
from knowledge import KnowledgeBase, Locale, QuestionSet
from storage.models import Answer, Assessment, AssessmentStatus
from storage.plans import PlanStep
from storage.rechecks import SubFactorRecheck
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot
from tests.handlers.plan.test_plan import local, run_job

COMMIT = {"fa": "تعهد به گام‌های برنامه", "en": "Commit to plan steps"}
ALL_D30 = {"fa": "همه گام‌های ۳۰ روز نخست", "en": "All first-30-day steps"}
OFFER = {"fa": "بیشتر گام‌های شما برای", "en": "Most of your steps for"}
AGAIN = {"fa": "پاسخ دوباره", "en": "Answering again"}
AFTER = {"fa": "پیش و پس از پاسخ دوباره", "en": "before and after answering again"}
SCORE = {"fa": "امتیاز: ۲۵ ← ۱۰۰ (\u2068+۷۵\u2069)", "en": "Score: 25 → 100 (\u2068+75\u2069)"}
FLIPPED = {"fa": "اکنون پیشران", "en": "now a driver"}


def _digits(locale: Locale, text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) if locale == "fa" else text


async def _rows(bot: RunningBot, table: type, *where: Any) -> list[Any]:
    async with bot.runtime.session_factory() as session:
        statement: Any = select(table).where(*where)
        if hasattr(table, "id"):
            statement = statement.order_by(col(table.id))
        return list((await session.execute(statement)).scalars())


async def _count(bot: RunningBot, statement: object) -> int:
    async with bot.runtime.session_factory() as session:
        return int(await session.scalar(statement) or 0)  # type: ignore[call-overload]


async def _committed(user: EmulatedUser, kb: KnowledgeBase, locale: Locale) -> None:
    """The short checklist answered low everywhere, then every first-30-day step committed."""
    await user.send("/start")
    await fill_profile(user, kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, kb, locale, [1] * len(kb.questions(QuestionSet.CORE)))
    await user.press(COMMIT[locale])
    await user.press(ALL_D30[locale])


def _offers(user: EmulatedUser, locale: Locale) -> list[str]:
    return [m.text or "" for m in user.bot_messages if OFFER[locale] in (m.text or "")]


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 31001), ("en", 31002)])
async def test_most_steps_done_offers_a_recheck_of_that_sub_factor_and_shows_the_delta(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
) -> None:
    user = emulator.user(user_id, language_code=locale)
    await _committed(user, shipped_kb, locale)
    steps: list[PlanStep] = await _rows(bot, PlanStep)
    counts = Counter(step.subfactor_key for step in steps)
    key, committed = counts.most_common(1)[0]
    mine = [step for step in steps if step.subfactor_key == key]
    most = committed // 2 + 1
    title = shipped_kb.subfactor(key).title.get(locale)
    # Every step falls due and is asked about once (one check-in a day).
    for day in range(len(steps)):
        await run_job(bot, local(locale, 31 + day, 10))
    check_ins = {
        int(data.split(":")[1]): message.message_id
        for message in user.bot_messages
        for row in message.buttons
        for _, data in row
        if data and data.startswith("pc:") and data.endswith(":d")
    }
    assert set(check_ins) == {step.id for step in steps}
    ids = [step.id for step in mine if step.id is not None]

    # Too few of this sub-factor's steps done, or one blocked: no offer yet.
    for step_id in ids[: most - 1]:
        await user.press_data(f"pc:{step_id}:d", check_ins[step_id])
    if most < committed:
        await user.press_data(f"pc:{ids[-1]}:b", check_ins[ids[-1]])
    assert _offers(user, locale) == []
    # Most of them done: the offer, once, with its button.
    await user.press_data(f"pc:{ids[most - 1]}:d", check_ins[ids[most - 1]])
    offers = _offers(user, locale)
    assert len(offers) == 1 and title in offers[0]
    assert _digits(locale, f"{most}") in offers[0]

    # /plan lists it too.
    await user.send("/plan")
    listed = user.last_bot_message
    heading = re.sub(r"<[^>]+>", "", Renderer().text(locale, "recheck_offers"))
    assert heading in (listed.text or "")
    assert [data for row in listed.buttons for _, data in row] == [
        f"rs:{mine[0].assessment_id}:{key}"
    ]
    # The offer also stands under the results; take it from the offer message.
    shown = len(user.bot_messages)
    await user.send("/results")
    under_results = [
        data for m in user.bot_messages[shown:] for row in m.buttons for _, data in row if data
    ]
    assert f"rs:{mine[0].assessment_id}:{key}" in under_results
    offer = next(m for m in user.bot_messages if OFFER[locale] in (m.text or ""))
    ((text, data),) = offer.buttons[0]
    assert data == f"rs:{mine[0].assessment_id}:{key}" and title in text
    await user.press_data(data, offer.message_id)
    question = user.last_bot_message
    assert AGAIN[locale] in (question.text or "") and title in (question.text or "")
    asked = [
        q
        for q in shipped_kb.questions(QuestionSet.CORE)
        if shipped_kb.subfactor_of(q.id).key == key
    ]
    assert len(asked) == 1 and asked[0].text.get(locale) in (question.text or "")

    # A forged recheck id is someone else's; an answer off the scale is refused.
    recheck_id = (await _rows(bot, SubFactorRecheck))[0].id
    await user.press_data(f"ra:{recheck_id + 1000}:0:4", question.message_id)
    assert Renderer().text(locale, "not_yours") == user.callback_answers[-1].text
    await user.press_data(f"ra:{recheck_id}:0:9", question.message_id)
    assert Renderer().text(locale, "invalid_button") == user.callback_answers[-1].text

    await answer_questions(user, shipped_kb, locale, [4])
    result = user.last_bot_message.text or ""
    assert AFTER[locale] in result and title in result
    assert SCORE[locale] in result and FLIPPED[locale] in result
    done_steps = sum(
        1
        for s in await _rows(bot, PlanStep, col(PlanStep.subfactor_key) == key)
        if s.status == "done"
    )
    assert _digits(locale, f"{done_steps}") in result

    # The old question's buttons are stale now; the offer's button says it was taken.
    await user.press_data(f"ra:{recheck_id}:0:2", question.message_id)
    assert Renderer().text(locale, "recheck_closed") == user.callback_answers[-1].text
    await user.press_data(data, offer.message_id)
    assert Renderer().text(locale, "recheck_done") == user.callback_answers[-1].text

    # Stored as a new completed assessment: the other answers carried over, one changed.
    done = await _rows(bot, Assessment, col(Assessment.status) == AssessmentStatus.COMPLETED)
    assert len(done) == 2
    before, after = done
    answers = {
        a.id: {
            r.question_id: r.value
            for r in await _rows(bot, Answer, col(Answer.assessment_id) == a.id)
        }
        for a in done
    }
    assert answers[after.id] == {**answers[before.id], asked[0].id: 4}
    assert (after.sector, after.region, after.organisation) == (
        before.sector,
        before.region,
        before.organisation,
    )

    # /results: the comparison with the previous assessment shows the steps done; no offer left.
    shown = len(user.bot_messages)
    await user.send("/results")
    comparison = next(
        m.text or ""
        for m in user.bot_messages[::-1]
        if Renderer().text(locale, "comparison_title") in (m.text or "")
    )
    steps_line = Renderer().text(locale, "comparison_steps", done=done_steps, committed=committed)
    assert steps_line in comparison
    assert not any(
        (d or "").startswith("rs:")
        for m in user.bot_messages[shown:]
        for row in m.buttons
        for _, d in row
    )
    # Nothing more on offer under /plan.
    await user.send("/plan")
    assert not any(
        data.startswith("rs:") for row in user.last_bot_message.buttons for _, data in row if data
    )

    # The report shows the steps done per sub-factor, before and after.
    services = bot.runtime.services
    latest = await services.checklist.latest_results(telegram_id=user_id, language_code=locale)
    assert latest.results is not None and latest.results.assessment_id == after.id
    html = render_report_document(services.renderer, locale, latest.results, [])
    assert Renderer().text(locale, "document", "steps_done") in html
    assert (
        Renderer().text(locale, "document", "steps_value", done=done_steps, committed=committed)
        in html
    )
