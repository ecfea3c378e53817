"""One callback shape's codec: the pattern that matches its data and the two directions."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["ID", "KEY", "MAX_CALLBACK_BYTES", "Codec"]

MAX_CALLBACK_BYTES = 64
#: A positive database id of at most 18 digits, and a KB key (question, sub-factor, option).
ID = r"([1-9][0-9]{0,17})"
KEY = r"([a-z][a-z0-9_]{0,47})"

T = TypeVar("T")


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How one shape is written into callback data and read back from a full match."""

    kind: type[T]
    pattern: re.Pattern[str]
    encode: Callable[[T], str]
    decode: Callable[[tuple[Any, ...]], T]
