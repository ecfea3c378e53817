"""The values the plan use cases return: the plan offered, the steps shown, when steps fall due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from knowledge import KnowledgeBase, Text
from knowledge.plan import PlannedStep
from knowledge.steps import Horizon

__all__ = ["DUE_AFTER", "Offer", "Overview", "ShownStep"]

#: When a committed step falls due, by its group in the plan.
DUE_AFTER = {
    Horizon.D30: timedelta(days=30),
    Horizon.D90: timedelta(days=90),
    Horizon.LATER: timedelta(days=180),
}


@dataclass(frozen=True)
class Offer:
    """The action plan of a completed assessment, to pick steps from."""

    assessment_id: int
    steps: tuple[PlannedStep, ...]
    committed: frozenset[str]


@dataclass(frozen=True)
class ShownStep:
    """A committed step as /plan lists it."""

    plan_step_id: int
    text: Text
    horizon: str
    due_on: date
    status: str
    blocked_reason: str | None
    # The person's own words about a blocked step: shown to them only.
    note: str | None = None


@dataclass(frozen=True)
class Overview:
    """The person's committed steps and whether check-ins are paused."""

    steps: tuple[ShownStep, ...]
    paused: bool
    time_zone: str
    # The active KB, whose titles name the blocking reasons (None: the catalog's labels).
    kb: KnowledgeBase | None = None
