"""The statistics use cases: exports, the admin summary, organisation profiles (the sector
means beside a respondent's results are in sector_means.py).

Storage aggregates and makes every figure publishable (storage/stats/disclosure.py); this
module adds the knowledge base (which questions make a factor, what the columns are called),
the k threshold and the release period, and hands plain values back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.i18n import Renderer
from handlers.knowledge_store import KnowledgeStore
from handlers.statistics.blockers import BlockersExport, BlockersReport, BlockersTable
from handlers.statistics.exports import (
    ExportFormat,
    Sheet,
    csv_chunks,
    json_chunks,
    sheets_xlsx_chunks,
    table_csv_chunks,
    xlsx_chunks,
)
from handlers.statistics.quality import Instrument, instrument_report, instrument_sheets
from handlers.statistics.table import StatsTable
from knowledge import KnowledgeBase, Locale
from storage import stats as stats_store
from storage.db import read_only
from storage.stats import Dimension, GroupStats
from storage.stats.plan_steps import get_blockers

__all__ = [
    "BlockersExport",
    "BlockersReport",
    "ExportRequest",
    "Statistics",
    "Summary",
    "lowest_driver_shares",
]


@dataclass(frozen=True)
class ExportRequest:
    """What to export: a grouping (at most two dimensions), a format and a language."""

    by: tuple[Dimension, ...]
    format: ExportFormat
    locale: Locale
    where: Mapping[Dimension, str] | None = None

    @property
    def filename(self) -> str:
        """`pishran-stats-sector-month.csv` (`all` when ungrouped)."""
        grouping = "-".join(d.value for d in self.by) or "all"
        return f"pishran-stats-{grouping}.{self.format.value}"


@dataclass(frozen=True)
class Summary:
    """The national picture for administrators: everything at once, plus the instrument."""

    kb: KnowledgeBase
    k: int
    overall: GroupStats
    instrument: Instrument


class Statistics:
    """Aggregated, anonymised statistics for administrators, analysts and the API."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        knowledge: KnowledgeStore,
        renderer: Renderer,
        *,
        k: int,
        release_every: timedelta = timedelta(hours=24),
    ) -> None:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self._session_factory = session_factory
        self._knowledge = knowledge
        self._renderer = renderer
        self.k = k
        self._release_every = release_every

    async def _cut_release(self) -> None:
        """Cut a statistics release if one is due (a short transaction of its own)."""
        async with self._session_factory() as session:
            await stats_store.cut_release(session=session, k=self.k, every=self._release_every)

    async def count_groups(self, request: ExportRequest) -> int:
        """How many groups (rows) the export will have."""
        async with self._session_factory() as session:
            await read_only(session)
            return await stats_store.count_stat_groups(
                session=session, by=request.by, k=self.k, where=request.where
            )

    async def export(
        self, request: ExportRequest, *, on_group: Callable[[GroupStats], None] | None = None
    ) -> AsyncIterator[bytes]:
        """The export file as a stream of byte chunks; `on_group` hears of each group written."""
        _, kb = await self._knowledge.active()
        if request.format is not ExportFormat.CSV:
            await self._cut_release()  # JSON and XLSX carry the answer counts
        async with self._session_factory() as session, session.begin():
            await read_only(session)  # a long export must not hold SQLite's write lock
            names = await stats_store.get_organisation_names(session=session)
            table = StatsTable(
                self._renderer, kb, request.locale, request.by, organisation_names=names
            )
            groups = stats_store.stream_group_stats(
                session=session, by=request.by, k=self.k, where=request.where
            )

            async def instrument() -> Instrument:
                return await instrument_report(session=session, kb=kb, k=self.k)

            if request.format is ExportFormat.CSV:
                chunks = csv_chunks(table, groups, on_group=on_group)
            elif request.format is ExportFormat.JSON:

                async def tail() -> dict[str, Any]:
                    return (await instrument()).to_document()

                chunks = json_chunks(table, groups, self._head(request), tail, on_group=on_group)
            else:

                async def sheets() -> list[Sheet]:
                    return instrument_sheets(table, await instrument())

                title = table.text("stats_sheet", "groups")
                chunks = xlsx_chunks(table, groups, title, sheets, on_group=on_group)
            async for chunk in chunks:
                yield chunk

    def _head(self, request: ExportRequest) -> dict[str, Any]:
        return {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "k": self.k,
            "by": [d.value for d in request.by],
            "where": {d.value: v for d, v in (request.where or {}).items()},
            "language": request.locale,
        }

    async def summary(self) -> Summary:
        """Every completed assessment as one group, the funnel, reliability and answers."""
        _, kb = await self._knowledge.active()
        await self._cut_release()
        async with self._session_factory() as session, session.begin():
            await read_only(session)
            overall = await stats_store.get_group_stats(session=session, k=self.k)
            instrument = await instrument_report(session=session, kb=kb, k=self.k)
        return Summary(kb=kb, k=self.k, overall=overall, instrument=instrument)

    async def organisation(self, code: str) -> tuple[KnowledgeBase, GroupStats] | None:
        """The profile of the organisation with deep-link `code`; None under k respondents."""
        _, kb = await self._knowledge.active()
        async with self._session_factory() as session, session.begin():
            await read_only(session)
            group = await stats_store.get_group_stats(
                session=session, k=self.k, where={Dimension.ORGANISATION: code}
            )
        return None if group.suppressed else (kb, group)

    async def blockers(self, by: Dimension | None = None) -> BlockersReport:
        """What blocks agencies: shares of committed steps and blocking reasons, by `by`."""
        _, kb = await self._knowledge.active()
        async with self._session_factory() as session, session.begin():
            await read_only(session)
            blockers = await get_blockers(session=session, k=self.k, by=by)
        return BlockersReport(kb=kb, k=self.k, blockers=blockers)

    def label_blockers(self, report: BlockersReport, locale: Locale) -> BlockersTable:
        """The plan figures with their labels in `locale` (for pages outside the chat)."""
        return BlockersTable(self._renderer, report, locale)

    async def export_blockers(self, request: BlockersExport) -> AsyncIterator[bytes]:
        """The plan statistics as a CSV, JSON or XLSX file, in byte chunks."""
        table = BlockersTable(self._renderer, await self.blockers(request.by), request.locale)
        if request.format is ExportFormat.CSV:
            header, rows = table.csv_rows()
            chunks = table_csv_chunks(header, rows)
        elif request.format is ExportFormat.JSON:
            head = {
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "k": self.k,
                "by": request.by.value if request.by else None,
                "language": request.locale,
            }
            document = json.dumps(table.document(head), ensure_ascii=False)
            chunks = _once(document.encode("utf-8"))
        else:
            chunks = sheets_xlsx_chunks(table.sheets(), rtl=request.locale == "fa")
        async for chunk in chunks:
            yield chunk


async def _once(chunk: bytes) -> AsyncIterator[bytes]:
    yield chunk


def lowest_driver_shares(
    kb: KnowledgeBase, group: GroupStats, *, limit: int = 3
) -> Sequence[tuple[str, float]]:
    """The sub-factors least often a driver: what holds agencies back most widely."""
    shares = [
        (sf.key, figures.driver_share)
        for sf in kb.subfactors
        if (figures := group.subfactors.get(sf.key)) is not None
        and figures.driver_share is not None
    ]
    return sorted(shares, key=lambda item: item[1])[:limit]
