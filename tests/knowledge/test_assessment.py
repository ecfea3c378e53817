"""Scoring: sub-factor, factor and readiness scores, effect, confidence, stage, priorities."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.assessment import URGENCY, Readiness, assess, effect_for, score_subfactor
from knowledge.model import Effect, KnowledgeBase, QuestionSet
from tests.knowledge.factories import DETAILED_IDS, SUBFACTOR_KEYS, make_kb

CORE = QuestionSet.CORE
DETAILED = QuestionSet.DETAILED
DRIVER = Effect.DRIVER
OBSTACLE = Effect.OBSTACLE


@pytest.mark.parametrize(
    ("key", "question_set", "answers", "score", "answered", "asked"),
    [
        # budgeting core: b1 ×2, b2 ×1
        ("budgeting", CORE, {"b1": 4, "b2": 1}, 75.0, 2, 2),
        ("budgeting", CORE, {"b1": 1, "b2": 4}, 50.0, 2, 2),
        ("budgeting", CORE, {"b1": 3, "b2": None}, 75.0, 1, 2),
        ("budgeting", CORE, {"b1": None, "b2": None}, None, 0, 2),
        ("budgeting", CORE, {}, None, 0, 2),
        ("budgeting", CORE, {"b1": 4, "b2": 1, "b3": 0}, 75.0, 2, 2),
        # budgeting detailed adds b3 ×1
        ("budgeting", DETAILED, {"b1": 4, "b2": 1, "b3": 0}, 56.25, 3, 3),
        ("budgeting", DETAILED, {"b3": 2}, 50.0, 1, 3),
        # transparency: t2 ×3 is asked only in the detailed set
        ("transparency", CORE, {"t2": 4}, None, 0, 1),
        ("transparency", CORE, {"t1": 0, "t2": 4}, 0.0, 1, 1),
        ("transparency", DETAILED, {"t1": 0, "t2": 4}, 75.0, 2, 2),
        ("transparency", DETAILED, {"t1": 4}, 100.0, 1, 2),
        # experience detailed: e1 ×1, e2 ×2 -> 100 × (1 + 4) / 3 / 4
        ("experience", DETAILED, {"e1": 1, "e2": 2}, 125 / 3, 2, 2),
        # answers to other sub-factors do not count
        ("experience", DETAILED, {"t1": 4, "b1": 4}, None, 0, 2),
    ],
)
def test_subfactor_score_is_weighted_mean_of_answered_questions(
    key: str,
    question_set: QuestionSet,
    answers: dict[str, int | None],
    score: float | None,
    answered: int,
    asked: int,
) -> None:
    kb = make_kb()
    result = score_subfactor(kb, kb.subfactor(key), question_set, answers)
    assert result.score == score
    assert (result.answered, result.asked) == (answered, asked)
    assert result.confidence == answered / asked
    assert result.effect == (None if score is None else effect_for(score, 60.0))
    assert (result.key, result.factor_key) == (key, kb.subfactor(key).factor_key)
    assert result.baseline is kb.subfactor(key).baseline


@pytest.mark.parametrize(
    ("score", "threshold", "effect"),
    [
        (60.0, 60.0, DRIVER),
        (59.99, 60.0, OBSTACLE),
        (60.01, 60.0, DRIVER),
        (0.0, 60.0, OBSTACLE),
        (100.0, 60.0, DRIVER),
        (0.0, 0.0, DRIVER),
        (99.99, 100.0, OBSTACLE),
    ],
)
def test_effect_is_driver_from_the_threshold_up(
    score: float, threshold: float, effect: Effect
) -> None:
    assert effect_for(score, threshold) is effect


@pytest.mark.parametrize(
    ("threshold", "effect"),
    [(75.0, DRIVER), (74.99, DRIVER), (75.01, OBSTACLE)],
)
def test_effect_of_a_score_on_the_threshold(threshold: float, effect: Effect) -> None:
    kb = make_kb(threshold=threshold)
    result = score_subfactor(kb, kb.subfactor("budgeting"), CORE, {"b1": 4, "b2": 1})
    assert result.score == 75.0
    assert result.effect is effect


def test_weights_that_add_up_on_paper_give_exactly_the_threshold() -> None:
    # Naive float arithmetic gives 59.999999999999986 here, which would flip the effect.
    kb = make_kb(question_weights={"b1": 0.3, "b2": 0.7})
    result = score_subfactor(kb, kb.subfactor("budgeting"), CORE, {"b1": 1, "b2": 3})
    assert result.score == 60.0
    assert result.effect is DRIVER


def test_only_zero_weight_answers_count_equally() -> None:
    kb = make_kb(question_weights={"b1": 0.0, "b2": 0.0})
    result = score_subfactor(kb, kb.subfactor("budgeting"), CORE, {"b1": 4, "b2": 1})
    assert result.score == 62.5


@pytest.mark.parametrize("value", [-1, 5, 100])
def test_answer_off_the_scale_is_rejected(value: int) -> None:
    kb = make_kb()
    with pytest.raises(ValueError, match="b1"):
        assess(kb, CORE, {"b1": value})


def test_answer_off_the_scale_to_a_question_not_asked_is_ignored() -> None:
    kb = make_kb()
    assert assess(kb, CORE, {"b3": 9, "zz": 9}).index is None


@pytest.mark.parametrize(
    ("answers", "managerial", "human", "index"),
    [
        # weights: transparency 1, budgeting 2 (managerial), experience 1.5 (human)
        ({"t1": 3, "b1": 4, "b2": 1, "e1": 2}, 75.0, 50.0, (75 + 2 * 75 + 1.5 * 50) / 4.5),
        ({"t1": 0, "b1": 4, "b2": 4, "e1": 4}, 200 / 3, 100.0, (0 + 200 + 150) / 4.5),
        # an unanswered sub-factor is skipped, not counted as 0
        ({"b1": 4, "b2": 1}, 75.0, None, 75.0),
        ({"t1": None, "b1": 4, "b2": 1, "e1": None}, 75.0, None, 75.0),
        ({"t1": 4, "e1": 1}, 100.0, 25.0, (100 + 1.5 * 25) / 2.5),
        ({"e1": 1}, None, 25.0, 25.0),
        ({}, None, None, None),
    ],
)
def test_factor_and_index_are_weighted_means_that_skip_unanswered(
    answers: dict[str, int | None],
    managerial: float | None,
    human: float | None,
    index: float | None,
) -> None:
    readiness = assess(make_kb(), CORE, answers)
    assert readiness.factor("managerial").score == managerial
    assert readiness.factor("human").score == human
    assert readiness.index == index


def test_index_weights_are_the_kbs_and_exposed() -> None:
    kb = make_kb(weights={"experience": 3.0})
    readiness = assess(kb, CORE, {"t1": 4, "e1": 0})
    assert (
        readiness.weights
        == kb.index_weights
        == {
            "transparency": 1.0,
            "budgeting": 2.0,
            "experience": 3.0,
        }
    )
    assert readiness.index == (100 * 1 + 0 * 3) / 4


# Stages: initial; developing when transparency or budgeting is at least started (25);
# advanced when both are drivers (60). (failing, unanswered) name what holds it back.
@pytest.mark.parametrize(
    ("answers", "stage", "next_stage", "failing", "unanswered"),
    [
        pytest.param(
            {"t1": 0, "b1": 0, "b2": 0, "e1": 0},
            "initial",
            "developing",
            ("transparency", "budgeting"),
            (),
            id="all-absent",
        ),
        pytest.param(
            {"t1": 0, "b1": 0, "b2": 0, "e1": 4},
            "initial",
            "developing",
            ("transparency", "budgeting"),
            (),
            id="high-elsewhere-formal-rules-absent",
        ),
        pytest.param(
            {"t1": 0, "b1": 1, "b2": 0},  # budgeting 16.7: below started
            "initial",
            "developing",
            ("transparency", "budgeting"),
            (),
            id="just-below-started",
        ),
        pytest.param(
            {"t1": 0, "b1": 1, "b2": 1},  # budgeting exactly 25
            "developing",
            "advanced",
            ("transparency", "budgeting"),
            (),
            id="exactly-started",
        ),
        pytest.param(
            {"t1": 1},
            "developing",
            "advanced",
            ("transparency", "budgeting"),
            ("budgeting",),
            id="one-started-other-unanswered",
        ),
        pytest.param(
            {"t1": 4, "b1": 2, "b2": 3},  # budgeting 58.3: just below the driver threshold
            "developing",
            "advanced",
            ("budgeting",),
            (),
            id="one-driver-missing",
        ),
        pytest.param(
            {"t1": None, "b1": 4, "b2": 4},
            "developing",
            "advanced",
            ("transparency",),
            ("transparency",),
            id="dont-know-holds-back",
        ),
        pytest.param(
            {"e1": 4},
            "initial",
            "developing",
            ("transparency", "budgeting"),
            ("transparency", "budgeting"),
            id="formal-rules-unanswered",
        ),
        pytest.param({"t1": 3, "b1": 3, "b2": 3}, "advanced", None, (), (), id="all-drivers"),
        pytest.param(
            {"t1": 4, "b1": 4, "b2": 4, "e1": 0}, "advanced", None, (), (), id="top-stage"
        ),
    ],
)
def test_stage_follows_its_conditions_and_names_what_holds_it_back(
    answers: dict[str, int | None],
    stage: str,
    next_stage: str | None,
    failing: tuple[str, ...],
    unanswered: tuple[str, ...],
) -> None:
    readiness = assess(make_kb(), CORE, answers)
    assert readiness.stage is not None
    assert readiness.stage.key == stage
    held_back = readiness.held_back
    if next_stage is None:
        assert held_back is None
        return
    assert held_back is not None
    assert held_back.stage.key == next_stage
    assert held_back.requirement == held_back.stage.requires
    assert (held_back.failing, held_back.unanswered) == (failing, unanswered)


def test_a_high_index_without_formal_rules_is_not_institutionalised() -> None:
    # Issue 13: formal rules "not in place", everything else "fully".
    kb = make_kb(weights={"experience": 10.0})
    readiness = assess(
        kb, DETAILED, {"t1": 0, "t2": 0, "b1": 0, "b2": 0, "b3": 0, "e1": 4, "e2": 4}
    )
    assert readiness.index is not None and readiness.index > 70
    assert readiness.stage is not None and readiness.stage.key == "initial"


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0.0, "absent"),
        (24.99, "absent"),
        (25.0, "started"),
        (49.99, "started"),
        (50.0, "partly"),
        (74.99, "partly"),
        (75.0, "established"),
        (100.0, "established"),
    ],
)
def test_band_starts_at_its_minimum(score: float, band: str) -> None:
    assert make_kb().band_for(score).key == band


@pytest.mark.parametrize(
    ("value", "band"),
    [(0, "absent"), (1, "started"), (2, "partly"), (3, "established"), (4, "established")],
)
def test_each_answer_places_a_one_question_subfactor_in_its_band(value: int, band: str) -> None:
    assert assess(make_kb(), CORE, {"t1": value}).subfactor("transparency").band == band


def test_confidence_says_how_many_answers_the_call_rests_on() -> None:
    readiness = assess(make_kb(), CORE, {"t1": 2, "b1": 3, "b2": None})
    transparency, budgeting, experience = readiness.subfactors
    assert (budgeting.answered, budgeting.asked, budgeting.one_answer) == (1, 2, True)
    assert budgeting.dont_know == ("b2",)
    assert (transparency.answered, transparency.asked, transparency.one_answer) == (1, 1, True)
    assert (experience.answered, experience.one_answer, experience.band) == (0, False, None)
    assert readiness.dont_know == ("b2",)
    full = assess(make_kb(), CORE, {"b1": 3, "b2": 1}).subfactor("budgeting")
    assert (full.answered, full.asked, full.one_answer, full.dont_know) == (2, 2, False, ())


def test_refined_subfactors_are_scored_on_all_their_questions() -> None:
    answers = {"t1": 0, "t2": 4, "b1": 4, "b2": 4, "b3": 0, "e1": 0, "e2": 4}
    readiness = assess(make_kb(), CORE, answers, refined=("transparency",))
    assert readiness.subfactor("transparency").score == 75.0
    assert readiness.subfactor("transparency").asked == 2
    assert readiness.subfactor("budgeting").asked == 2  # not refined: b3 is ignored
    assert readiness.subfactor("experience").score == 0.0


def test_nothing_answered_has_no_index_stage_or_priorities() -> None:
    readiness = assess(make_kb(), DETAILED, {key: None for key in DETAILED_IDS})
    assert (readiness.index, readiness.stage, readiness.priorities) == (None, None, ())
    assert readiness.held_back is None
    assert all(r.score is None and r.confidence == 0.0 for r in readiness.subfactors)


ALL_ZERO = {"t1": 0, "b1": 0, "b2": 0, "e1": 0}
OBSTACLES = {"budgeting": OBSTACLE, "experience": OBSTACLE}


# (key, gap, weight, urgent); budgeting and experience are drivers nationally, so obstacles
# here are urgent (×2) and ranked first.
@pytest.mark.parametrize(
    ("kb_options", "answers", "max_priorities", "expected"),
    [
        # all at 0, gap 60 each: budgeting 60×2×2, experience 60×1.5×2, transparency 60×1
        ({}, ALL_ZERO, 3, [("budgeting", 60.0, 2.0, True), ("experience", 60.0, 1.5, True),
                           ("transparency", 60.0, 1.0, False)]),
        ({}, ALL_ZERO, 2, [("budgeting", 60.0, 2.0, True), ("experience", 60.0, 1.5, True)]),
        ({}, ALL_ZERO, 0, []),
        # urgent first even with a smaller value: experience 10×1.5×2 = 30 < transparency 600
        ({"weights": {"transparency": 10.0}}, {"t1": 0, "b1": 4, "b2": 4, "e1": 2}, 3,
         [("experience", 10.0, 1.5, True), ("transparency", 60.0, 10.0, False)]),
        # with no urgent obstacle, by gap × weight
        ({"baselines": OBSTACLES}, ALL_ZERO, 3, [("budgeting", 60.0, 2.0, False),
         ("experience", 60.0, 1.5, False), ("transparency", 60.0, 1.0, False)]),
        # equal values keep KB order ...
        ({"baselines": OBSTACLES, "weights": {"budgeting": 1.0, "experience": 1.0}}, ALL_ZERO, 3,
         [("transparency", 60.0, 1.0, False), ("budgeting", 60.0, 1.0, False),
          ("experience", 60.0, 1.0, False)]),
        # ... unless the evidence differs: more evidence first
        ({"baselines": OBSTACLES, "weights": {"budgeting": 1.0, "experience": 1.0},
          "evidence": {"experience": 3, "budgeting": 2}}, ALL_ZERO, 3,
         [("experience", 60.0, 1.0, False), ("budgeting", 60.0, 1.0, False),
          ("transparency", 60.0, 1.0, False)]),
        # a tie from different gaps and weights: 60 × 0.5 = 10 × 3
        ({"baselines": OBSTACLES, "weights": {"transparency": 0.5, "experience": 3.0}},
         {"t1": 0, "b1": 4, "b2": 4, "e1": 2}, 3,
         [("transparency", 60.0, 0.5, False), ("experience", 10.0, 3.0, False)]),
        # drivers (including exactly 60) and unanswered sub-factors are never priorities
        ({}, {"t1": 4, "b1": 0, "b2": 0, "e1": 2}, 3,
         [("budgeting", 60.0, 2.0, True), ("experience", 10.0, 1.5, True)]),
        ({}, {"t1": 1}, 3, [("transparency", 35.0, 1.0, False)]),
        ({}, {"t1": 4, "b1": 4, "b2": 4}, 3, []),
    ],
)  # fmt: skip
def test_priorities_rank_urgent_first_then_gap_times_weight_then_evidence(
    kb_options: dict[str, dict[str, object]],
    answers: dict[str, int | None],
    max_priorities: int,
    expected: list[tuple[str, float, float, bool]],
) -> None:
    kb = make_kb(**kb_options)  # type: ignore[arg-type]
    readiness = assess(kb, CORE, answers, max_priorities=max_priorities)
    got = [(p.subfactor_key, p.gap, p.weight, p.urgent) for p in readiness.priorities]
    assert got == expected
    for p in readiness.ranking:
        assert p.rank_value == p.gap * p.weight * p.urgency
        assert p.urgency == (URGENCY if p.urgent else 1.0)
        assert p.evidence == len(kb.subfactor(p.subfactor_key).evidence)
    assert readiness.priorities == readiness.ranking[:max_priorities]


def test_default_caps_priorities_at_three() -> None:
    kb = make_kb()
    assert len(assess(kb, CORE, ALL_ZERO).priorities) == 3


def test_negative_max_priorities_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_priorities"):
        assess(make_kb(), CORE, {}, max_priorities=-1)


def test_readiness_lists_and_finds_subfactors_in_kb_order() -> None:
    readiness = assess(make_kb(), CORE, {"b1": 4})
    assert tuple(r.key for r in readiness.subfactors) == SUBFACTOR_KEYS
    assert readiness.subfactor("budgeting").score == 100.0
    with pytest.raises(KeyError):
        readiness.subfactor("nope")
    with pytest.raises(KeyError):
        readiness.factor("nope")


# Properties -------------------------------------------------------------------------------

weights_st = st.floats(min_value=0.01, max_value=100.0, allow_nan=False, allow_infinity=False)
kbs = st.builds(
    lambda qw, sw: make_kb(question_weights=qw, weights=sw),
    st.fixed_dictionaries({qid: weights_st for qid in DETAILED_IDS}),
    st.fixed_dictionaries({key: weights_st for key in SUBFACTOR_KEYS}),
)
values = st.none() | st.integers(min_value=0, max_value=4)
answer_maps = st.dictionaries(st.sampled_from(DETAILED_IDS), values)
question_sets = st.sampled_from(QuestionSet)


def _scores(readiness: Readiness) -> list[float | None]:
    return [
        readiness.index,
        *(f.score for f in readiness.factors),
        *(r.score for r in readiness.subfactors),
    ]


@given(kbs, question_sets, answer_maps)
def test_every_score_stays_within_0_and_100(
    kb: KnowledgeBase, question_set: QuestionSet, answers: dict[str, int | None]
) -> None:
    readiness = assess(kb, question_set, answers)
    assert all(0.0 <= s <= 100.0 for s in _scores(readiness) if s is not None)
    assert all(0.0 <= r.confidence <= 1.0 for r in readiness.subfactors)
    assert all(p.gap > 0 for p in readiness.priorities)


@given(kbs, question_sets, st.integers(min_value=0, max_value=4), st.data())
def test_equal_answers_score_exactly(
    kb: KnowledgeBase, question_set: QuestionSet, value: int, data: st.DataObject
) -> None:
    ids = [q.id for q in kb.questions(question_set)]
    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    readiness = assess(kb, question_set, dict.fromkeys(chosen, value))
    assert all(s == 25.0 * value for s in _scores(readiness) if s is not None)


@st.composite
def raised_answer(
    draw: st.DrawFn,
) -> tuple[KnowledgeBase, QuestionSet, dict[str, int | None], str, int, int]:
    kb = draw(kbs)
    question_set = draw(question_sets)
    answers = draw(answer_maps)
    question_id = draw(st.sampled_from([q.id for q in kb.questions(question_set)]))
    low = draw(st.integers(min_value=0, max_value=3))
    high = draw(st.integers(min_value=low + 1, max_value=4))
    return kb, question_set, answers, question_id, low, high


@given(raised_answer())
def test_raising_an_answer_never_lowers_any_score(
    case: tuple[KnowledgeBase, QuestionSet, dict[str, int | None], str, int, int],
) -> None:
    kb, question_set, answers, question_id, low, high = case
    before = assess(kb, question_set, {**answers, question_id: low})
    after = assess(kb, question_set, {**answers, question_id: high})
    key = kb.subfactor_of(question_id).key
    factor_key = kb.subfactor_of(question_id).factor_key
    pairs = [
        (before.subfactor(key).score, after.subfactor(key).score),
        (before.factor(factor_key).score, after.factor(factor_key).score),
        (before.index, after.index),
    ]
    for old, new in pairs:
        assert old is not None and new is not None
        assert new >= old


def _stage_rank(kb: KnowledgeBase, readiness: Readiness) -> int:
    assert readiness.stage is not None
    return kb.stages.index(readiness.stage)


@given(raised_answer())
def test_raising_an_answer_never_moves_the_stage_down_or_a_band_down(
    case: tuple[KnowledgeBase, QuestionSet, dict[str, int | None], str, int, int],
) -> None:
    kb, question_set, answers, question_id, low, high = case
    before = assess(kb, question_set, {**answers, question_id: low})
    after = assess(kb, question_set, {**answers, question_id: high})
    assert _stage_rank(kb, after) >= _stage_rank(kb, before)
    key = kb.subfactor_of(question_id).key
    bands = [b.key for b in kb.bands]
    old, new = before.subfactor(key).band, after.subfactor(key).band
    assert old is not None and new is not None
    assert bands.index(new) >= bands.index(old)


@given(kbs, question_sets, answer_maps, st.integers(0, 3))
def test_priorities_and_urgent_labels_agree(
    kb: KnowledgeBase,
    question_set: QuestionSet,
    answers: dict[str, int | None],
    max_priorities: int,
) -> None:
    readiness = assess(kb, question_set, answers, max_priorities=max_priorities)
    urgent = [r.key for r in readiness.subfactors if r.urgent]
    ranked = [p.subfactor_key for p in readiness.ranking]
    assert ranked[: len(urgent)] == [k for k in ranked if k in urgent]
    assert sorted(ranked[: len(urgent)]) == sorted(urgent)
    for p in readiness.ranking:
        assert p.urgent is readiness.subfactor(p.subfactor_key).urgent
    shown = [p.subfactor_key for p in readiness.priorities]
    assert all(k in urgent for k in shown[: min(len(urgent), max_priorities)])


def _others(readiness: Readiness, key: str) -> list[object]:
    return [r for r in readiness.subfactors if r.key != key]


@given(kbs, question_sets, answer_maps, st.sampled_from(DETAILED_IDS), st.booleans())
def test_dropping_an_answer_changes_no_other_subfactor_and_keeps_or_lowers_confidence(
    kb: KnowledgeBase,
    question_set: QuestionSet,
    answers: dict[str, int | None],
    question_id: str,
    dont_know: bool,
) -> None:
    rest = {k: v for k, v in answers.items() if k != question_id}
    dropped: Mapping[str, int | None] = {**rest, question_id: None} if dont_know else rest
    before = assess(kb, question_set, answers)
    after = assess(kb, question_set, dropped)
    key = kb.subfactor_of(question_id).key
    assert _others(after, key) == _others(before, key)
    assert after.subfactor(key).confidence <= before.subfactor(key).confidence


@given(kbs, question_sets, answer_maps, st.sampled_from(DETAILED_IDS))
def test_dont_know_scores_exactly_as_unanswered_and_is_tracked(
    kb: KnowledgeBase,
    question_set: QuestionSet,
    answers: dict[str, int | None],
    question_id: str,
) -> None:
    rest = {k: v for k, v in answers.items() if k != question_id}
    unknown = assess(kb, question_set, {**rest, question_id: None})
    unanswered = assess(kb, question_set, rest)
    assert (unknown.index, unknown.stage, unknown.held_back, unknown.ranking) == (
        unanswered.index,
        unanswered.stage,
        unanswered.held_back,
        unanswered.ranking,
    )
    for a, b in zip(unknown.subfactors, unanswered.subfactors, strict=True):
        assert (a.score, a.band, a.effect, a.answered, a.asked) == (
            b.score,
            b.band,
            b.effect,
            b.answered,
            b.asked,
        )
    asked = question_id in {q.id for q in kb.questions(question_set)}
    assert (question_id in unknown.dont_know) == asked
    assert question_id not in unanswered.dont_know


@given(raised_answer())
def test_dont_know_has_lower_confidence_than_any_answer(
    case: tuple[KnowledgeBase, QuestionSet, dict[str, int | None], str, int, int],
) -> None:
    kb, question_set, answers, question_id, value, _ = case
    key = kb.subfactor_of(question_id).key
    unknown = assess(kb, question_set, {**answers, question_id: None}).subfactor(key)
    known = assess(kb, question_set, {**answers, question_id: value}).subfactor(key)
    assert unknown.confidence < known.confidence
    assert unknown.answered == known.answered - 1
