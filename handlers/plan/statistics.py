"""The analysts' view of what blocks agencies: shares by step and sector, reasons by sector."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale
from storage.stats.plan_steps import BlockerCount, StepTally

__all__ = ["ShareRow", "render_blockers", "share_rows"]


@dataclass(frozen=True)
class ShareRow:
    """One step in one sector: people, steps, and the shares (per cent) done, going, blocked."""

    step_id: str
    sector: str | None
    respondents: int
    steps: int
    done: int
    progress: int
    blocked: int
    suppressed: bool


def share_rows(tallies: list[StepTally]) -> list[ShareRow]:
    """Counts by status as whole per cents of each group's committed steps."""
    rows = []
    for tally in tallies:
        total = sum(tally.statuses.values())

        def share(status: str, total: int = total, tally: StepTally = tally) -> int:
            return round(100 * tally.statuses.get(status, 0) / total) if total else 0

        rows.append(
            ShareRow(
                tally.step_id,
                tally.sector,
                tally.respondents,
                total,
                share("done"),
                share("in_progress"),
                share("blocked"),
                tally.suppressed,
            )
        )
    return rows


def render_blockers(
    renderer: Renderer,
    locale: Locale,
    kb: KnowledgeBase,
    tallies: list[StepTally],
    reasons: list[BlockerCount],
    *,
    k: int,
) -> str:
    """The statistics message, grouped by sub-factor (steps the KB no longer has are left out)."""
    known = {step.id for step in kb.steps}
    grouped: dict[str, list[ShareRow]] = {}
    by_step = {tally.step_id: tally.subfactor_key for tally in tallies}
    for row in share_rows(tallies):
        if row.step_id in known:
            grouped.setdefault(by_step[row.step_id], []).append(row)
    keys = {subfactor.key for subfactor in kb.subfactors}
    subfactors = [(key, rows) for key, rows in grouped.items() if key in keys]
    sectors = {s.key: s.label for s in kb.profile.sectors}

    def sector_label(key: str | None) -> str:
        label = sectors.get(key or "")
        if label is None:
            return renderer.text(locale, "plan_stats_no_sector")
        return label.get(locale)

    return renderer.render(
        locale,
        "plan_blockers.html",
        kb=kb,
        k=k,
        subfactors=subfactors,
        reasons=reasons,
        sector_label=sector_label,
    )
