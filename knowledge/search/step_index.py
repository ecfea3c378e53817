"""Search of the KB's action steps: a step's own texts, and the advice texts that name it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from knowledge.model import KnowledgeBase
from knowledge.search.bm25 import (
    ADVICE,
    TITLE,
    bm25,
    inverse_document_frequencies,
    weighted_frequencies,
)
from knowledge.search.terms import both_languages
from knowledge.steps import Step

__all__ = ["StepHit", "StepIndex"]


@dataclass(frozen=True, slots=True)
class StepHit:
    """A matching action step of the KB's catalogue, and the sub-factor whose advice names it."""

    step_id: str
    score: float
    subfactor_key: str


class StepIndex:
    """BM25 over the steps catalogue: a step's own texts, and the advice texts that name it."""

    def __init__(self, kb: KnowledgeBase, steps: Mapping[str, Step]) -> None:
        owner: dict[str, str] = {}
        advice: dict[str, list[str]] = {}
        for sf in kb.subfactors:
            for band in sf.advice.bands:
                for step_id in band.steps:
                    owner.setdefault(step_id, sf.key)
                    advice.setdefault(step_id, []).extend(both_languages(band.summary))
            for question in sf.asked_questions:
                if question.low is None:
                    continue
                for step_id in question.low.steps:
                    owner.setdefault(step_id, sf.key)
                    advice.setdefault(step_id, []).extend(both_languages(question.low.finding))
        self._docs: list[tuple[str, str, dict[str, float], float]] = []
        for step_id, step in steps.items():
            if step_id not in owner:  # a step no advice names is never shown
                continue
            own = [
                *both_languages(step.text),
                *(t for v in step.variants for t in both_languages(v.text)),
            ]
            frequencies, length = weighted_frequencies(((TITLE, own), (ADVICE, advice[step_id])))
            self._docs.append((step_id, owner[step_id], frequencies, length))
        count = len(self._docs) or 1
        self._idf = inverse_document_frequencies(count, (doc[2] for doc in self._docs))
        self._average = sum(doc[3] for doc in self._docs) / count or 1.0

    def search(self, sequence: Sequence[str], limit: int) -> tuple[StepHit, ...]:
        """The best `limit` steps for the query terms `sequence`, best first."""
        terms = tuple(dict.fromkeys(term for term in sequence if term in self._idf))
        if not terms or limit < 1:
            return ()
        ranked = sorted(
            (-bm25(freq, length, self._average, self._idf, terms), order, step_id, sf_key)
            for order, (step_id, sf_key, freq, length) in enumerate(self._docs)
        )
        return tuple(StepHit(i, -neg, sf) for neg, _, i, sf in ranked[:limit] if neg < 0)
