"""Red-team helpers: the scenarios of issue 16, fresh secret keys, and what an attacker computes.

The attacks read only what a surface publishes (JSON exports, profiles, pages) and compute
the victim's figures the way the issue's review did. Whether the victim is protected is
judged on the attacker's results, never on how the protection works: over many independent
draws of the secret record keys, the recovered figures must stay far from the truth.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from knowledge import KnowledgeBase, QuestionSet, assess
from storage.models import RECORD_KEY_MODULUS, Assessment
from tests.storage.stats_data import Spec

K = 5
#: A recovered figure (0-100 scale) this close to the truth counts as a re-identification.
TOLERANCE = 5.0

Document = dict[str, Any]
Figures = dict[str, float | None]


def organisation_specs() -> tuple[Spec, list[Spec]]:
    """Attack (a): the victim alone in organisation A, five people in B, ten in C."""
    victim = Spec(respondent=1, org_code="orga", values=(4, 0, 3, 4, 1))
    b = [Spec(respondent=10 + i, org_code="orgb", values=(i % 5, 2, 1)) for i in range(5)]
    c = [Spec(respondent=20 + i, org_code="orgc", values=((i + 2) % 5, 3, 1, 2)) for i in range(10)]
    return victim, [*b, *c]


def region_specs() -> tuple[Spec, list[Spec]]:
    """Attack (b): the victim, health's only respondent, in Tehran; education five in Fars;
    utilities ten in Tehran."""
    victim = Spec(respondent=1, sector="health", region="tehran", values=(0, 4, 4, 1))
    education = [
        Spec(respondent=10 + i, sector="education", region="fars", values=(i % 5, 2))
        for i in range(5)
    ]
    utilities = [
        Spec(respondent=20 + i, sector="utilities", region="tehran", values=((i + 1) % 5, 3))
        for i in range(10)
    ]
    return victim, [*education, *utilities]


def answering_specs(first: int, count: int, seed: int) -> list[Spec]:
    """`count` people on the detailed checklist with random answers (0-4)."""
    rng = random.Random(seed)
    return [
        Spec(
            respondent=first + i,
            question_set=QuestionSet.DETAILED,
            values=tuple(rng.randrange(5) for _ in range(48)),
        )
        for i in range(count)
    ]


def true_figures(kb: KnowledgeBase, spec: Spec) -> Figures:
    """The victim's own figures: readiness index and factor scores."""
    readiness = assess(kb, spec.question_set, spec.answers(kb))
    return {
        "readiness": readiness.index,
        **{f"factor.{f.key}": f.score for f in readiness.factors},
    }


async def rekey(
    session_factory: async_sessionmaker[AsyncSession],
    seed: int,
    ids: Sequence[int] | None = None,
) -> None:
    """Give every assessment (or those with `ids`) a fresh record key from a seeded
    generator: an independent draw of the secret the protection rests on, reproducibly."""
    rng = random.Random(seed)
    async with session_factory() as session, session.begin():
        if ids is None:
            everyone = select(col(Assessment.id)).order_by(col(Assessment.id))
            ids = list(await session.scalars(everyone))
        # An ORM bulk UPDATE by primary key: one statement, a row of parameters each.
        await session.execute(
            update(Assessment),
            [{"id": i, "record_key": rng.randrange(RECORD_KEY_MODULUS)} for i in ids],
        )


def group_figures(group: Document) -> Figures:
    """A published group's figures, as the attacker reads them from a JSON document."""
    return {
        "readiness": group["readiness"],
        **{f"factor.{key}": value for key, value in group["factors"].items()},
    }


def groups_by(document: Document, dimension: str) -> dict[str | None, Document]:
    """The groups of a one-dimension JSON export, by their key."""
    return {group["key"][dimension]: group for group in document["groups"]}


def difference(
    whole: Document, parts: Sequence[Document], sizes: Sequence[int] | None = None
) -> Figures:
    """The victim's figures by subtraction: (sum over `whole` - sums over `parts`) / count.

    A sum is a published mean times a count: the published counts, or the true `sizes`
    (whole first) for an attacker who knows them from elsewhere. None where it cannot be
    computed: a figure is missing, or the counts leave no one.
    """
    groups = [whole, *parts]
    counts = list(sizes) if sizes is not None else [g["n"] for g in groups]
    remainder = counts[0] - sum(counts[1:])
    figures = [group_figures(g) for g in groups]
    result: Figures = {}
    for name in figures[0]:
        values = [f.get(name) for f in figures]
        if remainder < 1 or any(v is None for v in values):
            result[name] = None
            continue
        sums = [count * float(v) for count, v in zip(counts, values, strict=True) if v is not None]
        result[name] = (sums[0] - sum(sums[1:])) / remainder
    return result


@dataclass
class Attempts:
    """Every figure an attacker recovered, beside the truth, over many key draws."""

    pairs: list[tuple[float | None, float]]

    def add(self, recovered: Mapping[str, float | None], truth: Mapping[str, float | None]) -> None:
        """Record one draw's recovered figures against the victim's true ones."""
        for name, value in truth.items():
            if value is not None:
                self.pairs.append((recovered.get(name), value))

    @property
    def hits(self) -> float:
        """The share of figures recovered within TOLERANCE of the truth."""
        close = [r for r, t in self.pairs if r is not None and abs(r - t) <= TOLERANCE]
        return len(close) / len(self.pairs)

    @property
    def error(self) -> float:
        """The mean absolute error of the figures that could be computed at all (0-100)."""
        errors = [abs(r - t) for r, t in self.pairs if r is not None]
        return fmean(errors) if errors else float("inf")


def assert_not_recovered(attempts: Attempts) -> None:
    """The attacker's figures are no better than a guess: rarely close, far off on average.

    Before the fix each of these attacks recovered every figure to 1e-13. Now a figure lands
    within TOLERANCE about one time in twenty, by chance: the noise of two or three cells,
    each up to one record's whole range, is in every difference.
    """
    assert len(attempts.pairs) >= 40
    assert attempts.hits <= 0.2, f"{attempts.hits:.0%} of the victim's figures recovered"
    assert attempts.error >= 15, f"mean error only {attempts.error:.1f} points"


def answer_guesses(before: Document, after: Document) -> dict[str, str]:
    """Per question, the value whose published count rose most between two exports (the
    newcomer's answer, if only one person came in); no guess where nothing rose."""
    guesses: dict[str, str] = {}
    for question, now in after["answers"].items():
        then = before["answers"].get(question, {"counts": {}})
        rises = {
            value: count - then["counts"][value]
            for value, count in now["counts"].items()
            if count is not None and then["counts"].get(value) is not None
        }
        rises = {value: rise for value, rise in rises.items() if rise > 0}
        if rises:
            guesses[question] = max(rises, key=rises.__getitem__)
    return guesses
