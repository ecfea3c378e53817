"""The instrument's own quality: completion funnel, Cronbach's alpha, answer distributions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.statistics.exports import Sheet
from handlers.statistics.table import Cell, StatsTable
from knowledge import KnowledgeBase, QuestionSet
from knowledge.text import to_persian_digits
from storage import stats as stats_store
from storage.stats import Funnel

__all__ = [
    "DONT_KNOW",
    "FactorReliability",
    "Instrument",
    "QuestionAnswers",
    "StoppedAt",
    "instrument_report",
    "instrument_sheets",
]

DONT_KNOW = "dont_know"


@dataclass(frozen=True, slots=True)
class StoppedAt:
    """Unfinished assessments that stopped at a question (`question_id` None: the profile)."""

    question_set: str | None
    position: int
    question_id: str | None
    count: int | None


@dataclass(frozen=True, slots=True)
class FactorReliability:
    """Cronbach's alpha of a factor's detailed questions; `responses` None when under k."""

    factor_key: str
    items: int
    responses: int | None
    alpha: float | None


@dataclass(frozen=True, slots=True)
class QuestionAnswers:
    """How released assessments answered a question; `counts` empty when under k, and a
    value's count None when it is under k."""

    question_id: str
    subfactor_key: str
    total: int | None
    counts: Mapping[str, int | None]


@dataclass(frozen=True)
class Instrument:
    """The funnel (live), the reliability of each factor and the answers to each question
    (over release number `release`, cut at `released_at`; None before the first release)."""

    funnel: Funnel
    stopped: tuple[StoppedAt, ...]
    reliability: tuple[FactorReliability, ...]
    answers: tuple[QuestionAnswers, ...]
    release: int | None = None
    released_at: datetime | None = None

    def to_document(self) -> dict[str, Any]:
        """The JSON form (fields after the groups in a JSON export)."""
        funnel = self.funnel
        return {
            "funnel": {
                "started": funnel.started,
                "completed": funnel.completed,
                "active": funnel.active,
                "cancelled": funnel.cancelled,
                "stopped": [
                    {
                        "question_set": s.question_set,
                        "position": s.position,
                        "question_id": s.question_id,
                        "count": s.count,
                    }
                    for s in self.stopped
                ],
            },
            "release": self.release,
            "released_at": (
                None if self.released_at is None else self.released_at.isoformat(timespec="seconds")
            ),
            "reliability": {
                r.factor_key: {"items": r.items, "responses": r.responses, "alpha": r.alpha}
                for r in self.reliability
            },
            "answers": {
                a.question_id: {"total": a.total, "counts": dict(a.counts)} for a in self.answers
            },
        }


def _question_at(kb: KnowledgeBase, question_set: str | None, position: int) -> str | None:
    if question_set not in {s.value for s in QuestionSet}:
        return None
    questions = kb.questions(QuestionSet(str(question_set)))
    return questions[position].id if 0 <= position < len(questions) else None


async def _reliability(
    session: AsyncSession, kb: KnowledgeBase, k: int
) -> tuple[FactorReliability, ...]:
    results = []
    for factor in kb.factors:
        items = [q.id for sf in factor.subfactors for q in sf.questions_in(QuestionSet.DETAILED)]
        published = await stats_store.get_reliability(session=session, items=items, k=k)
        results.append(
            FactorReliability(factor.key, len(items), published.responses, published.alpha)
        )
    return tuple(results)


async def _answers(session: AsyncSession, kb: KnowledgeBase, k: int) -> tuple[QuestionAnswers, ...]:
    published = {
        a.question_id: a for a in await stats_store.list_answer_counts(session=session, k=k)
    }
    results = []
    # Retired questions too, when older assessments answered them: their key keeps its meaning.
    retired = tuple(q for q in kb.retired_questions() if q.id in published)
    for question in kb.questions(QuestionSet.DETAILED) + retired:
        given = published.get(question.id)
        total = None if given is None else given.total
        counts: dict[str, int | None] = {}
        if given is not None and total is not None:
            # A value nobody gave is "fewer than k" too: a 0 would turn into 1 for one person.
            counts = {str(o.value): given.counts.get(o.value) for o in kb.scale.options}
            counts[DONT_KNOW] = given.counts.get(None)
        results.append(
            QuestionAnswers(
                question_id=question.id,
                subfactor_key=kb.subfactor_of(question.id).key,
                total=total,
                counts=counts,
            )
        )
    return tuple(results)


async def instrument_report(*, session: AsyncSession, kb: KnowledgeBase, k: int) -> Instrument:
    """Gather the funnel, reliability and answer distributions under threshold `k`."""
    funnel = await stats_store.get_completion_funnel(session=session, k=k)
    stopped = tuple(
        StoppedAt(d.question_set, d.position, _question_at(kb, d.question_set, d.position), d.count)
        for d in funnel.stopped
    )
    release = await stats_store.get_release(session=session)
    return Instrument(
        funnel=funnel,
        stopped=stopped,
        reliability=await _reliability(session, kb, k),
        answers=await _answers(session, kb, k),
        release=None if release is None else release.id,
        released_at=None if release is None else release.cut_at,
    )


def instrument_sheets(table: StatsTable, instrument: Instrument) -> list[Sheet]:
    """The funnel, reliability and answers as extra XLSX sheets in the table's language."""
    kb, locale, text = table.kb, table.locale, table.text

    def subfactor(question_id: str | None) -> str:
        return kb.subfactor_of(question_id).title.get(locale) if question_id else ""

    funnel = instrument.funnel
    funnel_rows: list[list[Cell]] = [
        [text("stats_funnel", name), "", "", value]
        for name, value in (
            ("started", funnel.started),
            ("completed", funnel.completed),
            ("active", funnel.active),
            ("cancelled", funnel.cancelled),
        )
    ]
    for s in instrument.stopped:
        where = text("stats_stage", s.question_set or "profile")
        funnel_rows.append([where, s.position + 1, s.question_id or "", s.count])
    reliability_rows: list[list[Cell]] = [
        [kb.factor(r.factor_key).title.get(locale), r.items, r.responses, r.alpha]
        for r in instrument.reliability
    ]

    def scale_of(question_id: str) -> str:
        # Questions have their own scales (practice, agreement, frequency), on the same values.
        options = kb.scale_of(kb.question(question_id)).options
        return f"{options[0].label.get(locale)} … {options[-1].label.get(locale)}"

    values = [str(o.value) for o in kb.scale.options] + [DONT_KNOW]
    answer_rows: list[list[Cell]] = [
        [
            a.question_id,
            subfactor(a.question_id),
            scale_of(a.question_id),
            a.total,
            *(a.counts.get(v) for v in values),
        ]
        for a in instrument.answers
    ]
    shown = to_persian_digits if locale == "fa" else str
    scale = [*(shown(str(o.value)) for o in kb.scale.options), kb.scale.dont_know.get(locale)]
    header = [text("stats_header", name) for name in ("stage", "position", "question", "count")]
    return [
        Sheet(text("stats_sheet", "funnel"), header, funnel_rows),
        Sheet(
            text("stats_sheet", "reliability"),
            [text("stats_header", n) for n in ("factor", "items", "responses", "alpha")],
            reliability_rows,
        ),
        Sheet(
            text("stats_sheet", "answers"),
            [text("stats_header", n) for n in ("question", "subfactor", "scale", "total")] + scale,
            answer_rows,
        ),
    ]
