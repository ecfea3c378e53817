"""Statistical disclosure control: the one place where an aggregate becomes a published figure.

Every figure Pishran publishes (exports, the API, the panel, chat, organisation counts, the
sector means shown with results) is made here from exact aggregates that SQL computed, by
the "cell key" method of the ABS TableBuilder (docs/privacy.md):

- each assessment has a secret random record key (storage/models/assessments.py), fixed at creation;
- a cell (the set of records a figure aggregates) has a key: the sum of its records' keys
  modulo RECORD_KEY_MODULUS, computed in the same SQL GROUP BY as the figure (`cell_key`);
- a count n is published as n + d, d from the fixed table COUNT_NOISE, chosen by the cell
  key: unbiased, at most COUNT_NOISE_LIMIT either way, never below k; under k, nothing;
- a mean is published as (sum + e) / contributors, e up to SUM_NOISE times one record's
  largest possible contribution, also chosen by the cell key; under k contributors, nothing;
- the draw for a figure is a keyed hash of the cell key and the figure's name, under a
  secret of the deployment (stats_secret): without it no one can tell which noise a cell
  key gives, so the 31-bit cell keys cannot be searched.

The noise is a function of the records in the cell and of which figure it is, nothing else:
the same cell gets the same noise in every query, so repeating or rephrasing a query gains
nothing, and the difference of two overlapping cells keeps the noise of both.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from itertools import accumulate
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import RECORD_KEY_MODULUS, StatsSecret

__all__ = [
    "COUNT_NOISE",
    "COUNT_NOISE_LIMIT",
    "SCORE_BOUND",
    "SHARE_BOUND",
    "SUM_NOISE",
    "Figure",
    "Noise",
    "cell_key",
    "get_noise",
    "is_suppressed",
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


class Figure:
    """A kind of published figure ("n", "readiness", "mean.<key>", …) and its noise stream.

    Its draw for a cell is a keyed BLAKE2b hash of the cell key: uniform, unrelated across
    figures and cells, and impossible to compute without the deployment's secret, so that
    even someone who knows every record of a cell but one cannot search the cell keys.
    """

    __slots__ = ("_base", "_scale", "bound", "name")

    def __init__(self, name: str, bound: float, secret: bytes) -> None:
        self.name, self.bound = name, bound
        self._scale = SUM_NOISE * bound
        self._base = hashlib.blake2b(key=secret, digest_size=8, person=b"pishran-noise")
        self._base.update(name.encode() + b"\0")

    def _draw(self, key: int) -> int:
        """64 random bits for the cell with this key: the keyed hash of (name, key)."""
        h = self._base.copy()
        h.update(int(key).to_bytes(8, "little"))
        return int.from_bytes(h.digest(), "little")

    def uniform(self, key: int) -> float:
        """This figure's number in [0, 1) for the cell with this key."""
        return self._draw(key) / 2**64

    def count(self, n: int, key: int, k: int, respondents: int | None = None) -> int | None:
        """A published count: None under k (or k respondents); else n + COUNT_NOISE's draw."""
        if n < k or (respondents is not None and respondents < k):
            return None
        row = min(n - k, len(COUNT_NOISE) - 1)
        index = bisect_right(_CUMULATIVE[row], self.uniform(key))
        return n + COUNT_NOISE[row][min(index, len(COUNT_NOISE[row]) - 1)][0]

    def noise(self, key: int) -> float:
        """The noise on a sum in this cell: within ±SUM_NOISE·bound, triangular, unbiased.

        The sum of two uniform draws (the two halves of the 64 bits), less one, is triangular
        on [-1, 1].
        """
        bits = self._draw(key)
        return self._scale * (((bits >> 32) + (bits & 0xFFFFFFFF)) / 2**32 - 1)

    def mean(self, total: float | None, contributors: int, key: int, k: int) -> float | None:
        """A published mean of `contributors` values in [0, bound] summing to `total`.

        None under k contributors; else (total + noise) / contributors, kept in [0, bound].
        """
        if total is None or contributors < k:
            return None
        bits = self._draw(key)
        noise = self._scale * (((bits >> 32) + (bits & 0xFFFFFFFF)) / 2**32 - 1)
        mean = (total + noise) / contributors
        return 0.0 if mean < 0.0 else self.bound if mean > self.bound else mean


class Noise:
    """The deployment's noise: every figure's draws, keyed by its secret (stats_secret)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._figures: dict[tuple[str, float], Figure] = {}

    def figure(self, name: str, bound: float = SCORE_BOUND) -> Figure:
        """The figure called `name`, its values in [0, bound] (made once, then reused)."""
        found = self._figures.get((name, bound))
        if found is None:
            found = self._figures[name, bound] = Figure(name, bound, self._secret)
        return found

    def count(
        self, n: int, key: int, k: int, *, respondents: int | None = None, name: str = "n"
    ) -> int | None:
        """A published count: None under k (or k respondents), else perturbed."""
        return self.figure(name).count(n, key, k, respondents)

    def mean(
        self, total: float | None, contributors: int, key: int, k: int, *, name: str, bound: float
    ) -> float | None:
        """A published mean of `contributors` values summing to `total`, each in [0, bound]."""
        return self.figure(name, bound).mean(total, contributors, key, k)


_NOISES: dict[str, Noise] = {}
# Built once: every results screen reads it (building a statement costs about 100 µs).
_SECRET = select(col(StatsSecret.secret)).where(col(StatsSecret.id) == 1)


async def get_noise(session: AsyncSession) -> Noise:
    """The deployment's noise (its secret is made by migration 0006 and never leaves)."""
    secret = await session.scalar(_SECRET)
    if secret is None:
        raise RuntimeError("the statistics noise secret is missing: run the migrations")
    noise = _NOISES.get(secret)
    if noise is None:
        noise = _NOISES[secret] = Noise(bytes.fromhex(secret))
    return noise
