"""Sample plan screens for the shared template tests (tests/handlers/test_templates.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

from handlers.i18n import Renderer
from handlers.plan.service import CheckIn, Offer, Overview, ShownStep
from handlers.plan.statistics import render_blockers
from handlers.plan.views import render_check_in, render_offer, render_overview
from handlers.statistics.blockers import BlockersReport
from knowledge import KnowledgeBase, Locale, QuestionSet, advise, assess
from storage.stats import Dimension
from storage.stats.plan_steps import BlockerCount, Blockers, PlanScope, StepShares

__all__ = ["plan_texts"]


def plan_texts(renderer: Renderer, kb: KnowledgeBase, locale: Locale) -> Iterator[tuple[str, ...]]:
    """The plan to commit to, /plan (empty, and with every status, paused), and a check-in."""
    answers = {q.id: 1 for q in kb.questions(QuestionSet.CORE)}
    steps = advise(kb, assess(kb, QuestionSet.CORE, answers)).plan.steps
    offer = Offer(1, steps, frozenset({steps[0].step_id}))
    yield tuple(reply.text for reply in render_offer(renderer, locale, offer))
    yield (render_overview(renderer, locale, Overview((), False, "Asia/Tehran")),)
    shown = tuple(
        ShownStep(i, step.text, step.horizon.value, date(2027, 1, 6), status, reason)
        for i, (step, status, reason) in enumerate(
            zip(
                steps,
                ("committed", "done", "in_progress", "not_started", "blocked"),
                (None, None, None, None, "legal"),
                strict=False,
            ),
            start=1,
        )
    )
    noted = ShownStep(
        9, steps[0].text, "d30", date(2027, 1, 6), "blocked", "other", "a <i>note</i>"
    )
    yield (render_overview(renderer, locale, Overview((*shown, noted), True, "Asia/Tehran")),)
    check_in = CheckIn(
        3, 1, 1, locale, steps[0].text, date(2027, 1, 6), "2027-01-06", datetime.now(UTC)
    )
    yield (render_check_in(renderer, check_in)[0],)
    sector = kb.profile.sectors[0].key
    sub = steps[0].subfactors[0]
    share = StepShares(PlanScope.STEP, steps[0].step_id, sub, sector, 7, 3 / 7, 0.0, 4 / 7)
    whole = StepShares(PlanScope.SUBFACTOR, sub, sub, sector, 9, 0.33, 0.1, 0.5)
    reasons = [BlockerCount(None, sector, "budget", 5)]
    for by in (Dimension.SECTOR, None):
        for detailed in (True, False):
            blockers = Blockers(by, [share], [whole], reasons, [])
            report = BlockersReport(kb, 5, blockers)
            yield (render_blockers(renderer, locale, report, detailed=detailed),)
    empty = BlockersReport(kb, 5, Blockers(Dimension.MONTH, [], [], [], []))
    yield (render_blockers(renderer, locale, empty),)
