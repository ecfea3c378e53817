"""Advice: the four cases against the national baseline, citations numbered by first appearance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.advisor import AdviceReport, Case, advise, case_for
from knowledge.assessment import assess
from knowledge.model import Effect, KnowledgeBase, QuestionSet
from tests.knowledge.factories import DETAILED_IDS, SUBFACTOR_KEYS, make_kb

CORE = QuestionSet.CORE
DRIVER = Effect.DRIVER
OBSTACLE = Effect.OBSTACLE


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


# transparency's baseline is obstacle, budgeting's is driver; "uses" is the advice case shown.
@pytest.mark.parametrize(
    ("key", "answers", "case", "uses"),
    [
        ("transparency", {"t1": 0}, Case.EXPECTED_OBSTACLE, OBSTACLE),
        ("budgeting", {"b1": 1, "b2": 0}, Case.URGENT, OBSTACLE),
        ("transparency", {"t1": 4}, Case.LEVERAGE, DRIVER),
        ("budgeting", {"b1": 4, "b2": 4}, Case.KEEP, DRIVER),
        ("budgeting", {"b1": 2, "b2": 3}, Case.URGENT, OBSTACLE),  # 58.3, just below 60
        ("experience", {"e1": 3}, Case.KEEP, DRIVER),  # 75
    ],
)
def test_each_case_uses_the_matching_advice(
    key: str, answers: dict[str, int | None], case: Case, uses: Effect
) -> None:
    kb = make_kb()
    item = advise(kb, assess(kb, CORE, answers)).item(key)
    expected = kb.subfactor(key).advice.for_effect(uses)
    assert item.case is case
    assert (item.summary, item.actions) == (expected.summary, expected.actions)


@pytest.mark.parametrize(
    ("baselines", "case"),
    [
        ({"experience": OBSTACLE}, Case.LEVERAGE),
        ({"experience": DRIVER}, Case.KEEP),
    ],
)
def test_case_follows_the_kb_baseline(baselines: dict[str, Effect], case: Case) -> None:
    kb = make_kb(baselines=baselines)
    assert advise(kb, assess(kb, CORE, {"e1": 4})).item("experience").case is case


@pytest.mark.parametrize(
    ("answers", "references", "action_citations"),
    [
        # transparency obstacle cites [ali], [smith, ali]; budgeting driver [ali], [smith]
        (
            {"t1": 0, "b1": 4, "b2": 4},
            ("ali2019", "smith2020"),
            {"transparency": ((1,), (2, 1)), "budgeting": ((1,), (2,))},
        ),
        # transparency driver cites [smith] first, so smith becomes [1]
        (
            {"t1": 4, "b1": 4, "b2": 4},
            ("smith2020", "ali2019"),
            {"transparency": ((1,),), "budgeting": ((2,), (1,))},
        ),
        # experience obstacle cites only smith: ali is not listed
        ({"e1": 0}, ("smith2020",), {"experience": ((1,),)}),
        ({}, (), {}),
    ],
)
def test_citations_are_numbered_by_first_appearance(
    answers: dict[str, int | None],
    references: tuple[str, ...],
    action_citations: dict[str, tuple[tuple[int, ...], ...]],
) -> None:
    kb = make_kb()
    report = advise(kb, assess(kb, CORE, answers))
    assert tuple(r.key for r in report.references) == references
    assert {i.subfactor_key: i.action_citations for i in report.items} == action_citations
    for number, key in enumerate(references, start=1):
        assert report.number_of(key) == number


def test_item_citations_list_each_number_once_in_order_of_first_citation() -> None:
    kb = make_kb()
    report = advise(kb, assess(kb, CORE, {"t1": 0}))
    assert report.item("transparency").citations == (1, 2)


def test_uncited_reference_has_no_number() -> None:
    kb = make_kb()
    report = advise(kb, assess(kb, CORE, {"e1": 0}))
    with pytest.raises(KeyError):
        report.number_of("ali2019")


def test_unanswered_subfactors_get_no_advice() -> None:
    kb = make_kb()
    report = advise(kb, assess(kb, CORE, {"t1": 2, "b1": None}))
    assert [i.subfactor_key for i in report.items] == ["transparency"]
    assert report.unanswered == ("budgeting", "experience")
    with pytest.raises(KeyError):
        report.item("budgeting")


# Properties -------------------------------------------------------------------------------

answer_maps = st.dictionaries(
    st.sampled_from(DETAILED_IDS), st.none() | st.integers(min_value=0, max_value=4)
)
weights = st.fixed_dictionaries(
    {key: st.floats(min_value=0.1, max_value=10.0, allow_nan=False) for key in SUBFACTOR_KEYS}
)
baselines = st.fixed_dictionaries({key: st.sampled_from(Effect) for key in SUBFACTOR_KEYS})


def _check_citations(kb: KnowledgeBase, report: AdviceReport) -> None:
    cited = [ref for item in report.items for action in item.actions for ref in action.refs]
    assert [r.key for r in report.references] == list(dict.fromkeys(cited))
    assert all(kb.reference(r.key) == r for r in report.references)
    for item in report.items:
        assert len(item.action_citations) == len(item.actions)
        for action, numbers in zip(item.actions, item.action_citations, strict=True):
            keys = [report.references[n - 1].key for n in numbers]
            assert keys == list(dict.fromkeys(action.refs))
            assert all(report.number_of(key) == n for key, n in zip(keys, numbers, strict=True))
        flat = [n for numbers in item.action_citations for n in numbers]
        assert item.citations == tuple(dict.fromkeys(flat))


@given(answer_maps, st.sampled_from(QuestionSet), weights, baselines, st.integers(0, 3))
def test_report_is_consistent_with_readiness(
    answers: dict[str, int | None],
    question_set: QuestionSet,
    subfactor_weights: dict[str, float],
    subfactor_baselines: dict[str, Effect],
    max_priorities: int,
) -> None:
    kb = make_kb(weights=subfactor_weights, baselines=subfactor_baselines)
    readiness = assess(kb, question_set, answers, max_priorities=max_priorities)
    report = advise(kb, readiness)

    scored = [r for r in readiness.subfactors if r.score is not None]
    assert [i.subfactor_key for i in report.items] == [r.key for r in scored]
    assert report.unanswered == tuple(r.key for r in readiness.subfactors if r.score is None)
    for result, item in zip(scored, report.items, strict=True):
        assert result.effect is not None
        assert item.case is case_for(result.effect, result.baseline)
        assert item.summary == kb.subfactor(result.key).advice.for_effect(result.effect).summary
    assert [i.subfactor_key for i in report.priorities] == [
        p.subfactor_key for p in readiness.priorities
    ]
    assert all(item in report.items for item in report.priorities)
    assert all(i.case in (Case.EXPECTED_OBSTACLE, Case.URGENT) for i in report.priorities)
    _check_citations(kb, report)
