"""The checklist as a pure state machine: (state, event) -> (state, what to show).

The values it works on (state, events, views) live in knowledge/interview_state.py.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

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
    InterviewState,
    Notice,
    Refine,
    SetProfile,
    Transition,
    View,
)
from knowledge.model import Choice, KnowledgeBase, Locale, Question, QuestionSet
from knowledge.refinement import extra_questions
from knowledge.steps import NATIONAL_REGION
from knowledge.text import normalise_text

__all__ = ["advance", "current_view", "options_in_order", "questions_of"]


# The Persian alphabet, in dictionary order (Unicode's order puts پ چ ژ گ ک ی after the rest).
_PERSIAN_ALPHABET = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_PERSIAN_RANK = {letter: rank for rank, letter in enumerate(_PERSIAN_ALPHABET)}
_PERSIAN_RANK.update({"أ": 1, "إ": 1, "ك": _PERSIAN_RANK["ک"], "ي": _PERSIAN_RANK["ی"]})


def _alphabetical(text: str) -> tuple[int, ...]:
    """A sort key that orders Persian words as a Persian dictionary does (Latin after)."""
    return tuple(_PERSIAN_RANK.get(c, 100 + ord(c)) for c in text if c not in " \u200c")


def options_in_order(field: str, options: tuple[Choice, ...], locale: Locale) -> tuple[Choice, ...]:
    """A profile list as a reader of `locale` looks for it: regions alphabetically in that
    language, with the national level first; other lists keep the KB's order."""
    if field != "region":
        return options
    national = tuple(c for c in options if c.key == NATIONAL_REGION)
    provinces = sorted(
        (c for c in options if c.key != NATIONAL_REGION),
        key=lambda c: (
            _alphabetical(c.label.fa)
            if locale == "fa"
            else tuple(ord(ch) for ch in c.label.en.casefold())
        ),
    )
    return national + tuple(provinces)


def _options(kb: KnowledgeBase, name: str) -> tuple[Choice, ...] | None:
    lists = {"sector": kb.profile.sectors, "region": kb.profile.regions, "role": kb.profile.roles}
    return lists.get(name)


def questions_of(kb: KnowledgeBase, state: InterviewState) -> tuple[Question, ...]:
    """The questions this respondent is asked: the chosen set, then any refinement's."""
    if state.question_set is None:
        return ()
    extra = tuple(q for key in state.refined for q in extra_questions(kb, key))
    return kb.questions(state.question_set) + extra


def _missing_profile_field(state: InterviewState) -> str | None:
    return next((name for name in PROFILE_FIELDS if not state.profile.get(name)), None)


def current_view(kb: KnowledgeBase, state: InterviewState) -> View:
    """What the respondent should see now, computed from the state alone."""
    missing = _missing_profile_field(state)
    if missing is not None:
        return AskProfile(
            field=missing,
            options=_options(kb, missing),
            step=PROFILE_FIELDS.index(missing) + 1,
            steps=len(PROFILE_FIELDS),
        )
    if state.question_set is None:
        return AskQuestionSet(
            core_count=len(kb.questions(QuestionSet.CORE)),
            detailed_count=len(kb.questions(QuestionSet.DETAILED)),
        )
    questions = questions_of(kb, state)
    if state.cursor >= len(questions):
        return Completed()
    question = questions[state.cursor]
    subfactor = kb.subfactor_of(question.id)
    return AskQuestion(
        question=question,
        subfactor=subfactor,
        factor=kb.factor(subfactor.factor_key),
        number=state.cursor + 1,
        total=len(questions),
        previous_answer=state.answers.get(question.id),
        answered_before=question.id in state.answers,
    )


def advance(kb: KnowledgeBase, state: InterviewState, event: Event) -> Transition:
    """Apply one event; an event that does not fit leaves the state as it was, with a notice."""
    if isinstance(event, SetProfile):
        return _set_profile(kb, state, event)
    if isinstance(event, ChooseQuestionSet):
        return _choose_question_set(kb, state, event)
    if isinstance(event, AnswerQuestion):
        return _answer(kb, state, event)
    if isinstance(event, Refine):
        return _refine(kb, state, event)
    return _go_back(kb, state)


def _refuse(kb: KnowledgeBase, state: InterviewState, notice: Notice) -> Transition:
    return Transition(state, current_view(kb, state), notice)


def _accept(kb: KnowledgeBase, state: InterviewState) -> Transition:
    return Transition(state, current_view(kb, state))


def _set_profile(kb: KnowledgeBase, state: InterviewState, event: SetProfile) -> Transition:
    if _missing_profile_field(state) != event.field:
        return _refuse(kb, state, Notice.STALE)
    options = _options(kb, event.field)
    if options is None:
        value = normalise_text(event.value)
        if not value or len(value) > ORGANISATION_MAX_LENGTH:
            return _refuse(kb, state, Notice.INVALID_TEXT)
    elif any(choice.key == event.value for choice in options):
        value = event.value
    else:
        return _refuse(kb, state, Notice.INVALID_CHOICE)
    profile = MappingProxyType({**state.profile, event.field: value})
    return _accept(kb, replace(state, profile=profile))


def _choose_question_set(
    kb: KnowledgeBase, state: InterviewState, event: ChooseQuestionSet
) -> Transition:
    if _missing_profile_field(state) is not None or state.question_set is not None:
        return _refuse(kb, state, Notice.STALE)
    return _accept(kb, replace(state, question_set=event.question_set, cursor=0))


def _answer(kb: KnowledgeBase, state: InterviewState, event: AnswerQuestion) -> Transition:
    view = current_view(kb, state)
    if isinstance(view, Completed):
        return Transition(state, view, Notice.FINISHED)
    if not isinstance(view, AskQuestion) or view.question.id != event.question_id:
        return _refuse(kb, state, Notice.STALE)
    if not kb.scale_of(view.question).is_valid(event.value):
        return _refuse(kb, state, Notice.INVALID_VALUE)
    answers = MappingProxyType({**state.answers, event.question_id: event.value})
    return _accept(kb, replace(state, answers=answers, cursor=state.cursor + 1))


def _refine(kb: KnowledgeBase, state: InterviewState, event: Refine) -> Transition:
    view = current_view(kb, state)
    if not isinstance(view, Completed) or state.question_set is not QuestionSet.CORE:
        return _refuse(kb, state, Notice.STALE)
    if state.refined:
        return _refuse(kb, state, Notice.STALE)
    known = {sf.key for sf in kb.subfactors}
    keys = tuple(dict.fromkeys(event.subfactor_keys))
    if not keys or any(k not in known or not extra_questions(kb, k) for k in keys):
        return _refuse(kb, state, Notice.INVALID_CHOICE)
    # KB order, so that the extra questions come grouped by factor like the checklist.
    ordered = tuple(sf.key for sf in kb.subfactors if sf.key in keys)
    return _accept(kb, replace(state, refined=ordered))


def _go_back(kb: KnowledgeBase, state: InterviewState) -> Transition:
    view = current_view(kb, state)
    if isinstance(view, AskQuestion | Completed) and state.cursor > 0:
        return _accept(kb, replace(state, cursor=state.cursor - 1))
    if isinstance(view, AskProfile) and view.step > 1:
        previous = PROFILE_FIELDS[view.step - 2]
        profile = {k: v for k, v in state.profile.items() if k != previous}
        return _accept(kb, replace(state, profile=MappingProxyType(profile)))
    if isinstance(view, AskQuestionSet):
        profile = {k: v for k, v in state.profile.items() if k != PROFILE_FIELDS[-1]}
        return _accept(kb, replace(state, profile=MappingProxyType(profile)))
    return _refuse(kb, state, Notice.AT_START)
