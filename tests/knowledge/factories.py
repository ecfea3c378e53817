"""Small knowledge bases built in code, so knowledge tests do not depend on the shipped KB.

Two factors, three sub-factors, a 0-4 scale, threshold 60, three stages, two references:

    managerial  transparency  baseline obstacle, weight 1.0  t1 core ×1, t2 detailed ×3
                budgeting     baseline driver,   weight 2.0  b1 core ×2, b2 core ×1, b3 detailed ×1
    human       experience    baseline driver,   weight 1.5  e1 core ×1, e2 detailed ×2

Stages: initial from 0, developing from 50, advanced from 75.
"""

from __future__ import annotations

from collections.abc import Mapping

from knowledge.model import (
    Action,
    Advice,
    AdviceCase,
    Choice,
    Effect,
    Evidence,
    EvidenceEffect,
    Factor,
    KnowledgeBase,
    ProfileOptions,
    Question,
    QuestionSet,
    Reference,
    Scale,
    ScaleOption,
    Stage,
    SubFactor,
    Text,
)

__all__ = [
    "CORE_IDS",
    "DETAILED_IDS",
    "SUBFACTOR_KEYS",
    "THRESHOLD",
    "make_kb",
    "text",
]

THRESHOLD = 60.0
SUBFACTOR_KEYS = ("transparency", "budgeting", "experience")
CORE_IDS = ("t1", "b1", "b2", "e1")
DETAILED_IDS = ("t1", "t2", "b1", "b2", "b3", "e1", "e2")

# (factor, sub-factor, baseline, weight, ((question id, set, weight), ...))
_LAYOUT = (
    (
        "managerial",
        "transparency",
        Effect.OBSTACLE,
        1.0,
        (("t1", QuestionSet.CORE, 1.0), ("t2", QuestionSet.DETAILED, 3.0)),
    ),
    (
        "managerial",
        "budgeting",
        Effect.DRIVER,
        2.0,
        (
            ("b1", QuestionSet.CORE, 2.0),
            ("b2", QuestionSet.CORE, 1.0),
            ("b3", QuestionSet.DETAILED, 1.0),
        ),
    ),
    (
        "human",
        "experience",
        Effect.DRIVER,
        1.5,
        (("e1", QuestionSet.CORE, 1.0), ("e2", QuestionSet.DETAILED, 2.0)),
    ),
)

# Reference keys cited by each action, per sub-factor and case. The orders differ on purpose,
# so citation numbering depends on which cases apply.
_CITATIONS: dict[tuple[str, Effect], tuple[tuple[str, ...], ...]] = {
    ("transparency", Effect.OBSTACLE): (("ali2019",), ("smith2020", "ali2019")),
    ("transparency", Effect.DRIVER): (("smith2020",),),
    ("budgeting", Effect.OBSTACLE): (("smith2020",), ("ali2019",)),
    ("budgeting", Effect.DRIVER): (("ali2019",), ("smith2020",)),
    ("experience", Effect.OBSTACLE): (("smith2020",),),
    ("experience", Effect.DRIVER): (("ali2019",),),
}

_REFERENCES = (
    Reference(
        key="smith2020",
        authors=("Smith, J.",),
        year=2020,
        title="Social media in government",
        venue="Government Information Quarterly",
        doi="10.1000/smith.2020",
    ),
    Reference(
        key="ali2019",
        authors=("Ali, R.", "Karimi, S."),
        year=2019,
        title="Barriers to e-government adoption",
        url="https://example.org/ali2019",
    ),
)


def text(en: str) -> Text:
    """A test text whose Persian side is recognisably derived from `en`."""
    return Text(fa=f"متن {en}", en=en)


def _advice_case(key: str, effect: Effect) -> AdviceCase:
    actions = tuple(
        Action(text=text(f"{key} {effect} action {i}"), refs=refs)
        for i, refs in enumerate(_CITATIONS[key, effect], start=1)
    )
    return AdviceCase(summary=text(f"{key} {effect} advice"), actions=actions)


def _subfactor(
    factor_key: str,
    key: str,
    baseline: Effect,
    weight: float,
    questions: tuple[tuple[str, QuestionSet, float], ...],
    question_weights: Mapping[str, float],
) -> SubFactor:
    return SubFactor(
        key=key,
        factor_key=factor_key,
        title=text(key.title()),
        description=text(f"What {key} means."),
        baseline=baseline,
        weight=weight,
        questions=tuple(
            Question(
                id=qid, text=text(f"Question {qid}?"), weight=question_weights.get(qid, w), set=s
            )
            for qid, s, w in questions
        ),
        evidence=(
            Evidence(
                ref="smith2020", finding=text(f"{key} matters."), effect=EvidenceEffect(baseline)
            ),
        ),
        advice=Advice(
            obstacle=_advice_case(key, Effect.OBSTACLE), driver=_advice_case(key, Effect.DRIVER)
        ),
    )


def make_kb(
    *,
    threshold: float = THRESHOLD,
    baselines: Mapping[str, Effect] | None = None,
    weights: Mapping[str, float] | None = None,
    question_weights: Mapping[str, float] | None = None,
) -> KnowledgeBase:
    """Build the small test KB; override baselines or weights by sub-factor key or question id."""
    baselines = baselines or {}
    weights = weights or {}
    subfactors = [
        _subfactor(
            factor_key,
            key,
            baselines.get(key, baseline),
            weights.get(key, weight),
            questions,
            question_weights or {},
        )
        for factor_key, key, baseline, weight, questions in _LAYOUT
    ]
    factors = tuple(
        Factor(
            key=factor_key,
            title=text(factor_key.title()),
            description=text(f"The {factor_key} factor."),
            subfactors=tuple(sf for sf in subfactors if sf.factor_key == factor_key),
        )
        for factor_key in dict.fromkeys(sf.factor_key for sf in subfactors)
    )
    labels = ("not in place", "planned", "partly", "largely", "fully")
    return KnowledgeBase(
        scale=Scale(
            options=tuple(
                ScaleOption(value=v, label=text(label)) for v, label in enumerate(labels)
            ),
            dont_know=text("don't know"),
        ),
        driver_threshold=threshold,
        stages=(
            Stage("initial", 0.0, text("Initial"), text("Experimenting.")),
            Stage("developing", 50.0, text("Developing"), text("Ordering the chaos.")),
            Stage("advanced", 75.0, text("Advanced"), text("Institutionalised.")),
        ),
        profile=ProfileOptions(
            sectors=(Choice("health", text("Health")),),
            regions=(Choice("tehran", text("Tehran")),),
            roles=(Choice("manager", text("Manager")),),
        ),
        factors=factors,
        references=_REFERENCES,
    )
