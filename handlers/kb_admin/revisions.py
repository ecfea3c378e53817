"""Knowledge-base revisions as administrators see them, and why a change was refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.models import KbRevisionPublic

__all__ = [
    "ActiveSummary",
    "RevisionAlreadyActiveError",
    "RevisionInfo",
    "StaleRevisionError",
    "UnknownRevisionError",
    "revision_info",
]


class UnknownRevisionError(LookupError):
    """No revision has this number."""


class RevisionAlreadyActiveError(ValueError):
    """The revision asked for already has the active content."""


class StaleRevisionError(RuntimeError):
    """The active revision moved on since the caller looked (another administrator's change)."""

    def __init__(self, expected: int, active: int) -> None:
        super().__init__(f"expected revision {expected} to be active, but {active} is")
        self.expected = expected
        self.active = active


@dataclass(frozen=True)
class RevisionInfo:
    """One revision of the history, without its content."""

    number: int
    author: str
    created_at: datetime
    note: str
    checksum: str
    active: bool = False


@dataclass(frozen=True)
class ActiveSummary:
    """The active revision and the size of its knowledge base."""

    revision: RevisionInfo
    counts: dict[str, int]


def revision_info(row: KbRevisionPublic, active: int | None) -> RevisionInfo:
    """The history entry for a stored revision; `active` is the active revision's number."""
    return RevisionInfo(
        row.id, row.author, row.created_at, row.note, row.checksum, row.id == active
    )
