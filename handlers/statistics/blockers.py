"""What blocks agencies in practice, as tables: shares of committed steps and blocking reasons.

The figures come from storage/stats/plan_steps.py, already through the disclosure model (cells
under k are not listed; counts and shares perturbed). This module only labels them: steps and
sub-factors by the knowledge base, reasons by the KB's titles (block_reason_label; the notes
people type about a blocked step are never read by the statistics), groups by the KB's
sector and region names or the month. Cells keep ASCII digits, as the other statistics files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.i18n import Renderer
from handlers.statistics.exports import ExportFormat, Sheet
from handlers.statistics.table import SHARE_DIGITS, Cell
from knowledge import KnowledgeBase, Locale
from knowledge.block_reasons import OTHER, block_reason
from storage.stats import Dimension
from storage.stats.plan_steps import (
    PLAN_DIMENSIONS,
    BlockerCount,
    Blockers,
    PlanScope,
    StepShares,
)

__all__ = [
    "BlockersExport",
    "BlockersReport",
    "BlockersTable",
    "block_reason_label",
    "parse_plan_dimension",
]

SHARES = ("done", "in_progress", "blocked")


def parse_plan_dimension(text: str | None) -> Dimension | None:
    """`"sector"`, `"region"`, `"month"` -> the dimension; "" or None -> all; else ValueError."""
    name = (text or "").strip().lower()
    if not name or name == "all":
        return None
    names = [d.value for d in PLAN_DIMENSIONS]
    if name not in names:
        raise ValueError(f"unknown grouping {name!r}; choose from all, {', '.join(names)}")
    return Dimension(name)


def block_reason_label(
    renderer: Renderer, locale: Locale, kb: KnowledgeBase | None, key: str
) -> str:
    """A blocking reason as a reader sees it: the KB's title; for a key the KB does not list (a
    revision from before the list, or a row kept from an older KB), the catalog's label of the
    key, else the catalog's "other"."""
    reason = block_reason(kb, key) if kb is not None else None
    if reason is not None:
        return reason.title.get(locale)
    try:
        return renderer.entry(locale, "plan_reason", key)
    except KeyError:
        return renderer.entry(locale, "plan_reason", OTHER)


@dataclass(frozen=True)
class BlockersExport:
    """An export of the plan statistics: a grouping (or none), a format and a language."""

    by: Dimension | None
    format: ExportFormat
    locale: Locale

    @property
    def filename(self) -> str:
        """`pishran-blockers-sector.csv` (`all` when ungrouped)."""
        grouping = self.by.value if self.by is not None else "all"
        return f"pishran-blockers-{grouping}.{self.format.value}"


@dataclass(frozen=True)
class BlockersReport:
    """The published plan figures with what is needed to label them."""

    kb: KnowledgeBase
    k: int
    blockers: Blockers

    def known_steps(self) -> list[StepShares]:
        """Step rows of steps the active KB still has."""
        known = {step.id for step in self.kb.steps}
        return [row for row in self.blockers.steps if row.key in known]

    def known_subfactors(self) -> list[StepShares]:
        """Sub-factor rows of sub-factors the active KB still has."""
        known = {sf.key for sf in self.kb.subfactors}
        return [row for row in self.blockers.subfactors if row.key in known]

    def steps_of(self, subfactor_key: str) -> list[StepShares]:
        """The step rows of one sub-factor."""
        return [row for row in self.known_steps() if row.subfactor_key == subfactor_key]

    def reasons_of(self, subfactor_key: str | None) -> list[BlockerCount]:
        """Reason counts of one sub-factor (None: over all steps)."""
        if subfactor_key is None:
            return self.blockers.reasons
        return [r for r in self.blockers.subfactor_reasons if r.subfactor_key == subfactor_key]


class BlockersTable:
    """Column names and rows of the plan statistics in one language."""

    def __init__(self, renderer: Renderer, report: BlockersReport, locale: Locale) -> None:
        self.renderer, self.report, self.locale = renderer, report, locale
        self.kb, self.by = report.kb, report.blockers.by
        choices = {
            Dimension.SECTOR: self.kb.profile.sectors,
            Dimension.REGION: self.kb.profile.regions,
        }
        self._choices = {
            d: {c.key: c.label.get(locale) for c in options} for d, options in choices.items()
        }

    def text(self, key: str, member: str | None = None) -> str:
        """A catalog entry as plain text."""
        return self.renderer.entry(self.locale, key, member)

    def group_label(self, value: str | None) -> str:
        """A group's value as a reader sees it ("all" when ungrouped)."""
        if self.by is None:
            return self.text("blockers_all")
        if value is None:
            return self.text("stats_value", "none")
        if self.by is Dimension.MONTH:
            return value
        return self._choices[self.by].get(value, value)

    def reason_label(self, reason: str) -> str:
        """A blocking reason's title in the KB (the key is all the statistics know)."""
        return block_reason_label(self.renderer, self.locale, self.kb, reason)

    def _subfactor(self, key: str | None) -> str:
        if key is None:
            return self.text("blockers_all")
        return self.kb.subfactor(key).title.get(self.locale)

    def _grouping(self) -> str:
        return self.text("stats_column", self.by.value) if self.by else self.text("blockers_all")

    @property
    def share_header(self) -> list[str]:
        """Columns of the shares table."""
        names = ("scope", "subfactor", "step", "steps", *SHARES)
        return [self._grouping(), *(self.text("blockers_column", n) for n in names)]

    def share_rows(self) -> list[list[Cell]]:
        """Sub-factor rows, each followed by its steps' rows."""
        rows: list[list[Cell]] = []
        for sub in self.report.known_subfactors():
            rows.append(self._share_row(sub))
            rows += [self._share_row(step) for step in self.report.steps_of(sub.key)]
        return rows

    def _share_row(self, row: StepShares) -> list[Cell]:
        step = "" if row.scope is PlanScope.SUBFACTOR else self._step_text(row.key)
        shares = [_share(getattr(row, name)) for name in SHARES]
        scope = self.text("blockers_scope", row.scope.value)
        return [
            self.group_label(row.group),
            scope,
            self._subfactor(row.subfactor_key),
            step,
            row.steps,
            *shares,
        ]

    def _step_text(self, step_id: str) -> str:
        return self.kb.step(step_id).text.get(self.locale)

    @property
    def reason_header(self) -> list[str]:
        """Columns of the reasons table."""
        names = ("subfactor", "reason", "blocked_steps")
        return [self._grouping(), *(self.text("blockers_column", n) for n in names)]

    def reason_rows(self) -> list[list[Cell]]:
        """Reasons over all steps, then per sub-factor."""
        known = {sf.key for sf in self.kb.subfactors}
        counts = self.report.blockers.reasons + [
            r for r in self.report.blockers.subfactor_reasons if r.subfactor_key in known
        ]
        return [
            [
                self.group_label(r.group),
                self._subfactor(r.subfactor_key),
                self.reason_label(r.reason),
                r.steps,
            ]
            for r in counts
        ]

    def sheets(self) -> list[Sheet]:
        """The two tables as XLSX sheets."""
        return [
            Sheet(self.text("blockers_sheet", "shares"), self.share_header, self.share_rows()),
            Sheet(self.text("blockers_sheet", "reasons"), self.reason_header, self.reason_rows()),
        ]

    def csv_rows(self) -> tuple[list[str], list[list[Cell]]]:
        """One table for CSV: the shares, then the reasons, a `table` column telling which."""
        names = ("table", "scope", "subfactor", "step", "reason", "steps", *SHARES)
        header = [self._grouping(), *(self.text("blockers_column", n) for n in names)]
        shares, reasons = (
            self.text("blockers_sheet", "shares"),
            self.text("blockers_sheet", "reasons"),
        )
        rows: list[list[Cell]] = []
        for group, scope, subfactor, step, steps, *values in self.share_rows():
            rows.append([group, shares, scope, subfactor, step, "", steps, *values])
        for group, subfactor, reason, steps in self.reason_rows():
            rows.append([group, reasons, "", subfactor, "", reason, steps, None, None, None])
        return header, rows

    def document(self, head: dict[str, Any]) -> dict[str, Any]:
        """The JSON document: stable keys (step ids, reason keys) beside the labels."""
        return {
            **head,
            "shares": [
                self._share_document(row)
                for sub in self.report.known_subfactors()
                for row in (sub, *self.report.steps_of(sub.key))
            ],
            "reasons": [
                {
                    "group": r.group,
                    "group_label": self.group_label(r.group),
                    "subfactor": r.subfactor_key,
                    "reason": r.reason,
                    "reason_label": self.reason_label(r.reason),
                    "blocked_steps": r.steps,
                }
                for r in self.report.blockers.reasons + self.report.blockers.subfactor_reasons
            ],
        }

    def _share_document(self, row: StepShares) -> dict[str, Any]:
        return {
            "group": row.group,
            "group_label": self.group_label(row.group),
            "scope": row.scope.value,
            "subfactor": row.subfactor_key,
            "step": row.key if row.scope is PlanScope.STEP else None,
            "label": self._subfactor(row.key)
            if row.scope is PlanScope.SUBFACTOR
            else self._step_text(row.key),
            "steps": row.steps,
            **{name: getattr(row, name) for name in SHARES},
        }


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, SHARE_DIGITS)
