"""Sample plan screens for the shared template tests (tests/handlers/test_templates.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

from handlers.i18n import Renderer
from handlers.plan.service import CheckIn, Offer, Overview, ShownStep
from handlers.plan.statistics import render_blockers
from handlers.plan.views import render_check_in, render_offer, render_overview
from knowledge import KnowledgeBase, Locale, QuestionSet, advise, assess
from storage.stats.plan_steps import BlockerCount, StepTally

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
    tallies = [
        StepTally(
            steps[0].step_id, steps[0].subfactors[0], sector, 7, {"done": 3, "blocked": 4}, False
        ),
        StepTally(steps[1].step_id, steps[1].subfactors[0], None, 0, {}, True),
    ]
    reasons = [BlockerCount(sector, "budget", 4, 3, False), BlockerCount(None, "legal", 0, 0, True)]
    yield (render_blockers(renderer, locale, kb, tallies, reasons, k=5),)
    yield (render_blockers(renderer, locale, kb, [], [], k=5),)
