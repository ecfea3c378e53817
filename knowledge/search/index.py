"""The search index over one KB revision: sub-factors with their evidence, and action steps."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from knowledge.model import Factor, KnowledgeBase, Reference, SubFactor
from knowledge.search.bm25 import (
    ADVICE,
    TITLE,
    bm25,
    inverse_document_frequencies,
    weighted_frequencies,
)
from knowledge.search.step_index import StepHit, StepIndex
from knowledge.search.terms import both_languages, query_terms, terms
from knowledge.steps import Step

__all__ = ["SearchHit", "SearchIndex", "search"]

# How much one occurrence counts, by where it occurs (besides TITLE and ADVICE).
_FACTOR_TITLE = 1.5
_DESCRIPTION = 1.5
_QUESTION = 1.0
_FINDING = 1.0
_REFERENCE = 0.5
# Multipliers when the query holds a title as a phrase, or holds all its terms in any order.
_TITLE_PHRASE_BOOST = 2.0
_TITLE_TERMS_BOOST = 1.5
# Evidence ranks on its finding; a match on its reference's title or authors counts half.
_REFERENCE_MATCH = 0.5


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A matching sub-factor and the keys of its evidence references that matched, best first."""

    subfactor_key: str
    score: float
    evidence_refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _EvidenceTerms:
    ref: str
    finding: frozenset[str]
    reference: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Document:
    key: str
    frequencies: Mapping[str, float]
    length: float
    titles: tuple[tuple[str, ...], ...]
    evidence: tuple[_EvidenceTerms, ...]


class SearchIndex:
    """A BM25 index over one KB revision; build once, query many times."""

    def __init__(self, kb: KnowledgeBase) -> None:
        references = {r.key: r for r in kb.references}
        steps = {step.id: step for step in kb.steps}
        self._documents = tuple(
            _document(factor, sf, references, steps)
            for factor in kb.factors
            for sf in factor.subfactors
        )
        count = len(self._documents)
        self._idf = inverse_document_frequencies(
            count, (doc.frequencies for doc in self._documents)
        )
        total = sum(doc.length for doc in self._documents)
        self._average_length = total / count if total else 1.0
        self._steps = StepIndex(kb, steps)

    def search(self, query: str, *, limit: int = 3) -> tuple[SearchHit, ...]:
        """The best `limit` sub-factors for `query`, best first; empty when nothing matches."""
        sequence = query_terms(query)
        terms = tuple(dict.fromkeys(term for term in sequence if term in self._idf))
        if not terms or limit < 1:
            return ()
        ranked: list[tuple[float, int, _Document]] = []
        for order, doc in enumerate(self._documents):
            score = bm25(doc.frequencies, doc.length, self._average_length, self._idf, terms)
            if score > 0:
                ranked.append((-score * _title_boost(doc.titles, sequence), order, doc))
        ranked.sort(key=lambda item: item[:2])
        return tuple(
            SearchHit(doc.key, -negative, self._evidence_refs(doc, terms))
            for negative, _, doc in ranked[:limit]
        )

    def search_steps(self, query: str, *, limit: int = 3) -> tuple[StepHit, ...]:
        """The best `limit` action steps for `query`, best first; empty when nothing matches."""
        return self._steps.search(query_terms(query), limit)

    def _evidence_refs(self, doc: _Document, terms: Sequence[str]) -> tuple[str, ...]:
        scored: list[tuple[float, int, str]] = []
        for order, item in enumerate(doc.evidence):
            score = sum(
                self._idf[t] * (1.0 if t in item.finding else _REFERENCE_MATCH)
                for t in terms
                if t in item.finding or t in item.reference
            )
            if score > 0:
                scored.append((-score, order, item.ref))
        scored.sort()
        return tuple(dict.fromkeys(ref for _, _, ref in scored))


def search(kb: KnowledgeBase, query: str, *, limit: int = 3) -> tuple[SearchHit, ...]:
    """Search `kb` once; build a `SearchIndex` instead when searching repeatedly."""
    return SearchIndex(kb).search(query, limit=limit)


def _title_boost(titles: Iterable[Sequence[str]], query: Sequence[str]) -> float:
    boost = 1.0
    for title in titles:
        if not title:
            continue
        if _contains_phrase(query, title):
            return _TITLE_PHRASE_BOOST
        if set(title) <= set(query):
            boost = _TITLE_TERMS_BOOST
    return boost


def _contains_phrase(sequence: Sequence[str], phrase: Sequence[str]) -> bool:
    width = len(phrase)
    return any(
        tuple(sequence[i : i + width]) == tuple(phrase) for i in range(len(sequence) - width + 1)
    )


def _advice_steps(sf: SubFactor) -> Iterator[str]:
    """The ids of every step a sub-factor's advice can name: by band and by low answer."""
    yield from dict.fromkeys(
        [i for a in sf.advice.bands for i in a.steps]
        + [i for q in sf.asked_questions if q.low for i in q.low.steps]
    )


def _document(
    factor: Factor,
    sf: SubFactor,
    references: Mapping[str, Reference],
    kb_steps: Mapping[str, Step],
) -> _Document:
    steps = [kb_steps[i] for i in _advice_steps(sf) if i in kb_steps]
    cited = dict.fromkeys([e.ref for e in sf.evidence] + [ref for s in steps for ref in s.refs])
    frequencies, length = weighted_frequencies(
        [
            (TITLE, both_languages(sf.title)),
            (_FACTOR_TITLE, both_languages(factor.title)),
            (_DESCRIPTION, both_languages(sf.description)),
            (_QUESTION, [s for q in sf.asked_questions for s in both_languages(q.text)]),
            (_FINDING, [s for e in sf.evidence for s in both_languages(e.finding)]),
            (ADVICE, [s for a in sf.advice.bands for s in both_languages(a.summary)]),
            (
                ADVICE,
                [s for q in sf.asked_questions if q.low for s in both_languages(q.low.finding)],
            ),
            (ADVICE, [s for step in steps for s in both_languages(step.text)]),
            (_REFERENCE, [_reference_text(references[k]) for k in cited if k in references]),
        ]
    )
    evidence = tuple(
        _EvidenceTerms(
            ref=e.ref,
            finding=frozenset(t for s in both_languages(e.finding) for t in terms(s)),
            reference=frozenset(
                terms(_reference_text(references[e.ref])) if e.ref in references else ()
            ),
        )
        for e in sf.evidence
    )
    titles = tuple(tuple(terms(s)) for s in both_languages(sf.title))
    return _Document(sf.key, frequencies, length, titles, evidence)


def _reference_text(reference: Reference) -> str:
    return " ".join((reference.title, *reference.authors))
