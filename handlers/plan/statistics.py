"""The analysts' view of what blocks agencies, as a chat message (/plan_stats and /stats).

The figures are the published ones (handlers/statistics/blockers.py, through the disclosure
model): groups under k are not there to show, and every count and share is perturbed.
"""

from __future__ import annotations

from handlers.i18n import Renderer
from handlers.statistics.blockers import BlockersReport, BlockersTable
from knowledge import Locale

__all__ = ["render_blockers"]


def render_blockers(
    renderer: Renderer, locale: Locale, report: BlockersReport, *, detailed: bool = True
) -> str:
    """The message: per sub-factor (and, `detailed`, per step) the shares, then the reasons."""
    table = BlockersTable(renderer, report, locale)
    by = report.blockers.by
    grouping = (
        renderer.text(
            locale, "plan_stats_by", dimension=table.text("stats_column", by.value).lower()
        )
        if by is not None
        else renderer.text(locale, "plan_stats_overall")
    )
    return renderer.render(
        locale,
        "plan_blockers.html",
        report=report,
        kb=report.kb,
        k=report.k,
        grouping=grouping,
        grouped=by is not None,
        detailed=detailed,
        group_label=table.group_label,
        reason_label=table.reason_label,
    )
