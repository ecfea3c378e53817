"""Cronbach's alpha from item moments: how consistently a factor's questions measure it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ItemMoments", "cronbach_alpha"]


@dataclass(frozen=True, slots=True)
class ItemMoments:
    """Over `n` complete responses: each item's sum and sum of squares, and the same for
    each response's total score (the sum of its items)."""

    items: tuple[str, ...]
    n: int
    sums: tuple[float, ...]
    squares: tuple[float, ...]
    total_sum: float
    total_squares: float


def _variance(total: float, squares: float, n: int) -> float:
    # Population variance; alpha is a ratio of variances, so n versus n - 1 cancels out.
    mean = total / n
    return max(squares / n - mean * mean, 0.0)


def cronbach_alpha(moments: ItemMoments) -> float | None:
    """alpha = K/(K-1) * (1 - sum of item variances / variance of totals).

    None when it is undefined: fewer than two items or two responses, or totals that do not
    vary at all.
    """
    items, n = len(moments.items), moments.n
    if items < 2 or n < 2:
        return None
    total_variance = _variance(moments.total_sum, moments.total_squares, n)
    if total_variance <= 1e-12:
        return None
    item_variance = sum(
        _variance(total, squares, n)
        for total, squares in zip(moments.sums, moments.squares, strict=True)
    )
    return items / (items - 1) * (1 - item_variance / total_variance)
