"""The action plan: every advised step once, ordered by what it requires, grouped by horizon.

Rules (docs/scoring.md, "The action plan"):
- merged by step id: a step advised for several sub-factors or answers appears once, with
  every reason;
- a step's group (first 30 days, next 90 days, later) is its catalogue horizon, pushed later
  when a step it requires (directly, or through steps not in the plan) is due later;
- within a group, steps come in the order they were advised (urgent priorities first), moved
  only as far as needed to follow the steps they require (a stable topological order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.model import KnowledgeBase, Text
from knowledge.steps import HORIZONS, Horizon

__all__ = ["ActionPlan", "AdvisedStep", "PlanGroup", "PlannedStep", "Reason", "plan_actions"]


@dataclass(frozen=True, slots=True)
class AdvisedStep:
    """A catalogue step as advised to this agency: its wording for the profile, and citations."""

    step_id: str
    text: Text
    refs: tuple[str, ...]
    citations: tuple[int, ...]
    owner: str
    horizon: Horizon


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a step is in the plan: a sub-factor's band advice, or a low answer to a question."""

    subfactor_key: str
    question_id: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One step of the plan, with every reason it was advised and the steps it follows.

    `horizon` is its group in the plan; `due` the catalogue's horizon (earlier when the step
    had to wait for one it requires).
    """

    step_id: str
    text: Text
    refs: tuple[str, ...]
    citations: tuple[int, ...]
    owner: str
    horizon: Horizon
    due: Horizon
    requires: tuple[str, ...]
    reasons: tuple[Reason, ...]

    @property
    def subfactors(self) -> tuple[str, ...]:
        """The sub-factors that led to this step, in order of first reason."""
        return tuple(dict.fromkeys(reason.subfactor_key for reason in self.reasons))

    @property
    def answered_subfactors(self) -> frozenset[str]:
        """The sub-factors that led to this step through a low answer (not only their band)."""
        return frozenset(r.subfactor_key for r in self.reasons if r.question_id is not None)


@dataclass(frozen=True, slots=True)
class PlanGroup:
    """The steps of one horizon, in the order to take them."""

    horizon: Horizon
    steps: tuple[PlannedStep, ...]


@dataclass(frozen=True, slots=True)
class ActionPlan:
    """Groups for the first 30 days, the next 90 days and later (empty groups left out)."""

    groups: tuple[PlanGroup, ...]

    @property
    def steps(self) -> tuple[PlannedStep, ...]:
        """Every step, group after group, in plan order."""
        return tuple(step for group in self.groups for step in group.steps)

    def step(self, step_id: str) -> PlannedStep:
        """The planned step with `step_id` (KeyError if it is not in the plan)."""
        for step in self.steps:
            if step.step_id == step_id:
                return step
        raise KeyError(step_id)


def plan_actions(kb: KnowledgeBase, advised: Sequence[tuple[AdvisedStep, Reason]]) -> ActionPlan:
    """Merge advised steps (in the order given: most urgent first) into one ordered plan."""
    first: dict[str, AdvisedStep] = {}
    reasons: dict[str, list[Reason]] = {}
    for step, reason in advised:
        first.setdefault(step.step_id, step)
        if reason not in reasons.setdefault(step.step_id, []):
            reasons[step.step_id].append(reason)
    requires = {step_id: _planned_requirements(kb, step_id, first) for step_id in first}
    horizon: dict[str, Horizon] = {}
    for step_id in first:
        _horizon(step_id, first, requires, horizon)
    groups = []
    for group in HORIZONS:
        members = [step_id for step_id in first if horizon[step_id] is group]
        ordered = _stable_topological(members, requires)
        if ordered:
            steps = tuple(
                PlannedStep(
                    step_id=step_id,
                    text=first[step_id].text,
                    refs=first[step_id].refs,
                    citations=first[step_id].citations,
                    owner=first[step_id].owner,
                    horizon=group,
                    due=first[step_id].horizon,
                    requires=requires[step_id],
                    reasons=tuple(reasons[step_id]),
                )
                for step_id in ordered
            )
            groups.append(PlanGroup(group, steps))
    return ActionPlan(tuple(groups))


def _planned_requirements(
    kb: KnowledgeBase, step_id: str, planned: dict[str, AdvisedStep]
) -> tuple[str, ...]:
    """The planned steps `step_id` requires: directly, or through steps not in the plan."""
    found: dict[str, None] = {}
    seen: set[str] = set()
    pending = list(kb.step(step_id).requires)
    while pending:
        required = pending.pop(0)
        if required in seen:
            continue
        seen.add(required)
        if required in planned:
            found[required] = None
        else:
            pending.extend(kb.step(required).requires)
    return tuple(found)


def _horizon(
    step_id: str,
    steps: dict[str, AdvisedStep],
    requires: dict[str, tuple[str, ...]],
    memo: dict[str, Horizon],
) -> Horizon:
    """The step's own horizon, or the latest horizon of a step it requires if that is later."""
    if step_id not in memo:
        # The catalogue's requires form no cycle (checks.py), so this recursion ends.
        latest = max(
            (_horizon(r, steps, requires, memo) for r in requires[step_id]),
            key=lambda h: h.order,
            default=steps[step_id].horizon,
        )
        own = steps[step_id].horizon
        memo[step_id] = latest if latest.order > own.order else own
    return memo[step_id]


def _stable_topological(members: list[str], requires: dict[str, tuple[str, ...]]) -> list[str]:
    """`members` in their order, each moved after the members it requires (Kahn, stable)."""
    remaining = list(members)
    inside = set(members)
    placed: set[str] = set()
    ordered: list[str] = []
    while remaining:
        ready = next(
            s for s in remaining if all(r in placed or r not in inside for r in requires[s])
        )
        remaining.remove(ready)
        placed.add(ready)
        ordered.append(ready)
    return ordered
