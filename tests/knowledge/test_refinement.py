""" "Sharper with three more minutes": the detailed questions of the top priorities only."""

from __future__ import annotations

import pytest

from knowledge.assessment import assess
from knowledge.model import QuestionSet
from knowledge.refinement import refinement
from tests.knowledge.factories import make_kb

CORE = QuestionSet.CORE


@pytest.mark.parametrize(
    ("answers", "top", "keys", "questions"),
    [
        # ranking: budgeting (urgent), experience (urgent), transparency
        ({"t1": 0, "b1": 0, "b2": 0, "e1": 0}, 3, ("transparency", "budgeting", "experience"),
         ("t2", "b3", "e2")),
        ({"t1": 0, "b1": 0, "b2": 0, "e1": 0}, 2, ("budgeting", "experience"), ("b3", "e2")),
        ({"t1": 0, "b1": 0, "b2": 0, "e1": 0}, 1, ("budgeting",), ("b3",)),
        ({"t1": 0, "b1": 0, "b2": 0, "e1": 0}, 0, (), ()),
        # drivers and unanswered sub-factors are not sharpened
        ({"t1": 0, "b1": 4, "b2": 4}, 3, ("transparency",), ("t2",)),
        ({"t1": 4, "b1": 4, "b2": 4, "e1": 4}, 3, (), ()),
    ],
)  # fmt: skip
def test_refinement_offers_the_detailed_questions_of_the_top_priorities_only(
    answers: dict[str, int | None],
    top: int,
    keys: tuple[str, ...],
    questions: tuple[str, ...],
) -> None:
    kb = make_kb()
    offer = refinement(kb, assess(kb, CORE, answers), top=top)
    assert offer.subfactor_keys == keys
    assert tuple(q.id for q in offer.questions) == questions
    assert offer.is_empty == (not questions)


def test_nothing_is_left_to_sharpen_after_the_detailed_checklist_or_a_refinement() -> None:
    kb = make_kb()
    zeros = {"t1": 0, "t2": 0, "b1": 0, "b2": 0, "b3": 0, "e1": 0, "e2": 0}
    assert refinement(kb, assess(kb, QuestionSet.DETAILED, zeros)).is_empty
    refined = assess(kb, CORE, zeros, refined=("budgeting",))
    assert refinement(kb, refined).subfactor_keys == ("transparency", "experience")


def test_negative_top_is_rejected() -> None:
    kb = make_kb()
    with pytest.raises(ValueError, match="top"):
        refinement(kb, assess(kb, CORE, {}), top=-1)
