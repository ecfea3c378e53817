"""BM25 scoring with weighted fields (BM25F-style term frequencies), shared by both indexes."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from knowledge.search.terms import terms

__all__ = ["ADVICE", "TITLE", "bm25", "inverse_document_frequencies", "weighted_frequencies"]

# How much one occurrence counts in a field that both indexes have.
TITLE = 5.0
ADVICE = 0.5
# Standard BM25 parameters.
_K1 = 1.2
_B = 0.75


def weighted_frequencies(
    fields: Iterable[tuple[float, Iterable[str]]],
) -> tuple[dict[str, float], float]:
    """Each term's frequency, an occurrence counting its field's weight; and the total length."""
    frequencies: dict[str, float] = {}
    length = 0.0
    for weight, texts in fields:
        for text in texts:
            for term in terms(text):
                frequencies[term] = frequencies.get(term, 0.0) + weight
                length += weight
    return frequencies, length


def inverse_document_frequencies(
    count: int, documents: Iterable[Iterable[str]]
) -> dict[str, float]:
    """The BM25 idf of every term of `count` documents, each given as its distinct terms."""
    seen = Counter(term for document in documents for term in document)
    return {term: math.log(1.0 + (count - n + 0.5) / (n + 0.5)) for term, n in seen.items()}


def bm25(
    frequencies: Mapping[str, float],
    length: float,
    average: float,
    idf: Mapping[str, float],
    terms: Sequence[str],
) -> float:
    """The BM25 score of one document (its term frequencies and length) for the query terms."""
    norm = _K1 * (1.0 - _B + _B * length / average)
    score = 0.0
    for term in terms:
        tf = frequencies.get(term, 0.0)
        if tf:
            score += idf[term] * tf * (_K1 + 1.0) / (tf + norm)
    return score
