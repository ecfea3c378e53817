"""Readiness -> advice tailored against the national baseline, with numbered citations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from knowledge.assessment import Readiness
from knowledge.model import Action, AdviceCase, Effect, KnowledgeBase, Reference, Text

__all__ = [
    "AdviceReport",
    "Case",
    "SubFactorAdvice",
    "advise",
    "case_for",
]


class Case(StrEnum):
    """How a sub-factor in this agency compares with the paper's national baseline."""

    EXPECTED_OBSTACLE = "expected_obstacle"
    URGENT = "urgent"
    LEVERAGE = "leverage"
    KEEP = "keep"


_CASES: Mapping[tuple[Effect, Effect], Case] = {
    (Effect.OBSTACLE, Effect.OBSTACLE): Case.EXPECTED_OBSTACLE,
    (Effect.OBSTACLE, Effect.DRIVER): Case.URGENT,
    (Effect.DRIVER, Effect.OBSTACLE): Case.LEVERAGE,
    (Effect.DRIVER, Effect.DRIVER): Case.KEEP,
}


@dataclass(frozen=True, slots=True)
class SubFactorAdvice:
    """The advice for one scored sub-factor; citations are numbers into the report's references."""

    subfactor_key: str
    case: Case
    summary: Text
    actions: tuple[Action, ...]
    citations: tuple[int, ...]
    action_citations: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class AdviceReport:
    """Advice for every scored sub-factor, the priorities, and the numbered reference list."""

    items: tuple[SubFactorAdvice, ...]
    priorities: tuple[SubFactorAdvice, ...]
    references: tuple[Reference, ...]
    unanswered: tuple[str, ...]

    def number_of(self, ref_key: str) -> int:
        """The 1-based number of a cited reference (KeyError if it is not cited)."""
        for number, reference in enumerate(self.references, start=1):
            if reference.key == ref_key:
                return number
        raise KeyError(ref_key)

    def item(self, subfactor_key: str) -> SubFactorAdvice:
        """The advice for sub-factor `subfactor_key` (KeyError if it has no score)."""
        for advice in self.items:
            if advice.subfactor_key == subfactor_key:
                return advice
        raise KeyError(subfactor_key)


def case_for(effect: Effect, baseline: Effect) -> Case:
    """The case for a sub-factor acting as `effect` here and as `baseline` nationally."""
    return _CASES[effect, baseline]


def advise(kb: KnowledgeBase, readiness: Readiness) -> AdviceReport:
    """Tailor the KB's advice to `readiness` and number every citation by first appearance."""
    chosen = [
        (result, effect, kb.subfactor(result.key).advice.for_effect(effect))
        for result in readiness.subfactors
        if (effect := result.effect) is not None
    ]
    cited = dict.fromkeys(ref for _, _, advice in chosen for ref in advice.refs)
    numbers = {key: number for number, key in enumerate(cited, start=1)}
    items = tuple(
        _item(result.key, case_for(effect, result.baseline), advice, numbers)
        for result, effect, advice in chosen
    )
    by_key = {item.subfactor_key: item for item in items}
    return AdviceReport(
        items=items,
        priorities=tuple(by_key[p.subfactor_key] for p in readiness.priorities),
        references=tuple(kb.reference(key) for key in cited),
        unanswered=tuple(r.key for r in readiness.subfactors if r.score is None),
    )


def _item(key: str, case: Case, advice: AdviceCase, numbers: Mapping[str, int]) -> SubFactorAdvice:
    action_citations = tuple(
        tuple(numbers[ref] for ref in dict.fromkeys(action.refs)) for action in advice.actions
    )
    return SubFactorAdvice(
        subfactor_key=key,
        case=case,
        summary=advice.summary,
        actions=advice.actions,
        citations=tuple(dict.fromkeys(n for per_action in action_citations for n in per_action)),
        action_citations=action_citations,
    )
