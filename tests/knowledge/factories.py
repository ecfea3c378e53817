"""A small version 2 KB built in code, so knowledge tests do not depend on the shipped KB.

Two factors, three sub-factors, a 0-4 scale, threshold 60, bands 0/25/50/75, three stages:

    managerial  transparency  baseline obstacle, weight 1.0  t1 core ×1, t2 detailed ×3
                budgeting     baseline driver,   weight 2.0  b1 core ×2, b2 core ×1, b3 detailed ×1
    human       experience    baseline driver,   weight 1.5  e1 core ×1, e2 detailed ×2

Stages: initial; developing when transparency or budgeting is at least "started" (25);
advanced when both are drivers.

Steps (owner, horizon, requires):

    name_owner     head_of_agency  d30
    adopt_policy   head_of_agency  d30    name_owner      variant for a province office
    publish_data   it              d90    adopt_policy
    fund_line      head_of_agency  later
    train_staff    it              d30    fund_line       (so it is pushed to "later")
    pilot_service  public_relations d30   adopt_policy
    measure        public_relations later                 variant for the health sector
    keep_going     head_of_agency  later

Low answers (at most 1 unless said): t1 -> publish_data, t2 -> adopt_policy, b1 -> fund_line,
b2 (at most 2) -> train_staff, e1 and e2 -> pilot_service; b3 has none. Every core question
has "don't know" advice; detailed ones do not.
"""

from __future__ import annotations

from collections.abc import Mapping

from knowledge.model import (
    Advice,
    Band,
    BandAdvice,
    Choice,
    Condition,
    DontKnowAdvice,
    Effect,
    Evidence,
    EvidenceEffect,
    Factor,
    KnowledgeBase,
    LowAnswer,
    ProfileOptions,
    Question,
    QuestionSet,
    Reference,
    Scale,
    ScaleOption,
    Stage,
    StageRequirement,
    SubFactor,
    Text,
)
from knowledge.steps import Horizon, Owner, Step, StepVariant, VariantCondition

__all__ = [
    "BAND_KEYS",
    "CORE_IDS",
    "DETAILED_IDS",
    "LOW_STEPS",
    "STEP_IDS",
    "SUBFACTOR_KEYS",
    "THRESHOLD",
    "make_kb",
    "text",
]

THRESHOLD = 60.0
SUBFACTOR_KEYS = ("transparency", "budgeting", "experience")
CORE_IDS = ("t1", "b1", "b2", "e1")
DETAILED_IDS = ("t1", "t2", "b1", "b2", "b3", "e1", "e2")
BAND_KEYS = ("absent", "started", "partly", "established")

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

# question id -> (at_most, low steps)
LOW_STEPS: Mapping[str, tuple[int, tuple[str, ...]]] = {
    "t1": (1, ("publish_data",)),
    "t2": (1, ("adopt_policy",)),
    "b1": (1, ("fund_line",)),
    "b2": (2, ("train_staff",)),
    "e1": (1, ("pilot_service",)),
    "e2": (1, ("pilot_service",)),
}
# question id -> who would know
_DONT_KNOW = {"t1": "it", "b1": "head_of_agency", "b2": "head_of_agency", "e1": "public_relations"}

# sub-factor -> band -> steps; never one of the sub-factor's own low steps.
_BAND_STEPS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "transparency": {
        "absent": ("name_owner",),
        "started": ("name_owner", "measure"),
        "partly": ("measure",),
        "established": ("keep_going",),
    },
    "budgeting": {
        "absent": ("name_owner", "adopt_policy"),
        "started": ("adopt_policy",),
        "partly": ("measure",),
        "established": ("keep_going",),
    },
    "experience": {
        "absent": ("adopt_policy", "name_owner"),
        "started": ("adopt_policy",),
        "partly": ("measure",),
        "established": ("keep_going",),
    },
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


def _step(
    step_id: str,
    owner: str,
    horizon: Horizon,
    refs: tuple[str, ...],
    requires: tuple[str, ...] = (),
    variants: tuple[StepVariant, ...] = (),
) -> Step:
    return Step(step_id, text(f"Step {step_id}."), refs, owner, horizon, requires, variants)


STEPS = (
    _step("name_owner", "head_of_agency", Horizon.D30, ("smith2020",)),
    _step(
        "adopt_policy",
        "head_of_agency",
        Horizon.D30,
        ("ali2019",),
        ("name_owner",),
        (
            StepVariant(
                VariantCondition(region="province"),
                text("Adopt your ministry's policy."),
                ("smith2020",),
            ),
        ),
    ),
    _step("publish_data", "it", Horizon.D90, ("smith2020", "ali2019"), ("adopt_policy",)),
    _step("fund_line", "head_of_agency", Horizon.LATER, ("ali2019",)),
    _step("train_staff", "it", Horizon.D30, ("smith2020",), ("fund_line",)),
    _step("pilot_service", "public_relations", Horizon.D30, ("smith2020",), ("adopt_policy",)),
    _step(
        "measure",
        "public_relations",
        Horizon.LATER,
        ("smith2020",),
        variants=(
            StepVariant(
                VariantCondition(sectors=("health",)), text("Measure patient reach."), ("ali2019",)
            ),
        ),
    ),
    _step("keep_going", "head_of_agency", Horizon.LATER, ("ali2019",)),
)
STEP_IDS = tuple(step.id for step in STEPS)


def _question(qid: str, question_set: QuestionSet, weight: float) -> Question:
    low = LOW_STEPS.get(qid)
    owner = _DONT_KNOW.get(qid)
    return Question(
        id=qid,
        text=text(f"Question {qid}?"),
        weight=weight,
        set=question_set,
        low=LowAnswer(low[0], text(f"Answer {qid} is low."), low[1]) if low else None,
        dont_know=DontKnowAdvice(text(f"Ask who knows {qid}."), owner) if owner else None,
    )


def _subfactor(
    factor_key: str,
    key: str,
    baseline: Effect,
    weight: float,
    questions: tuple[tuple[str, QuestionSet, float], ...],
    question_weights: Mapping[str, float],
    evidence: int = 1,
) -> SubFactor:
    return SubFactor(
        key=key,
        factor_key=factor_key,
        title=text(key.title()),
        description=text(f"What {key} means."),
        baseline=baseline,
        weight=weight,
        questions=tuple(_question(qid, s, question_weights.get(qid, w)) for qid, s, w in questions),
        evidence=tuple(
            Evidence(
                ref="smith2020",
                finding=text(f"{key} matters ({n})."),
                effect=EvidenceEffect(baseline),
            )
            for n in range(1, evidence + 1)
        ),
        advice=Advice(
            bands=tuple(
                BandAdvice(band, text(f"{key} is {band}."), _BAND_STEPS[key][band])
                for band in BAND_KEYS
            )
        ),
    )


def make_kb(
    *,
    threshold: float = THRESHOLD,
    baselines: Mapping[str, Effect] | None = None,
    weights: Mapping[str, float] | None = None,
    question_weights: Mapping[str, float] | None = None,
    evidence: Mapping[str, int] | None = None,
) -> KnowledgeBase:
    """Build the small test KB; override baselines, weights or evidence counts by key or id."""
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
            (evidence or {}).get(key, 1),
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
    formal = ("transparency", "budgeting")
    return KnowledgeBase(
        scale=Scale(
            options=tuple(
                ScaleOption(value=v, label=text(label)) for v, label in enumerate(labels)
            ),
            dont_know=text("don't know"),
        ),
        driver_threshold=threshold,
        stages=(
            Stage("initial", text("Initial"), text("Experimenting.")),
            Stage(
                "developing",
                text("Developing"),
                text("Ordering the chaos."),
                StageRequirement(Condition.ANY_AT_LEAST, formal, "started"),
            ),
            Stage(
                "advanced",
                text("Advanced"),
                text("Institutionalised."),
                StageRequirement(Condition.ALL_DRIVERS, formal),
            ),
        ),
        profile=ProfileOptions(
            sectors=(Choice("health", text("Health")), Choice("education", text("Education"))),
            regions=(Choice("national", text("National")), Choice("tehran", text("Tehran"))),
            roles=(Choice("manager", text("Manager")),),
        ),
        factors=factors,
        references=_REFERENCES,
        bands=tuple(
            Band(key, minimum, text(key.title()))
            for key, minimum in zip(BAND_KEYS, (0.0, 25.0, 50.0, 75.0), strict=True)
        ),
        owners=tuple(Owner(key, text(key)) for key in ("head_of_agency", "it", "public_relations")),
        steps=STEPS,
    )
