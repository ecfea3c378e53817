"""Sample recheck screens for the shared template tests (tests/handlers/test_templates.py)."""

from __future__ import annotations

from collections.abc import Iterator

from handlers.checklist.recheck import RecheckStep
from handlers.checklist.recheck_views import render_recheck_offer, render_recheck_step
from handlers.checklist.steps import RecheckOffer, Results
from handlers.checklist.views import render_results
from handlers.i18n import Renderer
from knowledge import (
    AskQuestion,
    KnowledgeBase,
    Locale,
    Notice,
    QuestionSet,
    advise,
    assess,
    compare,
)
from knowledge.recheck import before_after

__all__ = ["recheck_texts"]


def recheck_texts(
    renderer: Renderer, kb: KnowledgeBase, locale: Locale
) -> Iterator[tuple[str, ...]]:
    """The offer, a question (fresh and after a stale press), and before/after with the stage
    moving and not, with and without steps."""
    key = kb.subfactors[0].key
    yield (render_recheck_offer(renderer, locale, kb, RecheckOffer(3, key, 2, 3)).text,)
    subfactor = kb.subfactor(key)
    question = subfactor.questions[0]
    view = AskQuestion(question, subfactor, kb.factor(subfactor.factor_key), 1, 3, 1, True)
    for notice in (None, Notice.STALE):
        step = RecheckStep(locale, kb, 5, view, notice=notice)
        yield (render_recheck_step(renderer, step).text,)
    core = kb.questions(QuestionSet.CORE)
    low = {q.id: 1 for q in core}
    before = assess(kb, QuestionSet.CORE, low)
    for value in (4, 1, None):
        after = assess(kb, QuestionSet.CORE, {**low, core[0].id: value})
        for steps in ((2, 3), None):
            change = before_after(before, after, kb.subfactor_of(core[0].id).key)
            step = RecheckStep(locale, kb, 5, change=change, steps=steps)
            yield (render_recheck_step(renderer, step).text,)
    policies = {q.id: 4 for q in core}
    change = before_after(before, assess(kb, QuestionSet.CORE, policies), key)
    yield (render_recheck_step(renderer, RecheckStep(locale, kb, 5, change=change)).text,)
    # The results of a recheck: the comparison shows the steps done, the keyboard an offer.
    after = assess(kb, QuestionSet.CORE, {**low, core[0].id: 4})
    results = Results(
        9,
        kb,
        after,
        advise(kb, after),
        compare(before, after),
        steps_done={key: (2, 3), kb.subfactors[1].key: (0, 1)},
        rechecks=(RecheckOffer(3, kb.subfactors[1].key, 2, 3),),
    )
    yield tuple(reply.text for reply in render_results(renderer, locale, results))
