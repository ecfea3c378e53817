"""Cronbach's alpha from item moments equals the textbook formula on the raw answers."""

from __future__ import annotations

import math
from statistics import pvariance

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge import ItemMoments, cronbach_alpha


def moments_of(rows: list[list[int]]) -> ItemMoments:
    """The moments storage returns, computed from raw rows (one list of item values each)."""
    columns = list(zip(*rows, strict=True))
    totals = [sum(row) for row in rows]
    return ItemMoments(
        items=tuple(f"q{i}" for i in range(len(columns))),
        n=len(rows),
        sums=tuple(float(sum(c)) for c in columns),
        squares=tuple(float(sum(v * v for v in c)) for c in columns),
        total_sum=float(sum(totals)),
        total_squares=float(sum(t * t for t in totals)),
    )


def textbook_alpha(rows: list[list[int]]) -> float:
    """K/(K-1) * (1 - sum of item variances / variance of the totals)."""
    items = len(rows[0])
    item_variance = sum(pvariance(column) for column in zip(*rows, strict=True))
    return float(items / (items - 1) * (1 - item_variance / pvariance([sum(r) for r in rows])))


@pytest.mark.parametrize(
    ("rows", "alpha"),
    [
        # Items that always agree: perfectly consistent.
        ([[0, 0], [2, 2], [4, 4]], 1.0),
        # Items that pull apart: item variances 3.2 + 3.36 against a total variance of 0.16.
        ([[0, 4], [4, 0], [0, 4], [4, 0], [2, 3]], -80.0),
        # Worked by hand: item variances 1.04 + 0.8 + 1.04, total variance 7.36.
        ([[3, 4, 3], [2, 2, 3], [4, 4, 4], [1, 2, 1], [3, 3, 2]], 21 / 23),
    ],
)
def test_alpha_on_data_worked_by_hand(rows: list[list[int]], alpha: float) -> None:
    computed = cronbach_alpha(moments_of(rows))
    assert computed == pytest.approx(alpha)
    assert computed == pytest.approx(textbook_alpha(rows))


@given(
    st.integers(2, 6).flatmap(
        lambda items: st.lists(
            st.lists(st.integers(0, 4), min_size=items, max_size=items), min_size=2, max_size=30
        )
    )
)
def test_alpha_equals_the_textbook_formula(rows: list[list[int]]) -> None:
    computed = cronbach_alpha(moments_of(rows))
    if pvariance([sum(r) for r in rows]) == 0:
        assert computed is None
    else:
        assert computed is not None
        assert math.isclose(computed, textbook_alpha(rows), rel_tol=1e-6, abs_tol=1e-6)


@pytest.mark.parametrize(
    "rows",
    [
        [[1, 2, 3]],  # one response
        [[1], [2], [3]],  # one item
        [[2, 2], [2, 2], [2, 2]],  # no variance at all
    ],
)
def test_alpha_is_undefined_without_enough_data_or_variance(rows: list[list[int]]) -> None:
    assert cronbach_alpha(moments_of(rows)) is None
