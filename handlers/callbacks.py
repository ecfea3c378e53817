"""Callback data: every inline button's payload, encoded and decoded in one place.

Each shape starts with a short prefix, carries the assessment id it belongs to (so a press is
checked against the presser's own assessment), and stays within Telegram's 64 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
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
    "RefineResults",
    "ShowCharts",
    "ShowReport",
    "decode",
    "encode",
]

MAX_CALLBACK_BYTES = 64
DONT_KNOW = "x"


@dataclass(frozen=True)
class ChooseLanguage:
    """Switch the respondent's language."""

    language: str


@dataclass(frozen=True)
class ChooseProfile:
    """Pick one option of a profile list (sector, region, role)."""

    assessment_id: int
    field: str
    key: str


@dataclass(frozen=True)
class ChooseQuestionSet:
    """Pick the core or the detailed checklist."""

    assessment_id: int
    question_set: str


@dataclass(frozen=True)
class Answer:
    """Answer a question; `value` None is "don't know"."""

    assessment_id: int
    question_id: str
    value: int | None


@dataclass(frozen=True)
class Back:
    """Go back one step from `position` (a press from any other step is stale)."""

    assessment_id: int
    position: int


@dataclass(frozen=True)
class ConfirmForget:
    """Confirm or cancel deleting the respondent's data."""

    confirmed: bool


@dataclass(frozen=True)
class ChecklistChoice:
    """A confirmation about the checklist: `action` on `assessment_id` (0 when none).

    cancel / restart: discard the assessment in progress; stay: keep it; keep / fresh: start
    with the profile of the completed assessment, or a new one; org: change the organisation.
    """

    action: str
    assessment_id: int


@dataclass(frozen=True)
class ContinueChecklist:
    """Show the current question again (the button under a reminder)."""

    assessment_id: int


@dataclass(frozen=True)
class ShowCharts:
    """Send the charts of a completed assessment (the button under its results)."""

    assessment_id: int


@dataclass(frozen=True)
class RefineResults:
    """Ask the detailed questions of a completed short checklist's top priorities."""

    assessment_id: int


@dataclass(frozen=True)
class ShowReport:
    """Send the PDF report of a completed assessment (the button under its results)."""

    assessment_id: int


@dataclass(frozen=True)
class ConfirmUpload:
    """An administrator confirms or cancels a pending knowledge base upload."""

    upload_id: int
    confirmed: bool


class EvidenceOrigin(StrEnum):
    """Where evidence cards were opened: it decides the KB revision and the back button."""

    BROWSE = "s"  # /evidence: the active revision, back to the factor's sub-factors
    RESULTS = "r"  # under the results: their revision, back to all sixteen sub-factors
    ASK = "q"  # an /ask answer: opens the cards in a new message, then browses


@dataclass(frozen=True)
class EvidenceFactors:
    """Show the evidence browser's list of factors."""


@dataclass(frozen=True)
class EvidenceSubFactors:
    """List one factor's sub-factors, or (None) all sixteen under the results."""

    factor_key: str | None


@dataclass(frozen=True)
class EvidenceCards:
    """Show evidence card `page` (from 0) of a sub-factor."""

    subfactor_key: str
    page: int
    origin: EvidenceOrigin


@dataclass(frozen=True)
class ExportStats:
    """An administrator picks a statistics grouping (letters of srolm), then a format."""

    grouping: str
    file_format: str | None = None


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
    """Say why a committed step is blocked (budget, mandate, staff, legal, technical, other)."""

    plan_step_id: int
    reason: str


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
)

_PROFILE_FIELDS = {"s": "sector", "r": "region", "o": "role"}
_PROFILE_CODES = {name: code for code, name in _PROFILE_FIELDS.items()}
_ID = r"([1-9][0-9]{0,17})"
_KEY = r"([a-z][a-z0-9_]{0,47})"
_PATTERNS: tuple[tuple[re.Pattern[str], type[Callback]], ...] = (
    (re.compile(r"lang:(fa|en)"), ChooseLanguage),
    (re.compile(rf"p:{_ID}:([sro]):{_KEY}"), ChooseProfile),
    (re.compile(rf"qs:{_ID}:(core|detailed)"), ChooseQuestionSet),
    (re.compile(rf"a:{_ID}:{_KEY}:([0-9]|{DONT_KNOW})"), Answer),
    (re.compile(rf"b:{_ID}:(0|[1-9][0-9]{{0,3}})"), Back),
    (re.compile(r"forget:(yes|no)"), ConfirmForget),
    (re.compile(rf"cf:(cancel|restart|stay|keep|fresh|org):(0|{_ID[1:-1]})"), ChecklistChoice),
    (re.compile(rf"rem:{_ID}"), ContinueChecklist),
    (re.compile(rf"ch:{_ID}"), ShowCharts),
    (re.compile(rf"rf:{_ID}"), RefineResults),
    (re.compile(rf"rp:{_ID}"), ShowReport),
    (re.compile(rf"kbc:{_ID}:([yn])"), ConfirmUpload),
    (re.compile(r"ev:h"), EvidenceFactors),
    (re.compile(rf"ev:(?:a|f:{_KEY})"), EvidenceSubFactors),
    (re.compile(rf"ev:([srq]):{_KEY}:(0|[1-9][0-9]{{0,2}})"), EvidenceCards),
    (re.compile(r"st:([srolm]{1,2})(?::(csv|json|xlsx))?"), ExportStats),
    (re.compile(rf"pl:{_ID}"), OpenPlan),
    (re.compile(rf"pk:{_ID}:(a|0|[1-9][0-9]{{0,2}})"), CommitStep),
    (re.compile(rf"pc:{_ID}:([dpnb])"), CheckInAnswer),
    (re.compile(rf"pb:{_ID}:(budget|mandate|staff|legal|technical|other)"), CheckInReason),
)


def encode(callback: Callback) -> str:
    """The callback data for `callback`; raises ValueError past 64 bytes."""
    match callback:
        case ChooseLanguage(language):
            data = f"lang:{language}"
        case ChooseProfile(assessment_id, field, key):
            data = f"p:{assessment_id}:{_PROFILE_CODES[field]}:{key}"
        case ChooseQuestionSet(assessment_id, question_set):
            data = f"qs:{assessment_id}:{question_set}"
        case Answer(assessment_id, question_id, value):
            shown = DONT_KNOW if value is None else str(value)
            data = f"a:{assessment_id}:{question_id}:{shown}"
        case Back(assessment_id, position):
            data = f"b:{assessment_id}:{position}"
        case ConfirmForget(confirmed):
            data = f"forget:{'yes' if confirmed else 'no'}"
        case ChecklistChoice(action, assessment_id):
            data = f"cf:{action}:{assessment_id}"
        case ContinueChecklist(assessment_id):
            data = f"rem:{assessment_id}"
        case ShowCharts(assessment_id):
            data = f"ch:{assessment_id}"
        case RefineResults(assessment_id):
            data = f"rf:{assessment_id}"
        case ShowReport(assessment_id):
            data = f"rp:{assessment_id}"
        case ConfirmUpload(upload_id, confirmed):
            data = f"kbc:{upload_id}:{'y' if confirmed else 'n'}"
        case EvidenceFactors():
            data = "ev:h"
        case EvidenceSubFactors(factor_key):
            data = "ev:a" if factor_key is None else f"ev:f:{factor_key}"
        case EvidenceCards(subfactor_key, page, origin):
            data = f"ev:{origin.value}:{subfactor_key}:{page}"
        case ExportStats(grouping, file_format):
            data = f"st:{grouping}" if file_format is None else f"st:{grouping}:{file_format}"
        case OpenPlan(assessment_id):
            data = f"pl:{assessment_id}"
        case CommitStep(assessment_id, index):
            data = f"pk:{assessment_id}:{'a' if index is None else index}"
        case CheckInAnswer(plan_step_id, status):
            data = f"pc:{plan_step_id}:{CHECK_IN_CODES[status]}"
        case CheckInReason(plan_step_id, reason):
            data = f"pb:{plan_step_id}:{reason}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    """The callback that `data` encodes, or None for anything malformed or unknown."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(data)
        if match is None:
            continue
        groups = match.groups()
        if kind is ChooseLanguage:
            return ChooseLanguage(groups[0])
        if kind is ChooseProfile:
            return ChooseProfile(int(groups[0]), _PROFILE_FIELDS[groups[1]], groups[2])
        if kind is ChooseQuestionSet:
            return ChooseQuestionSet(int(groups[0]), groups[1])
        if kind is Answer:
            value = None if groups[2] == DONT_KNOW else int(groups[2])
            return Answer(int(groups[0]), groups[1], value)
        if kind is Back:
            return Back(int(groups[0]), int(groups[1]))
        if kind is ChecklistChoice:
            return ChecklistChoice(groups[0], int(groups[1]))
        if kind is ContinueChecklist:
            return ContinueChecklist(int(groups[0]))
        if kind is ShowCharts:
            return ShowCharts(int(groups[0]))
        if kind is RefineResults:
            return RefineResults(int(groups[0]))
        if kind is ShowReport:
            return ShowReport(int(groups[0]))
        if kind is ConfirmUpload:
            return ConfirmUpload(int(groups[0]), groups[1] == "y")
        if kind is EvidenceFactors:
            return EvidenceFactors()
        if kind is EvidenceSubFactors:
            return EvidenceSubFactors(groups[0])
        if kind is EvidenceCards:
            return EvidenceCards(groups[1], int(groups[2]), EvidenceOrigin(groups[0]))
        if kind is ExportStats:
            return ExportStats(groups[0], groups[1])
        if kind is OpenPlan:
            return OpenPlan(int(groups[0]))
        if kind is CommitStep:
            return CommitStep(int(groups[0]), None if groups[1] == "a" else int(groups[1]))
        if kind is CheckInAnswer:
            return CheckInAnswer(int(groups[0]), _CHECK_IN_STATUSES[groups[1]])
        if kind is CheckInReason:
            return CheckInReason(int(groups[0]), groups[1])
        return ConfirmForget(groups[0] == "yes")
    return None
