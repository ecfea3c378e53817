"""Why a committed step is blocked: the reasons a check-in offers, kept in the KB.

A KB lists them under `block_reasons` (key and title). The keys are stored with each blocked
step, so a KB must keep them stable; `other` must be there (it is the one that asks for a note;
knowledge/checks/block_reasons.py).
A KB without the list (version 1, or a revision from before it) offers DEFAULT_KEYS, which the
handlers label from their catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model.py imports this module; these are annotations only
    from knowledge.model import KnowledgeBase, Text

__all__ = [
    "DEFAULT_KEYS",
    "OTHER",
    "REASON_KEY_PATTERN",
    "BlockReason",
    "block_reason",
    "offered_reasons",
]

#: The reason that stands for anything else (and asks the person for a note).
OTHER = "other"
#: The reasons of a KB that does not list its own (the keys stored rows have used from the start).
DEFAULT_KEYS = ("budget", "mandate", "staff", "legal", "technical", OTHER)
#: A reason key's shape (the schema's key pattern, at most 24 characters): it goes into a
#: button's callback data beside a plan step id, hence short.
REASON_KEY_PATTERN = r"[a-z][a-z0-9_]{0,23}"


@dataclass(frozen=True, slots=True)
class BlockReason:
    """One reason a step can be blocked, as the check-in offers it."""

    key: str
    title: Text


def offered_reasons(kb: KnowledgeBase) -> tuple[str, ...]:
    """The reason keys a check-in offers under `kb`, in its order."""
    return tuple(r.key for r in kb.block_reasons) or DEFAULT_KEYS


def block_reason(kb: KnowledgeBase, key: str) -> BlockReason | None:
    """The KB's reason with `key`; None when the KB does not list it."""
    return next((r for r in kb.block_reasons if r.key == key), None)
