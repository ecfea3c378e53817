"""Free-text search of sub-factors and their evidence, in Persian and English at once."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice

from knowledge.model import Factor, KnowledgeBase, Reference, SubFactor, Text
from knowledge.steps import Step
from knowledge.text import fold_for_search

__all__ = ["SearchHit", "SearchIndex", "StepHit", "search"]

# Only the start of a pasted essay is read, and only its first terms are scored.
_MAX_QUERY_CHARS = 2_000
_MAX_QUERY_TERMS = 32

# How much one occurrence counts, by where it occurs (a BM25F-style weighted term frequency).
_TITLE = 5.0
_FACTOR_TITLE = 1.5
_DESCRIPTION = 1.5
_QUESTION = 1.0
_FINDING = 1.0
_ADVICE = 0.5
_REFERENCE = 0.5
# Standard BM25 parameters.
_K1 = 1.2
_B = 0.75
# Multipliers when the query holds a title as a phrase, or holds all its terms in any order.
_TITLE_PHRASE_BOOST = 2.0
_TITLE_TERMS_BOOST = 1.5
# Evidence ranks on its finding; a match on its reference's title or authors counts half.
_REFERENCE_MATCH = 0.5

_STOP_WORDS_EN = """
a about all an and any are as at be been being but by can could do does for from had has have
how i if in into is it its me more most my no not of on or our should so some tell than that the
their them then there these they this those to us was we were what when where which who why will
with would you your
"""
_STOP_WORDS_FA = """
آن آنها آیا از اگر ام اما ای این اینها با باید بر برای به بی پس تا چطور چگونه چه چی چیست
درباره در را که کدام کنیم کند کنند کرد ما من می می‌شود نه هر هم های ها هست است نیست و یا یک ی
"""
_STOP_WORDS = frozenset(fold_for_search(_STOP_WORDS_EN + _STOP_WORDS_FA).split())
# Persian suffixes, longest first: plural ها/های/ات/ان and the adjectival or ezafe ی.
_FA_SUFFIXES = ("هایی", "های", "ها", "ات", "ان", "ی")
_FA_MIN_STEM = 3
_PERSIAN = re.compile("[\u0600-\u06ff]")
_VOWEL = re.compile("[aeiouy]")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A matching sub-factor and the keys of its evidence references that matched, best first."""

    subfactor_key: str
    score: float
    evidence_refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StepHit:
    """A matching action step of the KB's catalogue, and the sub-factor whose advice names it."""

    step_id: str
    score: float
    subfactor_key: str


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
        frequencies = Counter(term for doc in self._documents for term in doc.frequencies)
        self._idf = {
            term: math.log(1.0 + (count - n + 0.5) / (n + 0.5)) for term, n in frequencies.items()
        }
        total = sum(doc.length for doc in self._documents)
        self._average_length = total / count if total else 1.0
        self._steps = _StepIndex(kb, steps)

    def search(self, query: str, *, limit: int = 3) -> tuple[SearchHit, ...]:
        """The best `limit` sub-factors for `query`, best first; empty when nothing matches."""
        sequence = _query_terms(query)
        terms = tuple(dict.fromkeys(term for term in sequence if term in self._idf))
        if not terms or limit < 1:
            return ()
        ranked: list[tuple[float, int, _Document]] = []
        for order, doc in enumerate(self._documents):
            score = self._bm25(doc, terms)
            if score > 0:
                ranked.append((-score * _title_boost(doc.titles, sequence), order, doc))
        ranked.sort(key=lambda item: item[:2])
        return tuple(
            SearchHit(doc.key, -negative, self._evidence_refs(doc, terms))
            for negative, _, doc in ranked[:limit]
        )

    def search_steps(self, query: str, *, limit: int = 3) -> tuple[StepHit, ...]:
        """The best `limit` action steps for `query`, best first; empty when nothing matches."""
        return self._steps.search(_query_terms(query), limit)

    def _bm25(self, doc: _Document, terms: Sequence[str]) -> float:
        return _bm25(doc.frequencies, doc.length, self._average_length, self._idf, terms)

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


class _StepIndex:
    """BM25 over the steps catalogue: a step's own texts, and the advice texts that name it."""

    def __init__(self, kb: KnowledgeBase, steps: Mapping[str, Step]) -> None:
        owner: dict[str, str] = {}
        advice: dict[str, list[str]] = {}
        for sf in kb.subfactors:
            for band in sf.advice.bands:
                for step_id in band.steps:
                    owner.setdefault(step_id, sf.key)
                    advice.setdefault(step_id, []).extend(_both(band.summary))
            for question in sf.questions:
                if question.low is None:
                    continue
                for step_id in question.low.steps:
                    owner.setdefault(step_id, sf.key)
                    advice.setdefault(step_id, []).extend(_both(question.low.finding))
        self._docs: list[tuple[str, str, dict[str, float], float]] = []
        for step_id, step in steps.items():
            if step_id not in owner:  # a step no advice names is never shown
                continue
            own = [*_both(step.text), *(t for v in step.variants for t in _both(v.text))]
            frequencies: dict[str, float] = {}
            length = 0.0
            for weight, texts in ((_TITLE, own), (_ADVICE, advice[step_id])):
                for text in texts:
                    for term in _terms(text):
                        frequencies[term] = frequencies.get(term, 0.0) + weight
                        length += weight
            self._docs.append((step_id, owner[step_id], frequencies, length))
        count = len(self._docs) or 1
        seen = Counter(term for doc in self._docs for term in doc[2])
        self._idf = {t: math.log(1.0 + (count - n + 0.5) / (n + 0.5)) for t, n in seen.items()}
        self._average = sum(doc[3] for doc in self._docs) / count or 1.0

    def search(self, sequence: Sequence[str], limit: int) -> tuple[StepHit, ...]:
        terms = tuple(dict.fromkeys(term for term in sequence if term in self._idf))
        if not terms or limit < 1:
            return ()
        ranked = sorted(
            (-_bm25(freq, length, self._average, self._idf, terms), order, step_id, sf_key)
            for order, (step_id, sf_key, freq, length) in enumerate(self._docs)
        )
        return tuple(StepHit(i, -neg, sf) for neg, _, i, sf in ranked[:limit] if neg < 0)


def _bm25(
    frequencies: Mapping[str, float],
    length: float,
    average: float,
    idf: Mapping[str, float],
    terms: Sequence[str],
) -> float:
    norm = _K1 * (1.0 - _B + _B * length / average)
    score = 0.0
    for term in terms:
        tf = frequencies.get(term, 0.0)
        if tf:
            score += idf[term] * tf * (_K1 + 1.0) / (tf + norm)
    return score


def search(kb: KnowledgeBase, query: str, *, limit: int = 3) -> tuple[SearchHit, ...]:
    """Search `kb` once; build a `SearchIndex` instead when searching repeatedly."""
    return SearchIndex(kb).search(query, limit=limit)


def _query_terms(query: str) -> tuple[str, ...]:
    return tuple(islice(_terms(query[:_MAX_QUERY_CHARS]), _MAX_QUERY_TERMS))


def _terms(text: str) -> Iterator[str]:
    for word in fold_for_search(text).split():
        if word in _STOP_WORDS:
            continue
        term = _stem(word)
        if len(term) > 1 and term not in _STOP_WORDS:
            yield term


def _stem(word: str) -> str:
    if _PERSIAN.search(word):
        return _stem_fa(word)
    if word.isascii() and word.isalpha():
        return _stem_en(word)
    return word


def _stem_fa(word: str) -> str:
    # Two passes, so that «سازمانی» and «سازمان» (and «سازمان‌های») meet.
    for _ in range(2):
        for suffix in _FA_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _FA_MIN_STEM:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def _stem_en(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and _VOWEL.search(stem):
            if not word.endswith("eed"):
                word = _undouble(stem)
            break
    # «create», «created» and «creating» all become «creat».
    return word[:-1] if len(word) >= 5 and word.endswith("e") else word


def _undouble(stem: str) -> str:
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeioulsfz":
        return stem[:-1]
    return stem


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


def _both(text: Text) -> tuple[str, str]:
    return (text.fa, text.en)


def _advice_steps(sf: SubFactor) -> Iterator[str]:
    """The ids of every step a sub-factor's advice can name: by band and by low answer."""
    yield from dict.fromkeys(
        [i for a in sf.advice.bands for i in a.steps]
        + [i for q in sf.questions if q.low for i in q.low.steps]
    )


def _document(
    factor: Factor,
    sf: SubFactor,
    references: Mapping[str, Reference],
    kb_steps: Mapping[str, Step],
) -> _Document:
    steps = [kb_steps[i] for i in _advice_steps(sf) if i in kb_steps]
    cited = dict.fromkeys([e.ref for e in sf.evidence] + [ref for s in steps for ref in s.refs])
    fields: list[tuple[float, Iterable[str]]] = [
        (_TITLE, _both(sf.title)),
        (_FACTOR_TITLE, _both(factor.title)),
        (_DESCRIPTION, _both(sf.description)),
        (_QUESTION, [s for q in sf.questions for s in _both(q.text)]),
        (_FINDING, [s for e in sf.evidence for s in _both(e.finding)]),
        (_ADVICE, [s for a in sf.advice.bands for s in _both(a.summary)]),
        (_ADVICE, [s for q in sf.questions if q.low for s in _both(q.low.finding)]),
        (_ADVICE, [s for step in steps for s in _both(step.text)]),
        (_REFERENCE, [_reference_text(references[k]) for k in cited if k in references]),
    ]
    frequencies: dict[str, float] = {}
    length = 0.0
    for weight, texts in fields:
        for text in texts:
            for term in _terms(text):
                frequencies[term] = frequencies.get(term, 0.0) + weight
                length += weight
    evidence = tuple(
        _EvidenceTerms(
            ref=e.ref,
            finding=frozenset(t for s in _both(e.finding) for t in _terms(s)),
            reference=frozenset(
                _terms(_reference_text(references[e.ref])) if e.ref in references else ()
            ),
        )
        for e in sf.evidence
    )
    titles = tuple(tuple(_terms(s)) for s in _both(sf.title))
    return _Document(sf.key, frequencies, length, titles, evidence)


def _reference_text(reference: Reference) -> str:
    return " ".join((reference.title, *reference.authors))
