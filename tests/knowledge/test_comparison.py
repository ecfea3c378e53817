"""Comparing two assessments: per sub-factor deltas, trends and driver/obstacle flips."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from knowledge import Comparison, Effect, QuestionSet, Readiness, Trend, assess, compare
from knowledge.comparison import trend_of
from tests.knowledge.factories import SUBFACTOR_KEYS, make_kb

CORE = QuestionSet.CORE
DETAILED = QuestionSet.DETAILED
DRIVER = Effect.DRIVER
OBSTACLE = Effect.OBSTACLE
KB = make_kb()


def _readiness(answers: Mapping[str, int | None], question_set: QuestionSet = CORE) -> Readiness:
    return assess(KB, question_set, answers)


def _compare(before: Mapping[str, int | None], after: Mapping[str, int | None]) -> Comparison:
    return compare(_readiness(before), _readiness(after))


@pytest.mark.parametrize(
    ("before", "after", "trend"),
    [
        (50.0, 50.0, Trend.SAME),
        (50.0, 50.4, Trend.SAME),
        (50.0, 50.5, Trend.UP),
        (50.0, 49.5, Trend.DOWN),
        (0.0, 100.0, Trend.UP),
        (100.0, 0.0, Trend.DOWN),
        (None, 50.0, Trend.UNKNOWN),
        (50.0, None, Trend.UNKNOWN),
        (None, None, Trend.UNKNOWN),
    ],
)
def test_trend_ignores_changes_under_half_a_point(
    before: float | None, after: float | None, trend: Trend
) -> None:
    assert trend_of(before, after) is trend


@pytest.mark.parametrize(
    ("key", "before", "after", "scores", "trend", "effects", "delta"),
    [
        # transparency core: t1 only
        ("transparency", {"t1": 0}, {"t1": 4}, (0.0, 100.0), Trend.UP, (OBSTACLE, DRIVER), 100.0),
        ("transparency", {"t1": 4}, {"t1": 1}, (100.0, 25.0), Trend.DOWN, (DRIVER, OBSTACLE), -75),
        ("transparency", {"t1": 2}, {"t1": 2}, (50.0, 50.0), Trend.SAME, (OBSTACLE, OBSTACLE), 0),
        ("transparency", {"t1": 1}, {"t1": 2}, (25.0, 50.0), Trend.UP, (OBSTACLE, OBSTACLE), 25),
        # budgeting core: b1 ×2, b2 ×1
        (
            "budgeting",
            {"b1": 4, "b2": 4},
            {"b1": 1},
            (100.0, 25.0),
            Trend.DOWN,
            (DRIVER, OBSTACLE),
            -75,
        ),
        # "don't know" on either side: no delta, no flip
        ("experience", {"e1": None}, {"e1": 3}, (None, 75.0), Trend.UNKNOWN, (None, DRIVER), None),
        ("experience", {"e1": 3}, {}, (75.0, None), Trend.UNKNOWN, (DRIVER, None), None),
    ],
)
def test_each_subfactor_shows_scores_before_and_after(
    key: str,
    before: dict[str, int | None],
    after: dict[str, int | None],
    scores: tuple[float | None, float | None],
    trend: Trend,
    effects: tuple[Effect | None, Effect | None],
    delta: float | None,
) -> None:
    change = _compare(before, after).change(key)
    assert (change.before, change.after) == scores
    assert change.trend is trend
    assert (change.effect_before, change.effect_after) == effects
    assert change.delta == delta
    assert change.flipped == (None not in effects and effects[0] is not effects[1])


def test_flips_are_listed_by_direction() -> None:
    comparison = _compare(
        {"t1": 0, "b1": 4, "b2": 4, "e1": 4}, {"t1": 4, "b1": 0, "b2": 0, "e1": 4}
    )
    assert [c.key for c in comparison.became_drivers] == ["transparency"]
    assert [c.key for c in comparison.became_obstacles] == ["budgeting"]
    assert comparison.change("experience").trend is Trend.SAME


def test_identical_answers_change_nothing() -> None:
    answers: dict[str, int | None] = {"t1": 3, "b1": 2, "b2": 1, "e1": 0}
    comparison = _compare(answers, answers)
    assert all(c.trend is Trend.SAME and c.delta == 0 for c in comparison.changes)
    assert comparison.became_drivers == comparison.became_obstacles == ()
    assert comparison.index_trend is Trend.SAME
    assert comparison.index_delta == 0


def test_the_readiness_index_is_compared_too() -> None:
    low, high = {"t1": 0, "b1": 0, "b2": 0, "e1": 0}, {"t1": 4, "b1": 4, "b2": 4, "e1": 4}
    comparison = _compare(low, high)
    assert (comparison.index_before, comparison.index_after) == (0.0, 100.0)
    assert comparison.index_trend is Trend.UP
    assert comparison.index_delta == 100.0
    nothing = _compare({}, high)
    assert nothing.index_before is None
    assert nothing.index_trend is Trend.UNKNOWN
    assert nothing.index_delta is None


def test_changes_follow_the_current_assessment_order() -> None:
    comparison = _compare({"t1": 1}, {"t1": 2})
    assert tuple(c.key for c in comparison.changes) == SUBFACTOR_KEYS
    assert [c.factor_key for c in comparison.changes] == ["managerial", "managerial", "human"]
    with pytest.raises(KeyError):
        comparison.change("nonexistent")


def test_different_question_sets_compare_by_subfactor() -> None:
    core = _readiness({"t1": 0})
    detailed = _readiness({"t1": 0, "t2": 4}, DETAILED)
    change = compare(core, detailed).change("transparency")
    assert (change.before, change.after) == (0.0, 75.0)
    assert change.effect_after is DRIVER


def test_a_subfactor_new_in_the_current_revision_counts_as_unscored_before() -> None:
    current = _readiness({"t1": 4, "b1": 4, "e1": 4})
    previous_factors = tuple(
        replace(f, subfactors=tuple(sf for sf in f.subfactors if sf.key != "experience"))
        for f in _readiness({"t1": 0, "b1": 4, "e1": 0}).factors
    )
    previous = Readiness(index=50.0, stage=None, factors=previous_factors, priorities=())
    comparison = compare(previous, current)
    new = comparison.change("experience")
    assert (new.before, new.effect_before, new.trend, new.flipped) == (
        None,
        None,
        Trend.UNKNOWN,
        False,
    )
    assert comparison.change("transparency").flipped


def test_a_subfactor_dropped_from_the_current_revision_is_not_shown() -> None:
    previous = _readiness({"t1": 0, "b1": 4, "e1": 0})
    current_factors = tuple(
        replace(f, subfactors=tuple(sf for sf in f.subfactors if sf.key != "budgeting"))
        for f in _readiness({"t1": 4, "e1": 4}).factors
    )
    current = Readiness(index=100.0, stage=None, factors=current_factors, priorities=())
    keys = [c.key for c in compare(previous, current).changes]
    assert keys == ["transparency", "experience"]
