"""The stage of adoption by its conditions (Mergel & Bretschneider 2013), not by the index.

An agency is in the highest stage whose condition (`stages[].requires`) holds; the next stage's
failing condition says what holds it back. Conditions only ask for scores to be high enough,
so a higher answer never moves the stage down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.model import Condition, Effect, KnowledgeBase, Stage, StageRequirement

if TYPE_CHECKING:  # assessment.py imports this module
    from knowledge.assessment import SubFactorResult

__all__ = ["HeldBack", "place_stage", "requirement_holds"]


@dataclass(frozen=True, slots=True)
class HeldBack:
    """Why the agency is not in the next stage: the condition and the sub-factors failing it.

    For `any_at_least` every listed sub-factor fails (none reaches the band); for
    `all_drivers` the ones that are not drivers. `unanswered` are those among them with no
    score, whose state is not known.
    """

    stage: Stage
    requirement: StageRequirement
    failing: tuple[str, ...]
    unanswered: tuple[str, ...]


def requirement_holds(
    kb: KnowledgeBase, requirement: StageRequirement, results: Mapping[str, SubFactorResult]
) -> bool:
    """Whether a stage condition holds for these sub-factor results."""
    return not _failing(kb, requirement, results)


def place_stage(
    kb: KnowledgeBase, results: Iterable[SubFactorResult]
) -> tuple[Stage, HeldBack | None]:
    """The highest stage whose condition holds, and what holds the agency back from the next."""
    by_key = {r.key: r for r in results}
    reached = 0
    for i, stage in enumerate(kb.stages):
        if stage.requires is None or requirement_holds(kb, stage.requires, by_key):
            reached = i
    if reached + 1 >= len(kb.stages):
        return kb.stages[reached], None
    following = kb.stages[reached + 1]
    requirement = following.requires
    if requirement is None:  # only the first stage may lack a condition (checks.py)
        return kb.stages[reached], None
    failing = _failing(kb, requirement, by_key)
    unanswered = tuple(k for k in failing if k not in by_key or by_key[k].score is None)
    return kb.stages[reached], HeldBack(following, requirement, failing, unanswered)


def _failing(
    kb: KnowledgeBase, requirement: StageRequirement, results: Mapping[str, SubFactorResult]
) -> tuple[str, ...]:
    """The listed sub-factors that keep the condition from holding (empty when it holds)."""

    def score(key: str) -> float | None:
        result = results.get(key)
        return None if result is None else result.score

    if requirement.condition is Condition.ALL_DRIVERS:
        return tuple(
            key
            for key in requirement.subfactors
            if key not in results or results[key].effect is not Effect.DRIVER
        )
    floor = kb.band(requirement.band or "").min_score
    reached = any((s := score(key)) is not None and s >= floor for key in requirement.subfactors)
    return () if reached else requirement.subfactors
