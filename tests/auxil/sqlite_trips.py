"""Counting trips to aiosqlite's thread (storage/sqlite_driver.py): each call queued there."""

from __future__ import annotations

from typing import Any

import aiosqlite
import pytest

__all__ = ["record_trips"]


def record_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, every call queued to an aiosqlite thread, by the name of the function it
    runs ("_run" for a statement, "commit", "rollback", ...)."""
    calls: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls
