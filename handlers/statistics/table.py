"""The statistics as a table: localised column names and one row of cells per group.

Column names and group labels come from the catalogs and the knowledge base; cell values are
plain numbers and strings with ASCII digits, so that spreadsheets can compute with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale
from storage.stats import Dimension, GroupStats

__all__ = ["Cell", "Column", "StatsTable"]

Cell = str | int | float | None

MEAN_DIGITS = 2
SHARE_DIGITS = 4


@dataclass(frozen=True, slots=True)
class Column:
    """A column: a stable key (JSON, tests) and its name in the reader's language."""

    key: str
    label: str


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


class StatsTable:
    """How grouped statistics are laid out for one grouping, locale and knowledge base."""

    def __init__(
        self,
        renderer: Renderer,
        kb: KnowledgeBase,
        locale: Locale,
        by: Sequence[Dimension],
        *,
        organisation_names: Mapping[str, str] | None = None,
    ) -> None:
        self.renderer, self.kb, self.locale = renderer, kb, locale
        self.by = tuple(by)
        self._organisations = dict(organisation_names or {})
        choices = {
            Dimension.SECTOR: kb.profile.sectors,
            Dimension.REGION: kb.profile.regions,
            Dimension.ROLE: kb.profile.roles,
        }
        self._choices = {
            dimension: {choice.key: choice.label.get(locale) for choice in options}
            for dimension, options in choices.items()
        }
        self.columns = self._columns()

    def text(self, key: str, member: str | None = None, **values: str) -> str:
        """A catalog entry filled in as plain text, digits as given (data, not prose)."""
        return self.renderer.entry(self.locale, key, member).format(**values)

    def _columns(self) -> tuple[Column, ...]:
        columns = [Column(d.value, self.text("stats_column", d.value)) for d in self.by]
        columns += [
            Column(name, self.text("stats_column", name))
            for name in ("suppressed", "n", "readiness")
        ]
        for factor in self.kb.factors:
            title = factor.title.get(self.locale)
            columns.append(
                Column(f"factor.{factor.key}", self.text("stats_factor_mean", factor=title))
            )
        for sf in self.kb.subfactors:
            title = sf.title.get(self.locale)
            columns.append(
                Column(f"mean.{sf.key}", self.text("stats_subfactor_mean", subfactor=title))
            )
            columns.append(
                Column(f"driver.{sf.key}", self.text("stats_driver_share", subfactor=title))
            )
        return tuple(columns)

    def key_label(self, dimension: Dimension, value: str | None) -> str:
        """A group's value under `dimension` as a reader sees it."""
        if value is None:
            return self.text("stats_value", "none")
        if dimension is Dimension.ORGANISATION:
            return self._organisations.get(value.lower(), value)
        if dimension is Dimension.MONTH:
            return value
        return self._choices[dimension].get(value, value)

    def key_labels(self, group: GroupStats) -> dict[str, str]:
        """Every dimension of the group, labelled."""
        return {d.value: self.key_label(d, v) for d, v in zip(self.by, group.key, strict=True)}

    def row(self, group: GroupStats) -> list[Cell]:
        """The group's cells, in column order; a suppressed group has only its labels."""
        cells: list[Cell] = list(self.key_labels(group).values())
        yes_no = self.text("stats_value", "yes" if group.suppressed else "no")
        if group.suppressed:
            return [*cells, yes_no] + [None] * (len(self.columns) - len(cells) - 1)
        cells += [yes_no, group.n, _rounded(group.readiness, MEAN_DIGITS)]
        cells += [_rounded(group.factors.get(f.key), MEAN_DIGITS) for f in self.kb.factors]
        for sf in self.kb.subfactors:
            figures = group.subfactors.get(sf.key)
            cells.append(_rounded(figures.mean if figures else None, MEAN_DIGITS))
            cells.append(_rounded(figures.driver_share if figures else None, SHARE_DIGITS))
        return cells
