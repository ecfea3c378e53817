"""An uploaded knowledge base file: reading it, and what checking and deciding it produced."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from knowledge import (
    MAX_DOCUMENT_BYTES,
    KBDiff,
    KBValidationError,
    KnowledgeBase,
    Problem,
    load_kb,
    parse_document,
    validate_document,
)

__all__ = [
    "PENDING_UPLOAD_TTL",
    "PROBLEMS_SHOWN",
    "UPLOAD_TIME_LIMIT",
    "Decision",
    "ExaminedUpload",
    "UploadCheck",
    "UploadDecision",
    "UploadRefusal",
    "UploadRefusedError",
    "examine_upload",
    "read_upload",
]

# An upload nobody confirmed within a day is stale news: send the file again.
PENDING_UPLOAD_TTL = timedelta(days=1)
#: Seconds to read, check and build an uploaded document, away from the event loop.
UPLOAD_TIME_LIMIT = 5.0
#: Problems listed to the administrator; the rest are counted ("and 1,200 more").
PROBLEMS_SHOWN = 25
# parse_document's problems that refuse the file as a whole, and the refusal each becomes.
_LIMIT_REFUSALS = {
    "aliases": "aliases",
    "too_many_nodes": "too_complex",
    "too_deep": "too_complex",
    "too_slow": "too_slow",
}


class UploadRefusal(StrEnum):
    """Why a file was refused before its content could be checked."""

    TOO_LARGE = "too_large"
    NOT_TEXT = "not_text"
    NOT_DOCUMENT = "not_document"
    ALIASES = "aliases"
    TOO_COMPLEX = "too_complex"
    TOO_SLOW = "too_slow"


class Decision(StrEnum):
    """What Confirm or Cancel did to a pending upload."""

    ACTIVATED = "activated"
    CANCELLED = "cancelled"
    NOT_FOUND = "not_found"
    ALREADY_DECIDED = "already_decided"
    EXPIRED = "expired"
    STALE = "stale"


@dataclass(frozen=True)
class UploadCheck:
    """A checked upload: refused, invalid (every problem), unchanged, or pending Confirm."""

    filename: str
    base_revision: int
    refusal: UploadRefusal | None = None
    detail: str = ""
    problems: tuple[Problem, ...] = ()
    diff: KBDiff | None = None
    counts: dict[str, int] | None = None
    upload_id: int | None = None

    @property
    def valid(self) -> bool:
        """Whether the document passed every rule."""
        return self.refusal is None and not self.problems

    @property
    def shown_problems(self) -> tuple[Problem, ...]:
        """The problems listed to the administrator: the first PROBLEMS_SHOWN."""
        return self.problems[:PROBLEMS_SHOWN]

    @property
    def more_problems(self) -> int:
        """How many problems are not listed."""
        return max(0, len(self.problems) - PROBLEMS_SHOWN)

    @property
    def unchanged(self) -> bool:
        """Whether the document is the same as the active knowledge base."""
        return self.diff is not None and self.diff.is_empty

    def audit_detail(self) -> dict[str, Any]:
        """What the audit log keeps about this check (never the content)."""
        result = "pending" if self.upload_id else "unchanged" if self.unchanged else "invalid"
        detail: dict[str, Any] = {
            "filename": self.filename,
            "result": result,
            "base": self.base_revision,
        }
        if self.refusal is not None:
            detail["refusal"] = self.refusal.value
        if self.problems:
            detail["problems"] = len(self.problems)
        if self.upload_id is not None:
            detail["upload"] = self.upload_id
        return detail


@dataclass(frozen=True)
class UploadDecision:
    """The outcome of Confirm or Cancel; `revision` is the one now active when activated."""

    decision: Decision
    revision: int | None = None


class UploadRefusedError(ValueError):
    """A file refused before its content could be checked: too large, not text, not YAML/JSON."""

    def __init__(self, refusal: UploadRefusal, detail: str = "") -> None:
        super().__init__(f"{refusal.value}: {detail}" if detail else refusal.value)
        self.refusal = refusal
        self.detail = detail


def read_upload(raw: bytes, filename: str) -> dict[str, Any]:
    """Parse a file (JSON by its `.json` suffix, else YAML), or raise UploadRefusedError."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise UploadRefusedError(UploadRefusal.TOO_LARGE)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefusedError(UploadRefusal.NOT_TEXT) from None
    if "\x00" in text:
        raise UploadRefusedError(UploadRefusal.NOT_TEXT)
    try:
        return parse_document(
            text, suffix=PurePath(filename).suffix or ".yaml", time_limit=UPLOAD_TIME_LIMIT
        )
    except KBValidationError as exc:
        for problem in exc.problems:
            if problem.code in _LIMIT_REFUSALS:
                raise UploadRefusedError(UploadRefusal(_LIMIT_REFUSALS[problem.code])) from None
        detail = "; ".join(problem.message for problem in exc.problems)
        raise UploadRefusedError(UploadRefusal.NOT_DOCUMENT, detail) from None


@dataclass(frozen=True)
class ExaminedUpload:
    """A parsed upload: its document, every problem, and the knowledge base when valid."""

    document: dict[str, Any]
    problems: tuple[Problem, ...]
    kb: KnowledgeBase | None


def _examine(raw: bytes, filename: str) -> ExaminedUpload:
    document = read_upload(raw, filename)
    problems = tuple(validate_document(document))
    return ExaminedUpload(document, problems, None if problems else load_kb(document))


async def examine_upload(
    raw: bytes, filename: str, *, time_limit: float = UPLOAD_TIME_LIMIT
) -> ExaminedUpload:
    """Read, check and build an upload in a worker thread, or raise UploadRefusedError.

    The event loop keeps serving everyone else meanwhile. Parsing stops itself at the time
    limit; should checking run past it as well, the upload is refused (TOO_SLOW) and the
    thread's late result is dropped.
    """
    try:
        return await asyncio.wait_for(asyncio.to_thread(_examine, raw, filename), time_limit)
    except TimeoutError:
        raise UploadRefusedError(UploadRefusal.TOO_SLOW) from None
