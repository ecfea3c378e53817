"""Knowledge bases by revision, read from the database once, and the active revision kept fresh."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge import KnowledgeBase, SearchIndex, load_kb
from storage.db import read_only
from storage.kb_revisions import get_active_kb_revision, get_kb_revision

__all__ = ["KnowledgeStore"]


class KnowledgeStore:
    """Every process sees a newly activated revision within `active_ttl` seconds."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        active_ttl: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session_factory = session_factory
        self._active_ttl = active_ttl
        self._clock = clock
        self._by_revision: dict[int, KnowledgeBase] = {}
        self._indexes: dict[int, SearchIndex] = {}
        self._active: tuple[int, float] | None = None
        self._lock = asyncio.Lock()

    async def active(self) -> tuple[int, KnowledgeBase]:
        """The active revision number and its knowledge base."""
        now = self._clock()
        if self._active is None or now - self._active[1] >= self._active_ttl:
            async with self._session_factory() as session:
                await read_only(session)  # inside a writer's transaction: must not wait for it
                row = await get_active_kb_revision(session=session)
            if row is None or row.id is None:
                raise LookupError("no knowledge base revision stored: run `pishran db upgrade`")
            if row.id not in self._by_revision:
                self._by_revision[row.id] = load_kb(row.content)
            self._active = (row.id, now)
        revision = self._active[0]
        return revision, self._by_revision[revision]

    async def revision(self, revision: int) -> KnowledgeBase:
        """The knowledge base of `revision` (an assessment keeps the one it started under)."""
        kb = self._by_revision.get(revision)
        if kb is None:
            async with self._lock:
                async with self._session_factory() as session:
                    await read_only(session)
                    row = await get_kb_revision(session=session, revision_id=revision)
                if row is None:
                    raise LookupError(f"knowledge base revision {revision} not found")
                kb = self._by_revision.setdefault(revision, load_kb(row.content))
        return kb

    async def search_index(self, revision: int) -> SearchIndex:
        """The search index of `revision`, built on first use and kept."""
        index = self._indexes.get(revision)
        if index is None:
            index = self._indexes.setdefault(revision, SearchIndex(await self.revision(revision)))
        return index
