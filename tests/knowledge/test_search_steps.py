"""Searching the action steps: the advice that answers a typed question, in either language."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeBase, SearchIndex


@pytest.mark.parametrize(
    ("question", "expected", "subfactor"),
    [
        ("How do we get a budget for social media?", "propose_budget_line", "capital_budgeting"),
        ("چطور برای رسانه‌های اجتماعی بودجه بگیریم؟", "propose_budget_line", "capital_budgeting"),
        ("بودجه", "propose_budget_line", "capital_budgeting"),  # Persian for an English reader too
        ("privacy law", "legal_written_review", "legal_infrastructure"),
    ],
)
def test_the_best_step_answers_the_question(
    shipped_kb: KnowledgeBase, question: str, expected: str, subfactor: str
) -> None:
    hits = SearchIndex(shipped_kb).search_steps(question)
    assert hits[0].step_id == expected
    assert hits[0].subfactor_key == subfactor
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("question", ["xyzzy qwerty", "the of and", "؟!", ""])
def test_nothing_matches_nothing(shipped_kb: KnowledgeBase, question: str) -> None:
    assert SearchIndex(shipped_kb).search_steps(question) == ()


def test_only_steps_that_some_advice_names_are_found(shipped_kb: KnowledgeBase) -> None:
    index = SearchIndex(shipped_kb)
    named = {
        step
        for sf in shipped_kb.subfactors
        for steps in [
            *(b.steps for b in sf.advice.bands),
            *(q.low.steps for q in sf.questions if q.low),
        ]
        for step in steps
    }
    for word in ("budget", "training", "policy", "unit", "citizens"):
        assert {h.step_id for h in index.search_steps(word, limit=10)} <= named
