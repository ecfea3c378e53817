"""Sample statistics messages for the template tests: summaries, answers, profiles, peers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from handlers.checklist.service import Results
from handlers.checklist.views import render_results
from handlers.i18n import Renderer
from handlers.statistics.quality import (
    DONT_KNOW,
    FactorReliability,
    Instrument,
    QuestionAnswers,
    StoppedAt,
)
from handlers.statistics.service import Summary, lowest_driver_shares
from knowledge import KnowledgeBase, Locale, QuestionSet
from storage.stats import DropOff, Funnel, GroupStats, SubFactorFigures


def sample_group(kb: KnowledgeBase) -> GroupStats:
    """A shown group with every figure, some of them missing."""
    subfactors = {
        sf.key: SubFactorFigures(40.0 + i, None if i == 3 else i / 16)
        for i, sf in enumerate(kb.subfactors)
    }
    factors = {f.key: (None if i == 2 else 35.5 + i) for i, f in enumerate(kb.factors)}
    return GroupStats(("health",), False, 1234, 48.25, factors, subfactors)


def sample_instrument(kb: KnowledgeBase) -> Instrument:
    """Drop-offs in the profile and at questions; alpha shown, too few and undefined."""
    core = kb.questions(QuestionSet.CORE)
    stopped = (
        StoppedAt(None, 0, None, 17),
        StoppedAt("core", 3, core[3].id, 9),
        StoppedAt("detailed", 40, kb.questions(QuestionSet.DETAILED)[40].id, 2),
    )
    reliability = tuple(
        FactorReliability(f.key, 12, *[(None, None), (250, None), (250, 0.8123)][i % 3])
        for i, f in enumerate(kb.factors)
    )
    answers = tuple(
        QuestionAnswers(
            q.id,
            kb.subfactor_of(q.id).key,
            None if i % 4 == 0 else 20,
            {} if i % 4 == 0 else {"0": 1, "1": 2, "2": 3, "3": 4, "4": 5, DONT_KNOW: 5},
        )
        for i, q in enumerate(kb.questions(QuestionSet.DETAILED))
    )
    funnel = Funnel(1300, 1234, 40, 26, (DropOff(None, 0, 17),))
    return Instrument(funnel, stopped, reliability, answers)


def stats_texts(
    renderer: Renderer, kb: KnowledgeBase, locale: Locale, results: Results
) -> Iterator[tuple[str, ...]]:
    """/stats (with figures, and with too few), its answers, a profile, results with peers."""
    instrument = sample_instrument(kb)
    for overall in (sample_group(kb), GroupStats((), True)):
        summary = Summary(kb, 5, overall, instrument)
        lowest = lowest_driver_shares(kb, overall)
        yield (renderer.render(locale, "stats_summary.html", s=summary, lowest=lowest),)
        yield (renderer.render(locale, "stats_answers.html", s=summary),)
    yield (renderer.render(locale, "stats_org.html", kb=kb, g=sample_group(kb), code="water_1"),)
    means = {f.key: 52.5 for f in kb.factors}
    yield tuple(
        r.text for r in render_results(renderer, locale, replace(results, sector_means=means))
    )
