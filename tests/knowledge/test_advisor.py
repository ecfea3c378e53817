"""Advice by band and by answer, "don't know" advice, citations, and the one action plan."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.advisor import AdviceReport, Case, FindingKind, advise, case_for
from knowledge.assessment import assess
from knowledge.model import Effect, KnowledgeBase, QuestionSet
from knowledge.plan import Reason
from knowledge.steps import Horizon
from tests.knowledge.factories import DETAILED_IDS, SUBFACTOR_KEYS, make_kb

CORE = QuestionSet.CORE
DETAILED = QuestionSet.DETAILED
DRIVER = Effect.DRIVER
OBSTACLE = Effect.OBSTACLE


def _report(
    answers: Mapping[str, int | None],
    question_set: QuestionSet = CORE,
    profile: Mapping[str, str] | None = None,
    kb: KnowledgeBase | None = None,
) -> AdviceReport:
    kb = kb or make_kb()
    return advise(kb, assess(kb, question_set, answers), profile)


@pytest.mark.parametrize(
    ("effect", "baseline", "case"),
    [
        (OBSTACLE, OBSTACLE, Case.EXPECTED_OBSTACLE),
        (OBSTACLE, DRIVER, Case.URGENT),
        (DRIVER, OBSTACLE, Case.LEVERAGE),
        (DRIVER, DRIVER, Case.KEEP),
    ],
)
def test_case_compares_agency_with_national_baseline(
    effect: Effect, baseline: Effect, case: Case
) -> None:
    assert case_for(effect, baseline) is case


# transparency has one core question (t1, low at most 1 -> publish_data).
@pytest.mark.parametrize(
    ("value", "band", "case", "band_steps", "low_steps"),
    [
        (0, "absent", Case.EXPECTED_OBSTACLE, ("name_owner",), ("publish_data",)),
        (1, "started", Case.EXPECTED_OBSTACLE, ("name_owner", "measure"), ("publish_data",)),
        (2, "partly", Case.EXPECTED_OBSTACLE, ("measure",), ()),
        (3, "established", Case.LEVERAGE, ("keep_going",), ()),
        (4, "established", Case.LEVERAGE, ("keep_going",), ()),
    ],
)
def test_advice_is_the_bands_plus_the_low_answers_steps(
    value: int,
    band: str,
    case: Case,
    band_steps: tuple[str, ...],
    low_steps: tuple[str, ...],
) -> None:
    kb = make_kb()
    item = _report({"t1": value}, kb=kb).item("transparency")
    expected = kb.subfactor("transparency").advice.for_band(band)
    assert (item.band, item.case, item.summary) == (band, case, expected.summary)
    assert tuple(s.step_id for s in item.steps) == band_steps == expected.steps
    assert tuple(s.step_id for f in item.findings for s in f.steps) == low_steps
    if low_steps:
        (finding,) = item.findings
        assert (finding.question_id, finding.kind, finding.answer) == ("t1", FindingKind.LOW, value)
        assert finding.text == kb.question("t1").low.finding  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("answers", "low_questions"),
    [
        ({"b1": 1, "b2": 2}, ("b1", "b2")),  # b2 is low up to 2
        ({"b1": 2, "b2": 3}, ()),
        ({"b1": 0, "b2": 4}, ("b1",)),
        ({"b1": 4, "b2": 0}, ("b2",)),
    ],
)
def test_each_question_has_its_own_low_threshold(
    answers: dict[str, int | None], low_questions: tuple[str, ...]
) -> None:
    item = _report(answers).item("budgeting")
    assert tuple(f.question_id for f in item.low_findings) == low_questions


def test_two_people_differing_in_one_subfactor_get_different_advice_only_there() -> None:
    base = {"t1": 3, "b1": 3, "b2": 3, "e1": 3}
    absent, partly = _report({**base, "t1": 0}), _report({**base, "t1": 2})
    assert absent.item("transparency") != partly.item("transparency")
    for key in ("budgeting", "experience"):
        assert [s.step_id for s in absent.item(key).steps] == [
            s.step_id for s in partly.item(key).steps
        ]
        assert absent.item(key).summary == partly.item(key).summary


def test_dont_know_gets_advice_on_who_would_know() -> None:
    kb = make_kb()
    report = _report({"t1": None, "b1": 3, "b2": None, "e1": 2}, kb=kb)
    assert [(f.question_id, f.owner) for f in report.dont_know] == [
        ("t1", "it"),
        ("b2", "head_of_agency"),
    ]
    assert all(f.kind is FindingKind.DONT_KNOW and not f.steps for f in report.dont_know)
    # transparency rests on "don't know" only: no score, no band advice, but its finding
    assert report.unanswered == ("transparency",)
    with pytest.raises(KeyError):
        report.item("transparency")
    (finding,) = report.item("budgeting").findings
    assert finding.text == kb.question("b2").dont_know.finding  # type: ignore[union-attr]


def test_a_question_without_dont_know_advice_gets_none() -> None:
    report = _report({"t1": 2, "t2": None}, DETAILED)
    assert report.dont_know == ()
    assert report.item("transparency").findings == ()


@pytest.mark.parametrize(
    ("answers", "profile", "references", "citations"),
    [
        # transparency absent: finding t1 -> publish_data [smith, ali], band name_owner [smith]
        (
            {"t1": 0},
            None,
            ("smith2020", "ali2019"),
            {"transparency": (1, 2)},
        ),
        # budgeting partly: measure [smith]; for health the variant cites ali instead
        ({"b1": 2, "b2": 3}, None, ("smith2020",), {"budgeting": (1,)}),
        ({"b1": 2, "b2": 3}, {"sector": "health"}, ("ali2019",), {"budgeting": (1,)}),
        # experience started: finding e1 -> pilot_service [smith], then the band's
        # adopt_policy [ali]; a province office reads its variant, which cites smith
        ({"e1": 1}, {"region": "national"}, ("smith2020", "ali2019"), {"experience": (1, 2)}),
        ({"e1": 1}, {"region": "fars"}, ("smith2020",), {"experience": (1,)}),
        ({}, None, (), {}),
    ],
)
def test_citations_are_numbered_by_first_appearance(
    answers: dict[str, int | None],
    profile: dict[str, str] | None,
    references: tuple[str, ...],
    citations: dict[str, tuple[int, ...]],
) -> None:
    report = _report(answers, profile=profile)
    assert tuple(r.key for r in report.references) == references
    assert {i.subfactor_key: i.citations for i in report.items} == citations
    for number, key in enumerate(references, start=1):
        assert report.number_of(key) == number
    with pytest.raises(KeyError):
        report.number_of("nobody2099")


@pytest.mark.parametrize(
    ("profile", "text"),
    [
        ({"region": "tehran"}, "Adopt your ministry's policy."),
        ({"region": "national"}, "Step adopt_policy."),
        ({}, "Step adopt_policy."),
    ],
)
def test_a_province_office_reads_the_province_variant(profile: dict[str, str], text: str) -> None:
    report = _report({"b1": 1, "b2": 3}, profile=profile)  # budgeting started: adopt_policy
    assert report.plan.step("adopt_policy").text.en == text
    assert report.item("budgeting").steps[0].text.en == text


def test_a_step_advised_several_times_is_planned_once_with_every_reason() -> None:
    # adopt_policy: budgeting's band (started), experience's band (started), t2 answered low
    answers = {"t1": 3, "t2": 0, "b1": 1, "b2": 3, "b3": 0, "e1": 1, "e2": 1}
    report = _report(answers, DETAILED)
    step = report.plan.step("adopt_policy")
    assert set(step.reasons) == {
        Reason("budgeting"),
        Reason("experience"),
        Reason("transparency", "t2"),
    }
    assert [s.step_id for s in report.plan.steps].count("adopt_policy") == 1


def test_the_plan_lists_urgent_obstacles_steps_first() -> None:
    # experience (urgent) absent; transparency (not urgent) absent: both name name_owner first
    report = _report({"t1": 0, "b1": 4, "b2": 4, "e1": 0})
    d30 = [s.step_id for s in report.plan.groups[0].steps]
    assert d30 == ["name_owner", "adopt_policy", "pilot_service"]
    assert report.plan.step("name_owner").reasons[0] == Reason("experience")


def test_a_step_waits_for_a_later_step_it_requires() -> None:
    # train_staff (d30) requires fund_line (later): both advised, so train_staff moves later
    report = _report({"b1": 0, "b2": 0})
    train = report.plan.step("train_staff")
    assert (train.due, train.horizon, train.requires) == (
        Horizon.D30,
        Horizon.LATER,
        ("fund_line",),
    )
    later = [s.step_id for s in report.plan.groups[-1].steps]
    assert later.index("fund_line") < later.index("train_staff")
    # fund_line not advised (b1 high): train_staff keeps its own horizon
    alone = _report({"b1": 4, "b2": 1}).plan.step("train_staff")
    assert (alone.horizon, alone.requires) == (Horizon.D30, ())


def test_requirements_pass_through_steps_not_in_the_plan() -> None:
    # publish_data requires adopt_policy, which requires name_owner; adopt_policy is not advised
    report = _report({"t1": 0, "b1": 4, "b2": 4, "e1": 4})
    assert "adopt_policy" not in [s.step_id for s in report.plan.steps]
    assert report.plan.step("publish_data").requires == ("name_owner",)
    assert [(g.horizon, [s.step_id for s in g.steps]) for g in report.plan.groups] == [
        (Horizon.D30, ["name_owner"]),
        (Horizon.D90, ["publish_data"]),
        (Horizon.LATER, ["keep_going"]),
    ]


def test_nothing_answered_gives_an_empty_plan() -> None:
    report = _report({})
    assert (report.items, report.plan.groups, report.references) == ((), (), ())


# Properties -------------------------------------------------------------------------------

answer_maps = st.dictionaries(
    st.sampled_from(DETAILED_IDS), st.none() | st.integers(min_value=0, max_value=4)
)
weights = st.fixed_dictionaries(
    {key: st.floats(min_value=0.1, max_value=10.0, allow_nan=False) for key in SUBFACTOR_KEYS}
)
baselines = st.fixed_dictionaries({key: st.sampled_from(Effect) for key in SUBFACTOR_KEYS})
profiles = st.fixed_dictionaries(
    {},
    optional={
        "region": st.sampled_from(["national", "tehran"]),
        "sector": st.sampled_from(["health", "education"]),
    },
)


def _check_citations(kb: KnowledgeBase, report: AdviceReport) -> None:
    numbers = {r.key: n for n, r in enumerate(report.references, start=1)}
    assert all(kb.reference(r.key) == r for r in report.references)
    shown = [
        step
        for item in report.items
        for step in (*(s for f in item.findings for s in f.steps), *item.steps)
    ]
    assert list(numbers) == list(dict.fromkeys(ref for s in shown for ref in s.refs))
    for step in (*shown, *report.plan.steps):
        assert step.citations == tuple(dict.fromkeys(numbers[ref] for ref in step.refs))


def _check_never_contradicts(kb: KnowledgeBase, report: AdviceReport, answers: dict) -> None:
    for item in report.items:
        subfactor = kb.subfactor(item.subfactor_key)
        for finding in item.low_findings:
            low = kb.question(finding.question_id).low
            assert low is not None and answers[finding.question_id] is not None
            assert answers[finding.question_id] <= low.at_most
        # A step that fixes a missing element is advised only if some question says it is low.
        low_questions = {f.question_id for f in item.low_findings}
        advised = {s.step_id for s in item.steps} | {
            s.step_id for f in item.findings for s in f.steps
        }
        for question in subfactor.questions:
            if question.low is None:
                continue
            for step_id in set(question.low.steps) & advised:
                assert any(step_id in kb.question(q).low.steps for q in low_questions)  # type: ignore[union-attr]


def _check_plan(kb: KnowledgeBase, report: AdviceReport) -> None:
    steps = report.plan.steps
    ids = [s.step_id for s in steps]
    assert len(ids) == len(set(ids))
    position = {step_id: i for i, step_id in enumerate(ids)}
    orders = [s.horizon.order for s in steps]
    assert orders == sorted(orders)
    for group in report.plan.groups:
        assert group.steps and all(s.horizon is group.horizon for s in group.steps)
    expected: dict[str, set[Reason]] = {}
    for item in report.items:
        for finding in item.findings:
            for s in finding.steps:
                expected.setdefault(s.step_id, set()).add(
                    Reason(item.subfactor_key, finding.question_id)
                )
        for s in item.steps:
            expected.setdefault(s.step_id, set()).add(Reason(item.subfactor_key))
    assert {s.step_id: set(s.reasons) for s in steps} == expected
    for step in steps:
        assert step.horizon.order >= step.due.order == kb.step(step.step_id).horizon.order
        assert step.owner == kb.step(step.step_id).owner
        for required in step.requires:
            assert position[required] < position[step.step_id]
            assert report.plan.step(required).horizon.order <= step.horizon.order


@given(answer_maps, st.sampled_from(QuestionSet), weights, baselines, st.integers(0, 3), profiles)
def test_report_is_consistent_with_readiness(
    answers: dict[str, int | None],
    question_set: QuestionSet,
    subfactor_weights: dict[str, float],
    subfactor_baselines: dict[str, Effect],
    max_priorities: int,
    profile: dict[str, str],
) -> None:
    kb = make_kb(weights=subfactor_weights, baselines=subfactor_baselines)
    readiness = assess(kb, question_set, answers, max_priorities=max_priorities)
    report = advise(kb, readiness, profile)

    scored = [r for r in readiness.subfactors if r.score is not None]
    assert [i.subfactor_key for i in report.items] == [r.key for r in scored]
    assert report.unanswered == tuple(r.key for r in readiness.subfactors if r.score is None)
    for result, item in zip(scored, report.items, strict=True):
        assert result.effect is not None and result.band is not None
        assert item.case is case_for(result.effect, result.baseline)
        assert item.summary == kb.subfactor(result.key).advice.for_band(result.band).summary
    assert [i.subfactor_key for i in report.priorities] == [
        p.subfactor_key for p in readiness.priorities
    ]
    # The urgent labels and the priority list agree: urgent items come first.
    urgent = [i.case is Case.URGENT for i in report.priorities]
    assert urgent == sorted(urgent, reverse=True)
    assert all(i.case in (Case.EXPECTED_OBSTACLE, Case.URGENT) for i in report.priorities)
    assert [f.question_id for f in report.dont_know] == [
        q for q in readiness.dont_know if kb.question(q).dont_know is not None
    ]
    _check_citations(kb, report)
    _check_never_contradicts(kb, report, answers)
    _check_plan(kb, report)
