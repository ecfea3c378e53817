"""Question types with their own answer scales: practice by default, agreement or frequency."""

from __future__ import annotations

import copy
from typing import Any

from knowledge import (
    AnswerQuestion,
    ChooseQuestionSet,
    InterviewState,
    KnowledgeBase,
    Notice,
    QuestionSet,
    advance,
    assess,
)
from knowledge.document import to_document
from knowledge.loader import load_kb, validate_document
from tests.knowledge.factories import make_kb

Document = dict[str, Any]
BASE = to_document(make_kb())
AGREEMENT = {
    "options": [
        {"value": v, "label": {"fa": fa, "en": en}}
        for v, (fa, en) in enumerate(
            [
                ("کاملاً مخالفم", "Strongly disagree"),
                ("مخالفم", "Disagree"),
                ("نه موافق، نه مخالف", "Neither agree nor disagree"),
                ("موافقم", "Agree"),
                ("کاملاً موافقم", "Strongly agree"),
            ]
        )
    ],
    "dont_know": {"fa": "نمی‌دانم", "en": "Don't know"},
}


def with_scales(scales: dict[str, Any], **questions: str) -> Document:
    """The small KB with named `scales` and the given questions answered on them."""
    doc = copy.deepcopy(BASE)
    doc["scales"] = scales
    for factor in doc["factors"]:
        for sf in factor["subfactors"]:
            for question in sf["questions"]:
                if question["id"] in questions:
                    question["scale"] = questions[question["id"]]
    return doc


def codes(doc: Document) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in validate_document(doc)]


def test_a_question_without_a_scale_is_answered_on_the_practice_scale() -> None:
    kb = load_kb(with_scales({"agreement": AGREEMENT}, e1="agreement"))

    assert kb.scale_of(kb.question("t1")) is kb.scale
    assert kb.scale_of(kb.question("t1")).label(0).en == "not in place"
    assert kb.scale_of(kb.question("e1")).label(0).en == "Strongly disagree"
    assert kb.scale_of(kb.question("e1")).label(None).fa == "نمی‌دانم"
    assert load_kb(to_document(kb)) == kb
    assert "scales" not in to_document(make_kb())  # a KB without named scales stays as it was


def test_the_score_is_the_same_whatever_the_labels() -> None:
    practice: KnowledgeBase = make_kb()
    typed = load_kb(with_scales({"agreement": AGREEMENT}, e1="agreement", e2="agreement"))
    answers: dict[str, int | None] = {"t1": 3, "b1": 1, "b2": 2, "e1": 4, "e2": 1}

    assert assess(typed, QuestionSet.DETAILED, answers) == assess(
        practice, QuestionSet.DETAILED, answers
    )


def test_a_question_names_a_scale_that_exists() -> None:
    assert codes(with_scales({}, e1="agreement")) == [
        ("factors[1].subfactors[0].questions[0].scale", "unknown_scale")
    ]


def test_a_named_scale_has_the_main_scales_values() -> None:
    short = copy.deepcopy(AGREEMENT)
    short["options"] = short["options"][:3]
    shifted = copy.deepcopy(AGREEMENT)
    shifted["options"][4]["value"] = 5

    assert codes(with_scales({"agreement": short})) == [
        ("scales.agreement.options", "scale_values")
    ]
    assert codes(with_scales({"agreement": shifted})) == [
        ("scales.agreement.options", "scale_values")
    ]
    (problem,) = validate_document(with_scales({"agreement": short}))
    assert problem.describe("en") == (
        "this scale's options must have the main scale's values (5 from 0 to 4)"
    )
    assert "(۵ مقدار از ۰ تا ۴)" in problem.describe("fa")


def test_an_answer_must_be_on_the_questions_own_scale() -> None:
    kb = load_kb(with_scales({"agreement": AGREEMENT}, t1="agreement"))
    state = InterviewState(
        profile={"sector": "health", "region": "national", "organisation": "X", "role": "manager"}
    )
    state = advance(kb, state, ChooseQuestionSet(QuestionSet.CORE)).state

    assert advance(kb, state, AnswerQuestion("t1", 7)).notice is Notice.INVALID_VALUE
    assert advance(kb, state, AnswerQuestion("t1", 4)).notice is None


def test_the_shipped_kb_gives_attitude_items_an_agreement_scale(shipped_kb: KnowledgeBase) -> None:
    keys = dict(shipped_kb.scales)
    assert set(keys) == {"agreement", "frequency"}
    assert [o.value for o in keys["agreement"].options] == [
        o.value for o in shipped_kb.scale.options
    ]
    typed = [q for q in shipped_kb.questions(QuestionSet.DETAILED) if q.scale is not None]
    assert typed and all(q.scale in keys for q in typed)
    # Most questions ask whether a practice is in place, on the practice scale.
    assert len(typed) < len(shipped_kb.questions(QuestionSet.DETAILED)) / 3
