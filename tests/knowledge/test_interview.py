"""The interview as a pure state machine, driven through the shipped knowledge base."""

from __future__ import annotations

import json
from itertools import cycle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.assessment import assess
from knowledge.interview import advance, current_view, questions_of
from knowledge.interview_state import (
    ORGANISATION_MAX_LENGTH,
    PROFILE_FIELDS,
    AnswerQuestion,
    AskProfile,
    AskQuestion,
    AskQuestionSet,
    ChooseQuestionSet,
    Completed,
    Event,
    GoBack,
    InterviewState,
    Notice,
    Refine,
    SetProfile,
    Transition,
    View,
)
from knowledge.loader import load_shipped_kb
from knowledge.model import KnowledgeBase, QuestionSet
from knowledge.refinement import refinement

PROFILE = {
    "sector": "health",
    "region": "tehran",
    "organisation": "Ministry of Health",
    "role": "senior_manager",
}
QUESTION_COUNTS = {QuestionSet.CORE: 16, QuestionSet.DETAILED: 50}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_shipped_kb()


def accept(kb: KnowledgeBase, state: InterviewState, event: Event) -> InterviewState:
    """Apply an event that must be accepted."""
    transition = advance(kb, state, event)
    assert transition.notice is None, (event, transition.notice)
    assert transition.changed
    return transition.state


def refuse(kb: KnowledgeBase, state: InterviewState, event: Event, notice: Notice) -> Transition:
    """Apply an event that must be refused with `notice`, leaving the state as it was."""
    transition = advance(kb, state, event)
    assert transition.notice is notice
    assert not transition.changed
    assert transition.state.to_dict() == state.to_dict()
    assert transition.view == current_view(kb, state)
    return transition


def with_profile(kb: KnowledgeBase, fields: int = len(PROFILE_FIELDS)) -> InterviewState:
    state = InterviewState()
    for name in PROFILE_FIELDS[:fields]:
        state = accept(kb, state, SetProfile(name, PROFILE[name]))
    return state


def at_question(kb: KnowledgeBase, question_set: QuestionSet, answered: int) -> InterviewState:
    state = accept(kb, with_profile(kb), ChooseQuestionSet(question_set))
    for _ in range(answered):
        view = current_view(kb, state)
        assert isinstance(view, AskQuestion)
        state = accept(kb, state, AnswerQuestion(view.question.id, 2))
    return state


def question_view(kb: KnowledgeBase, state: InterviewState) -> AskQuestion:
    view = current_view(kb, state)
    assert isinstance(view, AskQuestion)
    return view


def test_profile_is_asked_field_by_field_in_order(kb: KnowledgeBase) -> None:
    state = InterviewState()
    options = {
        "sector": kb.profile.sectors,
        "region": kb.profile.regions,
        "organisation": None,
        "role": kb.profile.roles,
    }

    for step, name in enumerate(PROFILE_FIELDS, start=1):
        assert current_view(kb, state) == AskProfile(name, options[name], step, 4)
        state = accept(kb, state, SetProfile(name, PROFILE[name]))

    assert current_view(kb, state) == AskQuestionSet(core_count=16, detailed_count=50)
    assert dict(state.profile) == PROFILE


@pytest.mark.parametrize(("question_set", "count"), QUESTION_COUNTS.items())
def test_answering_every_question_completes_the_interview(
    kb: KnowledgeBase, question_set: QuestionSet, count: int
) -> None:
    state = accept(kb, with_profile(kb), ChooseQuestionSet(question_set))
    values = cycle([0, 1, 2, 3, 4, None])
    given_answers: dict[str, int | None] = {}

    for _ in range(count):
        question = question_view(kb, state).question
        given_answers[question.id] = next(values)
        state = accept(kb, state, AnswerQuestion(question.id, given_answers[question.id]))

    assert current_view(kb, state) == Completed()
    assert dict(state.answers) == given_answers
    assert len(state.answers) == count
    assert state.cursor == count


@pytest.mark.parametrize("question_set", list(QuestionSet))
def test_progress_and_place_follow_kb_order(kb: KnowledgeBase, question_set: QuestionSet) -> None:
    expected = [
        (f.key, sf.key, q.id)
        for f in kb.factors
        for sf in f.subfactors
        for q in sf.questions_in(question_set)
    ]
    state = at_question(kb, question_set, answered=0)
    seen: list[tuple[str, str, str]] = []

    while not isinstance(current_view(kb, state), Completed):
        view = question_view(kb, state)
        assert (view.number, view.total) == (len(seen) + 1, len(expected))
        assert view.subfactor.factor_key == view.factor.key
        seen.append((view.factor.key, view.subfactor.key, view.question.id))
        state = accept(kb, state, AnswerQuestion(view.question.id, 3))

    assert seen == expected


def test_core_checklist_asks_the_core_question_of_each_subfactor_first_to_last(
    kb: KnowledgeBase,
) -> None:
    first, last = at_question(kb, QuestionSet.CORE, 0), at_question(kb, QuestionSet.CORE, 15)

    assert question_view(kb, first).subfactor.key == "transparency"
    assert question_view(kb, first).factor.key == "managerial"
    assert question_view(kb, last).subfactor.key == "cultural_infrastructure"
    assert question_view(kb, last).factor.key == "infrastructural"
    assert question_view(kb, last).question.set is QuestionSet.CORE


def test_back_at_the_first_profile_step_changes_nothing(kb: KnowledgeBase) -> None:
    transition = refuse(kb, InterviewState(), GoBack(), Notice.AT_START)

    assert transition.view == AskProfile("sector", kb.profile.sectors, 1, 4)


def test_back_at_the_first_question_changes_nothing(kb: KnowledgeBase) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=0)

    transition = refuse(kb, state, GoBack(), Notice.AT_START)

    assert isinstance(transition.view, AskQuestion)
    assert transition.view.number == 1


def test_back_from_the_second_question_shows_the_first_with_its_answer(
    kb: KnowledgeBase,
) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=0)
    first = question_view(kb, state).question
    state = accept(kb, state, AnswerQuestion(first.id, 3))

    view = question_view(kb, accept(kb, state, GoBack()))

    assert view.question == first
    assert view.number == 1
    assert view.previous_answer == 3
    assert view.answered_before


def test_back_to_a_dont_know_answer_shows_it_was_answered(kb: KnowledgeBase) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=0)
    first = question_view(kb, state).question
    state = accept(kb, state, AnswerQuestion(first.id, None))

    view = question_view(kb, accept(kb, state, GoBack()))

    assert view.previous_answer is None
    assert view.answered_before


def test_question_not_yet_answered_has_no_previous_answer(kb: KnowledgeBase) -> None:
    view = question_view(kb, at_question(kb, QuestionSet.DETAILED, answered=5))

    assert view.previous_answer is None
    assert not view.answered_before


def test_answering_again_after_back_replaces_the_answer(kb: KnowledgeBase) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=2)
    state = accept(kb, accept(kb, state, GoBack()), GoBack())
    first = question_view(kb, state).question

    state = accept(kb, state, AnswerQuestion(first.id, 4))

    assert len(state.answers) == 2
    assert state.answers[first.id] == 4
    assert question_view(kb, state).number == 2


def test_back_after_completion_returns_to_the_last_question(kb: KnowledgeBase) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=16)

    view = question_view(kb, accept(kb, state, GoBack()))

    assert (view.number, view.total) == (16, 16)
    assert view.previous_answer == 2


def test_back_from_the_question_set_choice_asks_the_role_again(kb: KnowledgeBase) -> None:
    state = accept(kb, with_profile(kb), GoBack())

    assert current_view(kb, state) == AskProfile("role", kb.profile.roles, 4, 4)
    assert "role" not in state.profile


def test_back_during_the_profile_asks_the_previous_field_again(kb: KnowledgeBase) -> None:
    state = accept(kb, with_profile(kb, 1), GoBack())

    assert current_view(kb, state) == AskProfile("sector", kb.profile.sectors, 1, 4)
    assert dict(state.profile) == {}


def test_dont_know_is_stored_as_none_and_moves_on(kb: KnowledgeBase) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=0)
    first = question_view(kb, state).question

    state = accept(kb, state, AnswerQuestion(first.id, None))

    assert first.id in state.answers
    assert state.answers[first.id] is None
    assert question_view(kb, state).number == 2


def test_pressing_an_answer_twice_is_stale(kb: KnowledgeBase) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=0)
    first = question_view(kb, state).question
    state = accept(kb, state, AnswerQuestion(first.id, 1))

    refuse(kb, state, AnswerQuestion(first.id, 1), Notice.STALE)
    refuse(kb, state, AnswerQuestion(first.id, 4), Notice.STALE)
    assert dict(state.answers) == {first.id: 1}


@pytest.mark.parametrize("question_id", ["cul_c2", "tra_d1", "no_such_question"])
def test_answer_for_a_question_not_shown_is_stale(kb: KnowledgeBase, question_id: str) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=0)

    refuse(kb, state, AnswerQuestion(question_id, 2), Notice.STALE)


@pytest.mark.parametrize("value", [7, 5, -1])
def test_answer_off_the_scale_is_invalid(kb: KnowledgeBase, value: int) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=0)
    question = question_view(kb, state).question

    refuse(kb, state, AnswerQuestion(question.id, value), Notice.INVALID_VALUE)


@pytest.mark.parametrize(
    ("answered", "field", "value"),
    [
        (0, "sector", "space_agency"),
        (0, "sector", "Health"),
        (1, "region", "atlantis"),
        (1, "region", "سلامت"),
        (3, "role", "king"),
        (3, "role", ""),
    ],
)
def test_unknown_profile_choice_is_invalid(
    kb: KnowledgeBase, answered: int, field: str, value: str
) -> None:
    refuse(kb, with_profile(kb, answered), SetProfile(field, value), Notice.INVALID_CHOICE)


@pytest.mark.parametrize(
    "text", ["", "   ", "\u200f\u200c", "x" * (ORGANISATION_MAX_LENGTH + 1)], ids=repr
)
def test_empty_or_too_long_organisation_is_invalid(kb: KnowledgeBase, text: str) -> None:
    state = with_profile(kb, 2)

    refuse(kb, state, SetProfile("organisation", text), Notice.INVALID_TEXT)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  سازمان   امور مالياتي  كشور ", "سازمان امور مالیاتی کشور"),
        ("شهرداری\tمنطقه ۱۲", "شهرداری منطقه 12"),
        ("o" * ORGANISATION_MAX_LENGTH, "o" * ORGANISATION_MAX_LENGTH),
        ("  " + "o" * ORGANISATION_MAX_LENGTH + "  ", "o" * ORGANISATION_MAX_LENGTH),
    ],
)
def test_organisation_is_normalised(kb: KnowledgeBase, typed: str, stored: str) -> None:
    state = with_profile(kb, 2)

    state = accept(kb, state, SetProfile("organisation", typed))

    assert state.profile["organisation"] == stored


@pytest.mark.parametrize("field", ["region", "organisation", "role", "colour"])
def test_profile_field_out_of_turn_is_stale(kb: KnowledgeBase, field: str) -> None:
    refuse(kb, InterviewState(), SetProfile(field, PROFILE.get(field, "x")), Notice.STALE)


def test_choosing_a_question_set_twice_is_stale(kb: KnowledgeBase) -> None:
    state = accept(kb, with_profile(kb), ChooseQuestionSet(QuestionSet.CORE))

    refuse(kb, state, ChooseQuestionSet(QuestionSet.DETAILED), Notice.STALE)
    refuse(kb, state, ChooseQuestionSet(QuestionSet.CORE), Notice.STALE)
    assert state.question_set is QuestionSet.CORE


def test_choosing_a_question_set_before_the_profile_is_stale(kb: KnowledgeBase) -> None:
    refuse(kb, InterviewState(), ChooseQuestionSet(QuestionSet.CORE), Notice.STALE)


def test_answer_before_choosing_a_question_set_is_stale(kb: KnowledgeBase) -> None:
    refuse(kb, with_profile(kb), AnswerQuestion("tra_c1", 2), Notice.STALE)


def test_profile_change_during_the_questions_is_stale(kb: KnowledgeBase) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=3)

    refuse(kb, state, SetProfile("sector", "education"), Notice.STALE)


@pytest.mark.parametrize("question_id", ["cul_c2", "tra_c1"])
def test_answer_after_completion_is_finished(kb: KnowledgeBase, question_id: str) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=16)

    transition = refuse(kb, state, AnswerQuestion(question_id, 4), Notice.FINISHED)

    assert transition.view == Completed()


def _went_back(kb: KnowledgeBase, state: InterviewState) -> InterviewState:
    return accept(kb, state, GoBack())


def _answer_core(kb: KnowledgeBase, values: list[int | None]) -> InterviewState:
    state = accept(kb, with_profile(kb), ChooseQuestionSet(QuestionSet.CORE))
    for value in values:
        state = accept(kb, state, AnswerQuestion(question_view(kb, state).question.id, value))
    return state


# Three obstacles among the core answers: the refinement asks only their detailed questions.
SHARPEN = [4, 4, 0, 4, 1, 4, 4, 4, 4, 4, 0, 4, 4, 4, 4, 4]


def _refining(kb: KnowledgeBase, answered: int = 0) -> InterviewState:
    state = _answer_core(kb, SHARPEN)
    offer = refinement(kb, assess(kb, QuestionSet.CORE, state.answers))
    state = accept(kb, state, Refine(offer.subfactor_keys))
    for _ in range(answered):
        state = accept(kb, state, AnswerQuestion(question_view(kb, state).question.id, 3))
    return state


def test_sharper_asks_the_detailed_questions_of_the_top_priorities_after_the_core(
    kb: KnowledgeBase,
) -> None:
    state = _answer_core(kb, SHARPEN)
    assert isinstance(current_view(kb, state), Completed)
    offer = refinement(kb, assess(kb, QuestionSet.CORE, state.answers))
    assert len(offer.subfactor_keys) == 3
    assert len(offer.questions) < len(kb.questions(QuestionSet.DETAILED)) - 16

    state = accept(kb, state, Refine(offer.subfactor_keys))
    view = question_view(kb, state)
    assert (view.number, view.total) == (17, 16 + len(offer.questions))
    assert view.question == offer.questions[0]
    for question in offer.questions:
        assert question_view(kb, state).question == question
        state = accept(kb, state, AnswerQuestion(question.id, 0))
    assert isinstance(current_view(kb, state), Completed)
    assert questions_of(kb, state) == kb.questions(QuestionSet.CORE) + offer.questions

    readiness = assess(kb, QuestionSet.CORE, state.answers, refined=state.refined)
    for key in offer.subfactor_keys:
        result = readiness.subfactor(key)
        assert result.asked == result.answered == len(kb.subfactor(key).asked_questions)


def test_back_from_the_first_sharper_question_returns_to_the_last_core_one(
    kb: KnowledgeBase,
) -> None:
    state = accept(kb, _refining(kb), GoBack())
    assert question_view(kb, state).number == 16
    assert state.refined  # going back keeps the refinement


@pytest.mark.parametrize(
    ("state_at", "keys", "notice"),
    [
        (lambda kb: at_question(kb, QuestionSet.CORE, 15), ("transparency",), Notice.STALE),
        (lambda kb: at_question(kb, QuestionSet.DETAILED, 50), ("transparency",), Notice.STALE),
        (lambda kb: _refining(kb), ("transparency",), Notice.STALE),
        (lambda kb: _answer_core(kb, SHARPEN), ("nope",), Notice.INVALID_CHOICE),
        (lambda kb: _answer_core(kb, SHARPEN), (), Notice.INVALID_CHOICE),
    ],
    ids=["before-the-end", "detailed-set", "twice", "unknown-subfactor", "nothing"],
)
def test_refine_out_of_place_is_refused(
    kb: KnowledgeBase, state_at: object, keys: tuple[str, ...], notice: Notice
) -> None:
    assert callable(state_at)
    refuse(kb, state_at(kb), Refine(keys), notice)


# Points to save and resume at, from an empty profile to a completed checklist.
RESUME_POINTS = {
    "empty": lambda kb: InterviewState(),
    "half-profile": lambda kb: with_profile(kb, 2),
    "choosing-set": lambda kb: with_profile(kb, 4),
    "first-question": lambda kb: at_question(kb, QuestionSet.CORE, 0),
    "eighth-question": lambda kb: at_question(kb, QuestionSet.CORE, 7),
    "went-back": lambda kb: _went_back(kb, at_question(kb, QuestionSet.DETAILED, 30)),
    "completed": lambda kb: at_question(kb, QuestionSet.CORE, 16),
    "refining": lambda kb: _refining(kb, 2),
}


@pytest.mark.parametrize("point", list(RESUME_POINTS))
def test_state_resumes_from_json(kb: KnowledgeBase, point: str) -> None:
    state = RESUME_POINTS[point](kb)

    restored = InterviewState.from_dict(json.loads(json.dumps(state.to_dict())))

    assert restored.to_dict() == state.to_dict()
    assert current_view(kb, restored) == current_view(kb, state)


def test_resumed_state_keeps_dont_know_answers(kb: KnowledgeBase) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=0)
    first = question_view(kb, state).question
    state = accept(kb, state, AnswerQuestion(first.id, None))

    restored = InterviewState.from_dict(json.loads(json.dumps(state.to_dict())))

    assert dict(restored.answers) == {first.id: None}
    assert restored.question_set is QuestionSet.CORE


def test_advance_does_not_modify_the_state_it_was_given(kb: KnowledgeBase) -> None:
    state = at_question(kb, QuestionSet.CORE, answered=1)
    before = state.to_dict()

    for event in (GoBack(), AnswerQuestion(question_view(kb, state).question.id, 2)):
        advance(kb, state, event)

    assert state.to_dict() == before


def _fitting_events(kb: KnowledgeBase) -> dict[str, st.SearchStrategy[Event]]:
    """Per step, events that its view invites (they may still be refused, e.g. a bad value)."""
    lists = {"sector": kb.profile.sectors, "region": kb.profile.regions, "role": kb.profile.roles}
    fitting: dict[str, st.SearchStrategy[Event]] = {
        name: st.builds(SetProfile, st.just(name), st.sampled_from([c.key for c in choices]))
        for name, choices in lists.items()
    }
    fitting["organisation"] = st.builds(SetProfile, st.just("organisation"), st.text(max_size=130))
    fitting["question_set"] = st.builds(ChooseQuestionSet, st.sampled_from(list(QuestionSet)))
    for question in kb.questions(QuestionSet.DETAILED):
        values = st.none() | st.integers(-1, 5)
        fitting[question.id] = st.builds(AnswerQuestion, st.just(question.id), values)
    keys = [sf.key for sf in kb.subfactors]
    fitting["completed"] = st.just(GoBack()) | st.builds(
        Refine, st.lists(st.sampled_from(keys), max_size=3).map(tuple)
    )
    return fitting


def _step(view: View) -> str:
    if isinstance(view, AskProfile):
        return view.field
    if isinstance(view, AskQuestion):
        return view.question.id
    return "question_set" if isinstance(view, AskQuestionSet) else "completed"


def _any_event(kb: KnowledgeBase) -> st.SearchStrategy[Event]:
    question_ids = [q.id for q in kb.questions(QuestionSet.DETAILED)] + ["nope"]
    choice_keys = [c.key for c in (*kb.profile.sectors, *kb.profile.regions, *kb.profile.roles)]
    return st.one_of(
        st.builds(
            SetProfile,
            st.sampled_from([*PROFILE_FIELDS, "colour"]),
            st.sampled_from(choice_keys) | st.text(max_size=130),
        ),
        st.builds(ChooseQuestionSet, st.sampled_from(list(QuestionSet))),
        st.builds(AnswerQuestion, st.sampled_from(question_ids), st.none() | st.integers(-2, 7)),
        st.just(GoBack()),
        st.builds(
            Refine, st.lists(st.sampled_from(["nope", "transparency"]), max_size=2).map(tuple)
        ),
    )


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_random_events_keep_the_interview_consistent(
    kb: KnowledgeBase, data: st.DataObject
) -> None:
    fitting, any_event = _fitting_events(kb), _any_event(kb)
    state = InterviewState()
    for _ in range(data.draw(st.integers(0, 100), label="events")):
        fits = data.draw(st.integers(0, 3), label="fits") > 0
        strategy = fitting[_step(current_view(kb, state))] if fits else any_event
        event = data.draw(strategy, label="event")

        transition = advance(kb, state, event)
        before, state = state, transition.state

        assert transition.view == current_view(kb, state)
        if state.question_set is None:
            assert state.cursor == 0
        else:
            assert 0 <= state.cursor <= len(questions_of(kb, state))
        if isinstance(event, AnswerQuestion) and transition.changed:
            assert dict(state.answers) == {**before.answers, event.question_id: event.value}
        else:
            assert dict(state.answers) == dict(before.answers)
        if not transition.changed:
            assert state.to_dict() == before.to_dict()
        assert all(kb.scale.is_valid(v) for v in state.answers.values())
        assert InterviewState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
