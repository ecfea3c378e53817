"""Administrators' and privacy buttons: a knowledge base upload, statistics exports, /forget."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers.callbacks.codec import ID, Codec

__all__ = ["CODECS", "ConfirmForget", "ConfirmUpload", "ExportStats"]


@dataclass(frozen=True)
class ConfirmForget:
    """Confirm or cancel deleting the respondent's data."""

    confirmed: bool


@dataclass(frozen=True)
class ConfirmUpload:
    """An administrator confirms or cancels a pending knowledge base upload."""

    upload_id: int
    confirmed: bool


@dataclass(frozen=True)
class ExportStats:
    """An administrator picks a statistics grouping (letters of srolm), then a format; or the
    blockers file: `b`, then its grouping (`b` and one of a(ll), s, r, m), then a format."""

    grouping: str
    file_format: str | None = None


FORGET = Codec(
    ConfirmForget,
    re.compile(r"forget:(yes|no)"),
    lambda c: f"forget:{'yes' if c.confirmed else 'no'}",
    lambda g: ConfirmForget(g[0] == "yes"),
)
CODECS: tuple[Codec[Any], ...] = (
    Codec(
        ConfirmUpload,
        re.compile(rf"kbc:{ID}:([yn])"),
        lambda c: f"kbc:{c.upload_id}:{'y' if c.confirmed else 'n'}",
        lambda g: ConfirmUpload(int(g[0]), g[1] == "y"),
    ),
    Codec(
        ExportStats,
        re.compile(r"st:(?:(b)|([srolm]{1,2}|b[asrm])(?::(csv|json|xlsx))?)"),
        lambda c: (
            f"st:{c.grouping}" if c.file_format is None else f"st:{c.grouping}:{c.file_format}"
        ),
        lambda g: ExportStats(g[0] or g[1], g[2]),
    ),
)
