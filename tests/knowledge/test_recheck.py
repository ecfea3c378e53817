"""Closing the loop: the rule that offers a recheck, its questions, and the before/after."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from knowledge import InterviewState, KnowledgeBase, QuestionSet, assess
from knowledge.comparison import Trend
from knowledge.interview import questions_of
from knowledge.model import Effect
from knowledge.recheck import before_after, recheck_due, recheck_questions, rechecked_state


@pytest.mark.parametrize(
    ("done", "committed", "due"),
    [(0, 0, False), (0, 1, False), (1, 1, True), (1, 2, False), (2, 3, True), (2, 4, False)],
)
def test_most_means_more_than_half(done: int, committed: int, due: bool) -> None:
    assert recheck_due(done, committed) is due


def test_impossible_progress_is_refused() -> None:
    with pytest.raises(ValueError, match="impossible"):
        recheck_due(3, 2)


def _core_state(kb: KnowledgeBase, value: int = 1, refined: tuple[str, ...] = ()) -> InterviewState:
    state = InterviewState(
        profile=MappingProxyType({"sector": "x"}),
        question_set=QuestionSet.CORE,
        refined=refined,
    )
    answers = {q.id: value for q in questions_of(kb, state)}
    return InterviewState(
        profile=state.profile,
        question_set=QuestionSet.CORE,
        answers=MappingProxyType(answers),
        cursor=len(answers),
        refined=refined,
    )


def test_a_recheck_asks_only_what_the_assessment_asked_of_the_sub_factor(
    shipped_kb: KnowledgeBase,
) -> None:
    key = shipped_kb.subfactors[0].key
    core = recheck_questions(shipped_kb, _core_state(shipped_kb), key)
    refined = recheck_questions(shipped_kb, _core_state(shipped_kb, refined=(key,)), key)
    assert len(core) == 1 and core[0].set is QuestionSet.CORE
    assert len(refined) == len(shipped_kb.subfactor(key).questions) > 1
    assert all(shipped_kb.subfactor_of(q.id).key == key for q in refined)


def test_the_rechecked_state_keeps_every_other_answer(shipped_kb: KnowledgeBase) -> None:
    state = _core_state(shipped_kb)
    key = shipped_kb.subfactors[2].key
    (question,) = recheck_questions(shipped_kb, state, key)
    after = rechecked_state(shipped_kb, state, key, {question.id: 4})
    assert after.answers[question.id] == 4
    assert {q: v for q, v in after.answers.items() if q != question.id} == {
        q: v for q, v in state.answers.items() if q != question.id
    }
    assert after.cursor == state.cursor and after.question_set is state.question_set

    with pytest.raises(ValueError, match="answers exactly"):
        rechecked_state(shipped_kb, state, key, {})
    with pytest.raises(ValueError, match="scale"):
        rechecked_state(shipped_kb, state, key, {question.id: 9})


def test_before_after_names_score_band_effect_and_stage(shipped_kb: KnowledgeBase) -> None:
    state = _core_state(shipped_kb)
    key = shipped_kb.subfactors[0].key
    (question,) = recheck_questions(shipped_kb, state, key)
    before = assess(shipped_kb, QuestionSet.CORE, state.answers)
    after_state = rechecked_state(shipped_kb, state, key, {question.id: 4})
    after = assess(shipped_kb, QuestionSet.CORE, after_state.answers)

    change = before_after(before, after, key)
    assert (change.score_before, change.score_after, change.delta) == (25.0, 100.0, 75.0)
    assert (change.band_before, change.band_after) == ("started", "established")
    assert (change.effect_before, change.effect_after) == (Effect.OBSTACLE, Effect.DRIVER)
    assert change.trend is Trend.UP
    assert change.stage_before == (before.stage.key if before.stage else None)
    assert change.stage_changed is (change.stage_before != change.stage_after)

    same = before_after(before, before, key)
    assert same.delta == 0 and same.trend is Trend.SAME and not same.stage_changed
