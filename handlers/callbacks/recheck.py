"""Closing the loop's buttons: take a sub-factor's recheck offer, and answer its questions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers.callbacks.checklist import DONT_KNOW
from handlers.callbacks.codec import ID, KEY, Codec

__all__ = ["CODECS", "RecheckAnswer", "RecheckStart"]


@dataclass(frozen=True)
class RecheckStart:
    """Re-answer `subfactor_key`, most of whose steps under plan `assessment_id` are done."""

    assessment_id: int
    subfactor_key: str


@dataclass(frozen=True)
class RecheckAnswer:
    """Answer question `position` (from 0) of recheck `recheck_id`; `value` None: don't know."""

    recheck_id: int
    position: int
    value: int | None


CODECS: tuple[Codec[Any], ...] = (
    Codec(
        RecheckStart,
        re.compile(rf"rs:{ID}:{KEY}"),
        lambda c: f"rs:{c.assessment_id}:{c.subfactor_key}",
        lambda g: RecheckStart(int(g[0]), g[1]),
    ),
    Codec(
        RecheckAnswer,
        re.compile(rf"ra:{ID}:(0|[1-9][0-9]{{0,2}}):([0-9]|{DONT_KNOW})"),
        lambda c: f"ra:{c.recheck_id}:{c.position}:{DONT_KNOW if c.value is None else c.value}",
        lambda g: RecheckAnswer(int(g[0]), int(g[1]), None if g[2] == DONT_KNOW else int(g[2])),
    ),
)
