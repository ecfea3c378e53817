"""Closing the loop: once most of a sub-factor's committed steps are done, ask it again.

The person re-answers only that sub-factor's questions (those the assessment asked of it);
every other answer is carried over, so the before/after shows what the work changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from knowledge.assessment import Readiness
from knowledge.comparison import Trend, trend_of
from knowledge.interview import questions_of
from knowledge.interview_state import AskQuestion, InterviewState
from knowledge.model import Effect, KnowledgeBase, Question

__all__ = [
    "RECHECK_SHARE",
    "SubFactorBeforeAfter",
    "before_after",
    "recheck_due",
    "recheck_questions",
    "recheck_view",
    "rechecked_state",
]

#: The share of a sub-factor's committed steps that must be done (strictly more) to offer it.
RECHECK_SHARE = 0.5


def recheck_due(done: int, committed: int) -> bool:
    """Whether `done` of `committed` steps is most of them: more than RECHECK_SHARE."""
    if done < 0 or committed < 0 or done > committed:
        raise ValueError(f"impossible progress: {done} done of {committed} committed")
    return committed > 0 and done > committed * RECHECK_SHARE


def recheck_questions(
    kb: KnowledgeBase, state: InterviewState, subfactor_key: str
) -> tuple[Question, ...]:
    """The questions the assessment asked of `subfactor_key`, in the order it asked them."""
    return tuple(q for q in questions_of(kb, state) if kb.subfactor_of(q.id).key == subfactor_key)


def recheck_view(
    kb: KnowledgeBase, state: InterviewState, subfactor_key: str, position: int
) -> AskQuestion:
    """The recheck's question at `position`, numbered within the recheck, with the answer the
    re-answered assessment gave it."""
    questions = recheck_questions(kb, state, subfactor_key)
    question = questions[position]
    subfactor = kb.subfactor(subfactor_key)
    return AskQuestion(
        question=question,
        subfactor=subfactor,
        factor=kb.factor(subfactor.factor_key),
        number=position + 1,
        total=len(questions),
        previous_answer=state.answers.get(question.id),
        answered_before=question.id in state.answers,
    )


def rechecked_state(
    kb: KnowledgeBase,
    state: InterviewState,
    subfactor_key: str,
    answers: Mapping[str, int | None],
) -> InterviewState:
    """A completed state like `state` with the sub-factor's questions answered anew.

    `answers` must answer exactly the sub-factor's questions (ValueError otherwise).
    """
    asked = {q.id for q in recheck_questions(kb, state, subfactor_key)}
    if not asked or set(answers) != asked:
        raise ValueError(f"a recheck of {subfactor_key!r} answers exactly {sorted(asked)}")
    if any(not kb.scale.is_valid(value) for value in answers.values()):
        raise ValueError("an answer is off the KB's scale")
    kept = {qid: value for qid, value in state.answers.items() if qid not in asked}
    return replace(
        state,
        answers=MappingProxyType({**kept, **answers}),
        cursor=len(questions_of(kb, state)),
    )


@dataclass(frozen=True, slots=True)
class SubFactorBeforeAfter:
    """One sub-factor before and after its recheck: score, band, effect, and the stage."""

    key: str
    score_before: float | None
    score_after: float | None
    band_before: str | None
    band_after: str | None
    effect_before: Effect | None
    effect_after: Effect | None
    stage_before: str | None
    stage_after: str | None
    trend: Trend

    @property
    def delta(self) -> float | None:
        """After minus before; None when either side has no score."""
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before

    @property
    def stage_changed(self) -> bool:
        """Whether the agency's stage moved with the recheck."""
        return self.stage_before != self.stage_after


def before_after(before: Readiness, after: Readiness, subfactor_key: str) -> SubFactorBeforeAfter:
    """The sub-factor's result in `before` and `after` (KeyError if either lacks it)."""
    old, new = before.subfactor(subfactor_key), after.subfactor(subfactor_key)
    return SubFactorBeforeAfter(
        key=subfactor_key,
        score_before=old.score,
        score_after=new.score,
        band_before=old.band,
        band_after=new.band,
        effect_before=old.effect,
        effect_after=new.effect,
        stage_before=before.stage.key if before.stage is not None else None,
        stage_after=after.stage.key if after.stage is not None else None,
        trend=trend_of(old.score, new.score),
    )
