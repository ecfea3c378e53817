"""Which groups to suppress: small groups, and the groups that would let one be worked out.

Primary suppression hides a group of fewer than k assessments or k distinct respondents.
That alone is not enough: a small group's count (and its figures: a mean times a count is a
sum) can be recovered by subtraction whenever its margin is published. The margin of a
one-dimension grouping is the whole population (the ungrouped summary); a two-dimension
grouping has, besides, each row and each column, which the one-dimension exports publish.

Complementary suppression: in every such line, the hidden groups are either none, or at least
two whose assessments add up to at least k, so that subtraction yields only a sum over several
hidden groups that is itself no smaller than a group one may show. Extra groups are hidden
smallest first (fewest assessments, then by key, so the plan is deterministic), and lines are
revisited until nothing changes, as hiding a group in a row can leave its column exposed.

This is the classic heuristic, not an optimal plan (which is NP-hard); it hides more than the
minimum at times, never less than the rule above. Pure: no SQL, no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Cell", "GroupKey", "is_suppressed", "plan_suppression"]

GroupKey = tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Cell:
    """A group's key and its size."""

    key: GroupKey
    assessments: int
    respondents: int


def is_suppressed(*, assessments: int, respondents: int, k: int) -> bool:
    """Whether a group is too small to show: fewer than k assessments or k respondents."""
    return assessments < k or respondents < k


def _lines(cells: Sequence[Cell]) -> list[list[Cell]]:
    """The sets of groups whose total is published elsewhere: whole, and rows and columns."""
    if not cells or len(cells[0].key) == 0:
        return []
    lines: list[list[Cell]] = [list(cells)]
    if len(cells[0].key) == 2:
        rows: defaultdict[str | None, list[Cell]] = defaultdict(list)
        columns: defaultdict[str | None, list[Cell]] = defaultdict(list)
        for cell in cells:
            rows[cell.key[0]].append(cell)
            columns[cell.key[1]].append(cell)
        lines += [*rows.values(), *columns.values()]
    return lines


def _key_order(cell: Cell) -> tuple[tuple[bool, str], ...]:
    return tuple((part is not None, part or "") for part in cell.key)


def _order(cell: Cell) -> tuple[int, tuple[tuple[bool, str], ...]]:
    return cell.assessments, _key_order(cell)


def _protect(line: list[Cell], hidden: set[GroupKey], k: int) -> bool:
    """Hide more of `line` until its hidden groups are safe; whether anything was added."""
    shown = sorted((cell for cell in line if cell.key not in hidden), key=_order)
    hidden_cells = [cell for cell in line if cell.key in hidden]
    added = False
    while hidden_cells and shown:
        if len(hidden_cells) >= 2 and sum(c.assessments for c in hidden_cells) >= k:
            break
        cell = shown.pop(0)
        hidden.add(cell.key)
        hidden_cells.append(cell)
        added = True
    return added


def plan_suppression(cells: Iterable[Cell], *, k: int) -> frozenset[GroupKey]:
    """The keys of every group to show as suppressed (primary and complementary)."""
    cells = sorted(cells, key=_key_order)  # the same plan whatever order the groups came in
    hidden = {
        cell.key
        for cell in cells
        if is_suppressed(assessments=cell.assessments, respondents=cell.respondents, k=k)
    }
    lines = _lines(cells)
    changed = bool(hidden)
    while changed:
        changed = False
        for line in lines:
            changed |= _protect(line, hidden, k)
    return frozenset(hidden)
