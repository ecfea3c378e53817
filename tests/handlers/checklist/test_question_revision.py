"""An assessment completed before the question revision reads the same after it (issue 15).

The KB as it was before the questions were revised is kept in tests/knowledge/data: a database
in service holds it as a stored revision, and the assessments completed on it must keep their
results, report, comparison and statistics when the shipped KB moves on.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from handlers.checklist.service import Results
from handlers.i18n import Renderer
from handlers.report.document import render_report_document
from knowledge import KnowledgeBase, Locale, QuestionSet, assess, compare, to_document
from knowledge.loader import load_kb, read_document
from storage import stats as stats_store
from tests.auxil.flows import (
    answer_questions,
    fill_profile,
    question_set_button,
    start_afresh,
)
from tests.auxil.harness import RunningBot
from tests.auxil.kb_flows import assert_no_error, complete_core_checklist, restart_with_revision

BEFORE_PATH = Path(__file__).parents[2] / "knowledge" / "data" / "kb_before_question_revision.yaml"
RENDERER = Renderer()


def answers_for(kb: KnowledgeBase) -> dict[str, int | None]:
    """Every detailed question answered, with each value and "don't know" in turn."""
    cycle: list[int | None] = [0, 1, 2, 3, 4, None, 4, 2, 3]
    ids = [q.id for q in kb.questions(QuestionSet.DETAILED)]
    return {qid: cycle[i % len(cycle)] for i, qid in enumerate(ids)}


async def results_of(bot: RunningBot, user: EmulatedUser, locale: Locale) -> Results:
    step = await bot.runtime.services.checklist.latest_results(
        telegram_id=user.id, language_code=locale
    )
    assert step.results is not None
    return step.results


async def results_messages(user: EmulatedUser) -> list[str]:
    """What /results shows, message by message."""
    before = len(user.bot_messages)
    await user.send("/results")
    return [m.text or m.caption or "" for m in user.bot_messages[before:]]


async def test_an_assessment_on_the_old_questions_reads_the_same_after_the_revision(
    emulator: BotApiEmulator, bot: RunningBot, settings: Settings, shipped_kb: KnowledgeBase
) -> None:
    old_kb = load_kb(read_document(BEFORE_PATH))
    # The revision retires questions the old assessment answered (issue 15).
    assert {q.id for q in shipped_kb.retired_questions()} & set(answers_for(old_kb))
    await restart_with_revision(bot, emulator, settings, to_document(old_kb))
    shown: dict[Locale, list[str]] = {}
    reports: dict[Locale, str] = {}
    users = {
        locale: emulator.user(7400 + i, language_code=locale)
        for i, locale in enumerate(("fa", "en"))
    }
    answers = answers_for(old_kb)
    for locale, user in users.items():
        await start_afresh(user)
        await fill_profile(user, old_kb, locale)
        await user.press(question_set_button(user, QuestionSet.DETAILED))
        await answer_questions(user, old_kb, locale, list(answers.values()))
        shown[locale] = await results_messages(user)
        results = await results_of(bot, user, locale)
        assert results.readiness == assess(old_kb, QuestionSet.DETAILED, answers)
        reports[locale] = render_report_document(RENDERER, locale, results, ())

    # The shipped KB (with its revised questions) becomes the active revision.
    await restart_with_revision(bot, emulator, settings, to_document(shipped_kb))

    for locale, user in users.items():
        assert await results_messages(user) == shown[locale]
        results = await results_of(bot, user, locale)
        assert results.readiness == assess(old_kb, QuestionSet.DETAILED, answers)
        assert render_report_document(RENDERER, locale, results, ()) == reports[locale]

    # A new assessment on the revised questions compares with the old one, sub-factor by
    # sub-factor, each scored under its own revision.
    user = users["en"]
    core = [3] * len(shipped_kb.questions(QuestionSet.CORE))
    await complete_core_checklist(user, shipped_kb, "en", core)
    results = await results_of(bot, user, "en")
    ids = [q.id for q in shipped_kb.questions(QuestionSet.CORE)]
    expected = compare(
        assess(old_kb, QuestionSet.DETAILED, answers),
        assess(shipped_kb, QuestionSet.CORE, dict(zip(ids, core, strict=True))),
    )
    assert results.comparison == expected
    assert [c.key for c in expected.changes] == [sf.key for sf in shipped_kb.subfactors]
    assert_no_error(user, "en")
    assert_no_error(users["fa"], "fa")

    # Statistics list the answers to retired questions under their own keys, beside the
    # questions asked now (a release with k = 1 publishes the three assessments above).
    async with bot.runtime.session_factory() as session:
        await stats_store.cut_release(session=session, k=1, every=timedelta(0))
    summary = await bot.runtime.services.statistics.summary()
    listed = [a.question_id for a in summary.instrument.answers]
    retired = [q.id for q in shipped_kb.retired_questions()]
    assert listed == [q.id for q in shipped_kb.questions(QuestionSet.DETAILED)] + retired
