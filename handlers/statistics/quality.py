"""The instrument's own quality: completion funnel, Cronbach's alpha, answer distributions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.statistics.exports import Sheet
from handlers.statistics.table import Cell, StatsTable
from knowledge import KnowledgeBase, QuestionSet, cronbach_alpha
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
    count: int


@dataclass(frozen=True, slots=True)
class FactorReliability:
    """Cronbach's alpha of a factor's detailed questions; `responses` None when under k."""

    factor_key: str
    items: int
    responses: int | None
    alpha: float | None


@dataclass(frozen=True, slots=True)
class QuestionAnswers:
    """How completed assessments answered a question; `counts` empty when under k."""

    question_id: str
    subfactor_key: str
    total: int | None
    counts: Mapping[str, int]


@dataclass(frozen=True)
class Instrument:
    """The funnel, the reliability of each factor and the answers to each question."""

    funnel: Funnel
    stopped: tuple[StoppedAt, ...]
    reliability: tuple[FactorReliability, ...]
    answers: tuple[QuestionAnswers, ...]

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
        moments = await stats_store.get_item_moments(session=session, items=items)
        enough = moments.n >= max(k, 2)
        results.append(
            FactorReliability(
                factor_key=factor.key,
                items=len(items),
                responses=moments.n if enough else None,
                alpha=cronbach_alpha(moments) if enough else None,
            )
        )
    return tuple(results)


async def _answers(session: AsyncSession, kb: KnowledgeBase, k: int) -> tuple[QuestionAnswers, ...]:
    counts: dict[str, dict[str, int]] = {}
    for row in await stats_store.list_answer_counts(session=session):
        value = DONT_KNOW if row.value is None else str(row.value)
        counts.setdefault(row.question_id, {})[value] = row.count
    results = []
    for question in kb.questions(QuestionSet.DETAILED):
        given = counts.get(question.id, {})
        total = sum(given.values())
        shown = {str(o.value): given.get(str(o.value), 0) for o in kb.scale.options}
        shown[DONT_KNOW] = given.get(DONT_KNOW, 0)
        suppressed = total < k
        results.append(
            QuestionAnswers(
                question_id=question.id,
                subfactor_key=kb.subfactor_of(question.id).key,
                total=None if suppressed else total,
                counts={} if suppressed else shown,
            )
        )
    return tuple(results)


async def instrument_report(*, session: AsyncSession, kb: KnowledgeBase, k: int) -> Instrument:
    """Gather the funnel, reliability and answer distributions under threshold `k`."""
    funnel = await stats_store.get_completion_funnel(session=session)
    stopped = tuple(
        StoppedAt(d.question_set, d.position, _question_at(kb, d.question_set, d.position), d.count)
        for d in funnel.stopped
    )
    return Instrument(
        funnel=funnel,
        stopped=stopped,
        reliability=await _reliability(session, kb, k),
        answers=await _answers(session, kb, k),
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
    values = [str(o.value) for o in kb.scale.options] + [DONT_KNOW]
    answer_rows: list[list[Cell]] = [
        [a.question_id, subfactor(a.question_id), a.total, *(a.counts.get(v) for v in values)]
        for a in instrument.answers
    ]
    scale = [o.label.get(locale) for o in kb.scale.options] + [kb.scale.dont_know.get(locale)]
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
            [text("stats_header", n) for n in ("question", "subfactor", "total")] + scale,
            answer_rows,
        ),
    ]
