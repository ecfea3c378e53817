"""The action plan's buttons: open a plan, commit to steps, answer a check-in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers.callbacks.codec import ID, Codec
from knowledge.block_reasons import REASON_KEY_PATTERN

__all__ = ["CHECK_IN_CODES", "CODECS", "CheckInAnswer", "CheckInReason", "CommitStep", "OpenPlan"]


@dataclass(frozen=True)
class OpenPlan:
    """Show the action plan of a completed assessment, to commit to its steps."""

    assessment_id: int


@dataclass(frozen=True)
class CommitStep:
    """Commit to step `index` of an assessment's plan; None: every first-30-day step."""

    assessment_id: int
    index: int | None


#: Check-in answers and their codes in callback data.
CHECK_IN_CODES = {"done": "d", "in_progress": "p", "not_started": "n", "blocked": "b"}
_CHECK_IN_STATUSES = {code: status for status, code in CHECK_IN_CODES.items()}


@dataclass(frozen=True)
class CheckInAnswer:
    """Answer a check-in about a committed step: done, in_progress, not_started or blocked."""

    plan_step_id: int
    status: str


@dataclass(frozen=True)
class CheckInReason:
    """Say why a committed step is blocked: a reason key of the KB (knowledge.block_reasons)."""

    plan_step_id: int
    reason: str


CODECS: tuple[Codec[Any], ...] = (
    Codec(
        OpenPlan,
        re.compile(rf"pl:{ID}"),
        lambda c: f"pl:{c.assessment_id}",
        lambda g: OpenPlan(int(g[0])),
    ),
    Codec(
        CommitStep,
        re.compile(rf"pk:{ID}:(a|0|[1-9][0-9]{{0,2}})"),
        lambda c: f"pk:{c.assessment_id}:{'a' if c.index is None else c.index}",
        lambda g: CommitStep(int(g[0]), None if g[1] == "a" else int(g[1])),
    ),
    Codec(
        CheckInAnswer,
        re.compile(rf"pc:{ID}:([dpnb])"),
        lambda c: f"pc:{c.plan_step_id}:{CHECK_IN_CODES[c.status]}",
        lambda g: CheckInAnswer(int(g[0]), _CHECK_IN_STATUSES[g[1]]),
    ),
    Codec(
        CheckInReason,
        re.compile(rf"pb:{ID}:({REASON_KEY_PATTERN})"),
        lambda c: f"pb:{c.plan_step_id}:{c.reason}",
        lambda g: CheckInReason(int(g[0]), g[1]),
    ),
)
