"""A recheck question offers the same answer buttons as the checklist: the question's own scale."""

from __future__ import annotations

import pytest

from handlers.checklist.recheck import RecheckStep
from handlers.checklist.recheck_views import render_recheck_step
from handlers.i18n import Renderer
from knowledge import AskQuestion, KnowledgeBase, Locale


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_a_recheck_question_is_answered_on_its_own_scale(
    shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    kb = shipped_kb
    scaled = [q for sf in kb.subfactors for q in sf.asked_questions if q.scale is not None]
    assert scaled, "the shipped KB has questions on an agreement or frequency scale"
    for question in scaled:
        subfactor = kb.subfactor_of(question.id)
        view = AskQuestion(question, subfactor, kb.factor(subfactor.factor_key), 1, 2, None, True)
        reply = render_recheck_step(Renderer(), RecheckStep(locale, kb, 5, view))
        assert reply.keyboard is not None
        labels = [button.text for row in reply.keyboard.inline_keyboard for button in row]
        scale = kb.scale_of(question)
        assert scale != kb.scale
        assert labels == [o.label.get(locale) for o in scale.options] + [
            scale.dont_know.get(locale)
        ]
