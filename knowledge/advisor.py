"""Readiness + answers + profile -> advice per sub-factor and one action plan, with citations.

Per scored sub-factor: the summary and steps of its score band, then for each question
answered low (at or below its `low.at_most`) that question's finding and steps, and for each
"don't know" its finding: who would know and how to find out. A band's steps never include a
question's low-answer step (checks.py refuses such a KB), so the advice never tells anyone to
create what they said they have. References are numbered by first appearance across the whole
results: sub-factors in KB order, in each its findings' steps, then its band steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from knowledge.assessment import Readiness, SubFactorResult
from knowledge.model import Effect, KnowledgeBase, Reference, Text
from knowledge.plan import ActionPlan, AdvisedStep, Reason, plan_actions

__all__ = [
    "AdviceReport",
    "Case",
    "Finding",
    "FindingKind",
    "SubFactorAdvice",
    "advise",
    "case_for",
]


class Case(StrEnum):
    """How a sub-factor in this agency compares with the paper's national baseline."""

    EXPECTED_OBSTACLE = "expected_obstacle"
    URGENT = "urgent"
    LEVERAGE = "leverage"
    KEEP = "keep"


_CASES: Mapping[tuple[Effect, Effect], Case] = {
    (Effect.OBSTACLE, Effect.OBSTACLE): Case.EXPECTED_OBSTACLE,
    (Effect.OBSTACLE, Effect.DRIVER): Case.URGENT,
    (Effect.DRIVER, Effect.OBSTACLE): Case.LEVERAGE,
    (Effect.DRIVER, Effect.DRIVER): Case.KEEP,
}


class FindingKind(StrEnum):
    """What a finding reads from an answer: a low answer, or "don't know"."""

    LOW = "low"
    DONT_KNOW = "dont_know"


@dataclass(frozen=True, slots=True)
class Finding:
    """What one answer shows; `owner` (for "don't know") is who in the agency would know."""

    question_id: str
    kind: FindingKind
    text: Text
    answer: int | None
    owner: str | None = None
    steps: tuple[AdvisedStep, ...] = ()


@dataclass(frozen=True, slots=True)
class SubFactorAdvice:
    """The advice for one scored sub-factor: its band's summary and steps, and its findings."""

    subfactor_key: str
    case: Case
    band: str
    summary: Text
    steps: tuple[AdvisedStep, ...]
    findings: tuple[Finding, ...]

    @property
    def citations(self) -> tuple[int, ...]:
        """Every reference number this advice cites, each once, in order of first citation."""
        shown = [*(s for f in self.findings for s in f.steps), *self.steps]
        return tuple(dict.fromkeys(n for step in shown for n in step.citations))

    @property
    def low_findings(self) -> tuple[Finding, ...]:
        """The findings of low answers."""
        return tuple(f for f in self.findings if f.kind is FindingKind.LOW)


@dataclass(frozen=True, slots=True)
class AdviceReport:
    """Advice per scored sub-factor, priorities, the plan, "don't know" advice, references."""

    items: tuple[SubFactorAdvice, ...]
    priorities: tuple[SubFactorAdvice, ...]
    references: tuple[Reference, ...]
    unanswered: tuple[str, ...]
    plan: ActionPlan
    dont_know: tuple[Finding, ...] = ()

    def number_of(self, ref_key: str) -> int:
        """The 1-based number of a cited reference (KeyError if it is not cited)."""
        for number, reference in enumerate(self.references, start=1):
            if reference.key == ref_key:
                return number
        raise KeyError(ref_key)

    def item(self, subfactor_key: str) -> SubFactorAdvice:
        """The advice for sub-factor `subfactor_key` (KeyError if it has no score)."""
        for advice in self.items:
            if advice.subfactor_key == subfactor_key:
                return advice
        raise KeyError(subfactor_key)


def case_for(effect: Effect, baseline: Effect) -> Case:
    """The case for a sub-factor acting as `effect` here and as `baseline` nationally."""
    return _CASES[effect, baseline]


class _Numbering:
    """Reference numbers handed out by first citation."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def cite(self, refs: tuple[str, ...]) -> tuple[int, ...]:
        for ref in refs:
            self.numbers.setdefault(ref, len(self.numbers) + 1)
        return tuple(dict.fromkeys(self.numbers[ref] for ref in refs))


def advise(
    kb: KnowledgeBase, readiness: Readiness, profile: Mapping[str, str] | None = None
) -> AdviceReport:
    """The advice for `readiness`, worded for `profile` (sector, region), and the action plan."""
    profile = profile or {}
    numbering = _Numbering()

    def advised(step_id: str) -> AdvisedStep:
        step = kb.step(step_id)
        text, refs = step.for_profile(profile)
        return AdvisedStep(step_id, text, refs, numbering.cite(refs), step.owner, step.horizon)

    items: list[SubFactorAdvice] = []
    dont_know: list[Finding] = []
    for result in readiness.subfactors:
        findings = _findings(kb, result, advised)
        dont_know.extend(f for f in findings if f.kind is FindingKind.DONT_KNOW)
        if result.score is None or result.effect is None or result.band is None:
            continue
        band_advice = kb.subfactor(result.key).advice.for_band(result.band)
        items.append(
            SubFactorAdvice(
                subfactor_key=result.key,
                case=case_for(result.effect, result.baseline),
                band=result.band,
                summary=band_advice.summary,
                steps=tuple(advised(step_id) for step_id in band_advice.steps),
                findings=findings,
            )
        )
    by_key = {item.subfactor_key: item for item in items}
    return AdviceReport(
        items=tuple(items),
        priorities=tuple(by_key[p.subfactor_key] for p in readiness.priorities),
        references=tuple(kb.reference(key) for key in numbering.numbers),
        unanswered=tuple(r.key for r in readiness.subfactors if r.score is None),
        plan=_plan(kb, readiness, by_key),
        dont_know=tuple(dont_know),
    )


def _findings(
    kb: KnowledgeBase, result: SubFactorResult, advised: Callable[[str], AdvisedStep]
) -> tuple[Finding, ...]:
    """The findings of one sub-factor's answers, in question order (steps numbered on the way)."""
    findings = []
    for question_id, value in result.answers:
        question = kb.question(question_id)
        if value is None and question.dont_know is not None:
            advice = question.dont_know
            findings.append(
                Finding(question_id, FindingKind.DONT_KNOW, advice.finding, None, advice.owner)
            )
        elif question.low is not None and question.is_low(value):
            steps = tuple(advised(step_id) for step_id in question.low.steps)
            findings.append(
                Finding(question_id, FindingKind.LOW, question.low.finding, value, None, steps)
            )
    return tuple(findings)


def _plan(
    kb: KnowledgeBase, readiness: Readiness, items: Mapping[str, SubFactorAdvice]
) -> ActionPlan:
    """Every advised step, the ranked obstacles' first (urgent ones first), then KB order."""
    ranked = [p.subfactor_key for p in readiness.ranking]
    order = [*ranked, *(key for key in items if key not in ranked)]
    advised: list[tuple[AdvisedStep, Reason]] = []
    for key in order:
        item = items[key]
        for finding in item.findings:
            advised.extend((step, Reason(key, finding.question_id)) for step in finding.steps)
        advised.extend((step, Reason(key)) for step in item.steps)
    return plan_actions(kb, advised)
