"""Retired questions: never asked again, yet their key keeps its meaning for stored answers."""

from __future__ import annotations

import copy
from pathlib import Path
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
    compare,
)
from knowledge.document import count_summary, to_document
from knowledge.loader import load_kb, read_document, validate_document
from knowledge.refinement import extra_questions
from tests.knowledge.factories import make_kb

T = "factors[0].subfactors[0]"  # transparency: t1 core, t2 detailed (low -> adopt_policy)
B = "factors[0].subfactors[1]"  # budgeting: b1 core, b2 core, b3 detailed
Document = dict[str, Any]
BEFORE = to_document(make_kb())


def revised(**retired: dict[str, Any]) -> Document:
    """The small KB's document with the named questions retired as given."""
    doc = copy.deepcopy(BEFORE)
    for factor in doc["factors"]:
        for sf in factor["subfactors"]:
            for question in sf["questions"]:
                if question["id"] in retired:
                    question["retired"] = retired[question["id"]]
    return doc


def codes(doc: Document) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in validate_document(doc)]


def test_a_retired_question_is_never_asked_but_still_named() -> None:
    kb = load_kb(revised(t2={"replaced_by": ["t1"]}, b3={}))

    assert [q.id for q in kb.questions(QuestionSet.DETAILED)] == ["t1", "b1", "b2", "e1", "e2"]
    assert [q.id for q in kb.retired_questions()] == ["t2", "b3"]
    assert kb.has_question("t2") and kb.subfactor_of("t2").key == "transparency"
    assert kb.question("t2").retired is not None
    assert kb.question("t2").retired.replaced_by == ("t1",)
    assert extra_questions(kb, "transparency") == ()
    assert count_summary(kb)["questions"] == 5


def test_retirement_survives_export_and_import() -> None:
    doc = revised(t2={"replaced_by": ["t1"], "reason": {"fa": "ادغام شد", "en": "merged"}})
    kb = load_kb(doc)

    exported = to_document(kb)

    assert load_kb(exported) == kb
    assert exported["factors"][0]["subfactors"][0]["questions"][1]["retired"] == {
        "replaced_by": ["t1"],
        "reason": {"fa": "ادغام شد", "en": "merged"},
    }
    texts = dict(kb.iter_texts())
    assert texts[f"{T}.questions[1].retired.reason"].en == "merged"


def test_a_replacement_must_be_a_question_still_asked() -> None:
    assert codes(revised(t2={"replaced_by": ["nope"]})) == [
        (f"{T}.questions[1].retired.replaced_by[0]", "unknown_question")
    ]
    assert codes(revised(t2={"replaced_by": ["b3"]}, b3={})) == [
        (f"{T}.questions[1].retired.replaced_by[0]", "replaced_by_retired")
    ]
    (problem,) = validate_document(revised(t2={"replaced_by": ["nope"]}))
    assert problem.describe("fa") == "شناسه پرسش ناشناخته «nope»"


def test_every_subfactor_keeps_a_core_question_that_is_asked() -> None:
    assert codes(revised(t1={"replaced_by": ["t2"]})) == [(f"{T}.questions", "core_question")]
    assert codes(revised(b1={"replaced_by": ["b2"]})) == []  # b2 is core too


def test_a_retired_questions_low_step_may_join_a_band() -> None:
    doc = revised(t2={})
    doc["factors"][0]["subfactors"][0]["advice"]["bands"]["absent"]["steps"].append("adopt_policy")
    assert codes(doc) == []
    doc = copy.deepcopy(BEFORE)
    doc["factors"][0]["subfactors"][0]["advice"]["bands"]["absent"]["steps"].append("adopt_policy")
    assert "band_step_is_low" in {code for _, code in codes(doc)}


def test_an_old_assessment_reads_the_same_and_compares_across_the_revision() -> None:
    old_kb, new_kb = load_kb(BEFORE), load_kb(revised(t2={"replaced_by": ["t1"]}))
    answers = {"t1": 4, "t2": 0, "b1": 2, "b2": 3, "b3": 1, "e1": 4, "e2": None}
    before = assess(old_kb, QuestionSet.DETAILED, answers)

    # The old assessment is scored under its own revision: the same result as ever.
    assert assess(old_kb, QuestionSet.DETAILED, answers) == before
    assert before.subfactor("transparency").score == 25.0  # t2 weighs 3
    # Under the new revision the retired answer no longer counts, and nothing breaks.
    after = assess(new_kb, QuestionSet.DETAILED, answers)
    assert after.subfactor("transparency").score == 100.0
    assert after.subfactor("transparency").asked == 1
    change = compare(before, after).changes[0]
    assert (change.key, change.before, change.after) == ("transparency", 25.0, 100.0)


def test_a_new_interview_refuses_an_answer_to_a_retired_question() -> None:
    kb = load_kb(revised(t2={"replaced_by": ["t1"]}))
    state = InterviewState(
        profile={"sector": "health", "region": "national", "organisation": "X", "role": "manager"}
    )
    state = advance(kb, state, ChooseQuestionSet(QuestionSet.DETAILED)).state
    state = advance(kb, state, AnswerQuestion("t1", 3)).state

    refused = advance(kb, state, AnswerQuestion("t2", 3))

    assert refused.notice is Notice.STALE
    assert advance(kb, state, AnswerQuestion("b1", 3)).notice is None


def test_the_shipped_revision_keeps_every_earlier_key(shipped_kb: KnowledgeBase) -> None:
    """No question of the KB before the revision vanished or was reused for something else."""
    before = load_kb(
        read_document(Path(__file__).parent / "data" / "kb_before_question_revision.yaml")
    )
    retired = {q.id for q in shipped_kb.retired_questions()}

    assert retired  # the revision of issue 15 retired questions
    for question in before.questions(QuestionSet.DETAILED):
        assert shipped_kb.has_question(question.id), question.id
        now = shipped_kb.question(question.id)
        if question.id not in retired:  # still asked: the same question on the same scale
            assert now.text.en == question.text.en, question.id
            assert shipped_kb.scale_of(now) == before.scale_of(question), question.id
    for question in shipped_kb.retired_questions():
        assert question.retired is not None and question.retired.replaced_by, question.id
        assert all(not shipped_kb.question(r).is_retired for r in question.retired.replaced_by)
        assert question.scale is None  # asked on the practice scale, as it was
