""" "Sharper with three more minutes": the detailed questions of the top priorities only.

After the short (core) checklist, the detailed questions of the few sub-factors ranked first
(knowledge/assessment.py) sharpen exactly the advice that matters most, instead of the whole
detailed checklist. The interview asks them after the core questions (knowledge/interview.py),
and `assess(..., refined=...)` scores those sub-factors on all their questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.assessment import Readiness
from knowledge.model import KnowledgeBase, Question, QuestionSet

__all__ = ["REFINE_TOP", "Refinement", "extra_questions", "refinement"]

# How many priority sub-factors the refinement offers to sharpen.
REFINE_TOP = 3


@dataclass(frozen=True, slots=True)
class Refinement:
    """The sub-factors to sharpen and their extra questions, in KB order."""

    subfactor_keys: tuple[str, ...]
    questions: tuple[Question, ...]

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to sharpen (no obstacle with questions left to ask)."""
        return not self.questions


def extra_questions(kb: KnowledgeBase, subfactor_key: str) -> tuple[Question, ...]:
    """The questions a sub-factor adds to the core checklist when it is refined."""
    asked = kb.subfactor(subfactor_key).asked_questions
    return tuple(q for q in asked if q.set is QuestionSet.DETAILED)


def refinement(kb: KnowledgeBase, readiness: Readiness, *, top: int = REFINE_TOP) -> Refinement:
    """The detailed questions of the first `top` ranked obstacles that still have some to ask."""
    if top < 0:
        raise ValueError(f"top must not be negative, got {top}")
    chosen: list[str] = []
    for priority in readiness.ranking:
        if len(chosen) == top:
            break
        result = readiness.subfactor(priority.subfactor_key)
        all_asked = result.asked >= len(kb.subfactor(result.key).asked_questions)
        if extra_questions(kb, result.key) and not all_asked:
            chosen.append(result.key)
    keys = tuple(sf.key for sf in kb.subfactors if sf.key in chosen)
    return Refinement(keys, tuple(q for key in keys for q in extra_questions(kb, key)))
