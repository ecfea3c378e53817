"""Callback data: every inline button's payload, encoded and decoded in one place.

Each shape starts with a short prefix, carries the assessment id it belongs to (so a press is
checked against the presser's own assessment), and stays within Telegram's 64 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MAX_CALLBACK_BYTES",
    "Answer",
    "Back",
    "Callback",
    "ChooseLanguage",
    "ChooseProfile",
    "ChooseQuestionSet",
    "ConfirmForget",
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
    """Go back one step."""

    assessment_id: int


@dataclass(frozen=True)
class ConfirmForget:
    """Confirm or cancel deleting the respondent's data."""

    confirmed: bool


Callback = ChooseLanguage | ChooseProfile | ChooseQuestionSet | Answer | Back | ConfirmForget

_PROFILE_FIELDS = {"s": "sector", "r": "region", "o": "role"}
_PROFILE_CODES = {name: code for code, name in _PROFILE_FIELDS.items()}
_ID = r"([1-9][0-9]{0,17})"
_KEY = r"([a-z][a-z0-9_]{0,47})"
_PATTERNS: tuple[tuple[re.Pattern[str], type[Callback]], ...] = (
    (re.compile(r"lang:(fa|en)"), ChooseLanguage),
    (re.compile(rf"p:{_ID}:([sro]):{_KEY}"), ChooseProfile),
    (re.compile(rf"qs:{_ID}:(core|detailed)"), ChooseQuestionSet),
    (re.compile(rf"a:{_ID}:{_KEY}:([0-9]|{DONT_KNOW})"), Answer),
    (re.compile(rf"b:{_ID}"), Back),
    (re.compile(r"forget:(yes|no)"), ConfirmForget),
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
        case Back(assessment_id):
            data = f"b:{assessment_id}"
        case ConfirmForget(confirmed):
            data = f"forget:{'yes' if confirmed else 'no'}"
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
            return Back(int(groups[0]))
        return ConfirmForget(groups[0] == "yes")
    return None
