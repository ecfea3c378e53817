"""Callback data: every inline button's payload, encoded and decoded in one place.

Each shape starts with a short prefix, carries the assessment id it belongs to (so a press is
checked against the presser's own assessment), and stays within Telegram's 64 bytes. The
shapes and their codecs live with their feature (checklist, report, evidence, admin, plan,
recheck).
"""

from __future__ import annotations

from typing import Any

from handlers.callbacks import admin, checklist, evidence, plan, recheck, report
from handlers.callbacks.admin import ConfirmForget, ConfirmUpload, ExportStats
from handlers.callbacks.checklist import (
    DONT_KNOW,
    Answer,
    Back,
    ChecklistChoice,
    ChooseLanguage,
    ChooseProfile,
    ChooseQuestionSet,
    ContinueChecklist,
    RefineResults,
)
from handlers.callbacks.codec import MAX_CALLBACK_BYTES, Codec
from handlers.callbacks.evidence import (
    EvidenceCards,
    EvidenceFactors,
    EvidenceOrigin,
    EvidenceSubFactors,
)
from handlers.callbacks.plan import (
    CHECK_IN_CODES,
    CheckInAnswer,
    CheckInReason,
    CommitStep,
    OpenPlan,
)
from handlers.callbacks.recheck import RecheckAnswer, RecheckStart
from handlers.callbacks.report import ShowCharts, ShowReport

__all__ = [
    "CHECK_IN_CODES",
    "DONT_KNOW",
    "MAX_CALLBACK_BYTES",
    "Answer",
    "Back",
    "Callback",
    "CheckInAnswer",
    "CheckInReason",
    "ChecklistChoice",
    "ChooseLanguage",
    "ChooseProfile",
    "ChooseQuestionSet",
    "CommitStep",
    "ConfirmForget",
    "ConfirmUpload",
    "ContinueChecklist",
    "EvidenceCards",
    "EvidenceFactors",
    "EvidenceOrigin",
    "EvidenceSubFactors",
    "ExportStats",
    "OpenPlan",
    "RecheckAnswer",
    "RecheckStart",
    "RefineResults",
    "ShowCharts",
    "ShowReport",
    "decode",
    "encode",
]

Callback = (
    ChooseLanguage
    | ChooseProfile
    | ChooseQuestionSet
    | Answer
    | Back
    | ConfirmForget
    | ChecklistChoice
    | ContinueChecklist
    | ShowCharts
    | RefineResults
    | ShowReport
    | ConfirmUpload
    | EvidenceFactors
    | EvidenceSubFactors
    | EvidenceCards
    | ExportStats
    | OpenPlan
    | CommitStep
    | CheckInAnswer
    | CheckInReason
    | RecheckStart
    | RecheckAnswer
)

_CODECS: tuple[Codec[Any], ...] = (
    *checklist.CODECS,
    admin.FORGET,
    *report.CODECS,
    *admin.CODECS,
    *evidence.CODECS,
    *plan.CODECS,
    *recheck.CODECS,
)
_BY_KIND: dict[type[Any], Codec[Any]] = {codec.kind: codec for codec in _CODECS}


def encode(callback: Callback) -> str:
    """The callback data for `callback`; raises ValueError past 64 bytes."""
    data = _BY_KIND[type(callback)].encode(callback)
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    """The callback that `data` encodes, or None for anything malformed or unknown."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    for codec in _CODECS:
        match = codec.pattern.fullmatch(data)
        if match is not None:
            decoded: Callback = codec.decode(match.groups())
            return decoded
    return None
