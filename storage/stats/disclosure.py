"""Statistical disclosure control: the one place where an aggregate becomes a published figure.

Every figure Pishran publishes (exports, the API, the panel, chat, organisation counts, the
sector means shown with results) is made here from exact aggregates that SQL computed, by
the "cell key" method of the ABS TableBuilder (docs/privacy.md):

- each assessment has a secret random record key (storage/models.py), fixed at creation;
- a cell (the set of records a figure aggregates) has a key: the sum of its records' keys
  modulo RECORD_KEY_MODULUS, computed in the same SQL GROUP BY as the figure (`cell_key`);
- a count n is published as n + d, d from the fixed table COUNT_NOISE, chosen by the cell
  key: unbiased, at most COUNT_NOISE_LIMIT either way, never below k; under k, nothing;
- a mean is published as (sum + e) / contributors, e up to SUM_NOISE times one record's
  largest possible contribution, also chosen by the cell key; under k contributors, nothing.

The noise is a function of the records in the cell and of which figure it is, nothing else:
the same cell gets the same noise in every query, so repeating or rephrasing a query gains
nothing, and the difference of two overlapping cells keeps the noise of both.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column

from storage.models import RECORD_KEY_MODULUS

__all__ = [
    "COUNT_NOISE",
    "COUNT_NOISE_LIMIT",
    "SCORE_BOUND",
    "SHARE_BOUND",
    "SUM_NOISE",
    "Figure",
    "cell_key",
    "count_noise",
    "figure",
    "is_suppressed",
    "publish_count",
    "publish_mean",
    "sum_noise",
    "uniform",
]

#: The count perturbation table: row min(n - k, 2) gives (noise, probability) pairs. Each row
#: is symmetric (so unbiased) and keeps n + noise at k or above.
COUNT_NOISE: tuple[tuple[tuple[int, float], ...], ...] = (
    ((0, 1.0),),
    ((-1, 0.25), (0, 0.5), (1, 0.25)),
    ((-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.2), (2, 0.1)),
)
COUNT_NOISE_LIMIT = 2
#: Sub-factor, factor and readiness scores are on 0-100 (knowledge/assessment.py).
SCORE_BOUND = 100.0
#: A driver share's record contributes 0 or 1.
SHARE_BOUND = 1.0
#: Noise on a sum: up to this many times one record's largest contribution (triangular).
SUM_NOISE = 1.0

_CUMULATIVE = tuple(tuple(accumulate(p for _, p in row)) for row in COUNT_NOISE)


def is_suppressed(*, assessments: int, respondents: int, k: int) -> bool:
    """Whether a group is too small to publish: fewer than k assessments or k respondents."""
    return assessments < k or respondents < k


def cell_key(record_key: Any, where: ColumnElement[bool] | None = None) -> ColumnElement[int]:
    """SQL: the key of a cell, the sum of its records' keys (those `where` holds) mod M."""
    summed = func.sum(record_key if where is None else case((where, record_key)))
    # A literal, not a parameter: the same text in every statement, however it is grouped.
    return func.coalesce(summed, 0) % literal_column(str(RECORD_KEY_MODULUS))


@dataclass(frozen=True, slots=True)
class Figure:
    """A kind of published figure ("n", "readiness", "mean.<key>", …) and its noise stream.

    A cell key is uniform on [0, M), M prime; multiplying it by the figure's own non-zero
    multiplier modulo M is a bijection, so each figure's draw is uniform too, and different
    figures of one cell get unrelated draws.
    """

    name: str
    bound: float
    multiplier: int

    def uniform(self, key: int) -> float:
        """This figure's number in [0, 1) for the cell with this key."""
        return (int(key) * self.multiplier % RECORD_KEY_MODULUS) / RECORD_KEY_MODULUS

    def count(self, n: int, key: int, k: int, respondents: int | None = None) -> int | None:
        """A published count: None under k (or k respondents); else n + COUNT_NOISE's draw."""
        if n < k or (respondents is not None and respondents < k):
            return None
        row = min(n - k, len(COUNT_NOISE) - 1)
        index = bisect_right(_CUMULATIVE[row], self.uniform(key))
        return n + COUNT_NOISE[row][min(index, len(COUNT_NOISE[row]) - 1)][0]

    def noise(self, key: int) -> float:
        """The noise on a sum in this cell: within ±SUM_NOISE·bound, triangular, unbiased."""
        u = self.uniform(key)
        shape = math.sqrt(2 * u) - 1 if u < 0.5 else 1 - math.sqrt(2 * (1 - u))
        return SUM_NOISE * self.bound * shape

    def mean(self, total: float | None, contributors: int, key: int, k: int) -> float | None:
        """A published mean of `contributors` values in [0, bound] summing to `total`.

        None under k contributors; else (total + noise) / contributors, kept in [0, bound].
        """
        if total is None or contributors < k:
            return None
        mean = (float(total) + self.noise(key)) / contributors
        return min(max(mean, 0.0), self.bound)


@lru_cache(maxsize=8192)
def figure(name: str, bound: float = SCORE_BOUND) -> Figure:
    """The figure called `name`, its values bounded by `bound` (cached: a few per key)."""
    digest = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big")
    return Figure(name, bound, 1 + digest % (RECORD_KEY_MODULUS - 1))


def uniform(key: int, name: str) -> float:
    """The number in [0, 1) that the cell key gives the figure `name`."""
    return figure(name).uniform(key)


def count_noise(n: int, key: int, k: int, name: str = "n") -> int:
    """The noise COUNT_NOISE gives a count n >= k in the cell with this key."""
    published = figure(name).count(n, key, k)
    assert published is not None, "a count under k has no noise: it is not published"
    return published - n


def publish_count(
    n: int, key: int, k: int, *, respondents: int | None = None, name: str = "n"
) -> int | None:
    """The published form of a count: None under k (or under k respondents), else perturbed."""
    return figure(name).count(n, key, k, respondents)


def sum_noise(key: int, name: str, bound: float) -> float:
    """The noise on a sum whose records contribute at most `bound` each: in ±SUM_NOISE·bound."""
    return figure(name, bound).noise(key)


def publish_mean(
    total: float | None, contributors: int, key: int, k: int, *, name: str, bound: float
) -> float | None:
    """The published mean of `contributors` values summing to `total`, each in [0, bound]."""
    return figure(name, bound).mean(total, contributors, key, k)
