"""The worked example of docs/scoring.md is what the code computes from the same answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.advisor import advise, case_for
from knowledge.assessment import assess
from knowledge.model import KnowledgeBase, QuestionSet
from knowledge.refinement import refinement

DOC = (Path(__file__).parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")
# The case as the table words it -> Case values.
CASES = {"expected obstacle": "expected_obstacle", "urgent": "urgent", "leverage": "leverage"}
CASES |= {"keep": "keep"}


def _table(name: str) -> list[list[str]]:
    """The rows of the table between `<!-- worked-example:name -->` markers, header left out."""
    block = DOC.split(f"<!-- worked-example:{name} -->")[1].split(f"<!-- /worked-example:{name}")[0]
    rows = [line for line in block.strip().splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def _marked(name: str) -> str:
    match = re.search(rf"<!-- {name} -->(.*?)<!-- /{name} -->", DOC, flags=re.S)
    assert match, name
    return match.group(1).strip()


ROWS = _table("subfactors")


def _answers(kb: KnowledgeBase) -> dict[str, int | None]:
    answers: dict[str, int | None] = {}
    for key, answer, *_ in ROWS:
        (question,) = kb.subfactor(key).questions_in(QuestionSet.CORE)
        answers[question.id] = None if answer == "don't know" else int(answer)
    return answers


def test_the_example_answers_every_core_question(shipped_kb: KnowledgeBase) -> None:
    assert [row[0] for row in ROWS] == [sf.key for sf in shipped_kb.subfactors]


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_each_subfactor_row_is_what_the_code_computes(
    shipped_kb: KnowledgeBase, row: list[str]
) -> None:
    key, _, score, band, effect, national, case = row
    result = assess(shipped_kb, QuestionSet.CORE, _answers(shipped_kb)).subfactor(key)
    assert result.baseline.value == national
    if score == "—":
        assert (result.score, result.band, result.effect) == (None, None, None)
        assert result.dont_know and result.answered == 0
        return
    assert result.effect is not None
    assert (result.score, result.band, result.effect.value) == (float(score), band, effect)
    assert case_for(result.effect, result.baseline).value == CASES[case]
    assert (result.answered, result.asked, result.one_answer) == (1, 1, True)


def test_index_stage_and_what_holds_it_back(shipped_kb: KnowledgeBase) -> None:
    readiness = assess(shipped_kb, QuestionSet.CORE, _answers(shipped_kb))
    assert readiness.index is not None
    assert round(readiness.index, 2) == float(_marked("index"))
    assert set(readiness.weights.values()) == {1.0}
    assert readiness.stage is not None and readiness.stage.key == _marked("stage")
    held_back = readiness.held_back
    assert held_back is not None and held_back.stage.key == "institutionalization"
    assert ", ".join(held_back.failing) == _marked("held-back")
    factors = {f.key: round(f.score or 0, 2) for f in readiness.factors}
    assert factors == {
        "managerial": 50.0,
        "organizational": 75.0,
        "human": 66.67,
        "infrastructural": 90.0,
    }


def test_priorities_table_is_the_ranking(shipped_kb: KnowledgeBase) -> None:
    readiness = assess(shipped_kb, QuestionSet.CORE, _answers(shipped_kb))
    expected = [
        (int(rank), key, *(float(cell) for cell in cells))
        for rank, key, *cells in _table("priorities")
    ]
    got = [
        (rank, p.subfactor_key, readiness.subfactor(p.subfactor_key).score, p.gap, p.weight,
         p.urgency, p.rank_value)
        for rank, p in enumerate(readiness.ranking, start=1)
    ]  # fmt: skip
    assert got == expected
    assert [p.subfactor_key for p in readiness.priorities] == [row[1] for row in expected[:3]]


def test_advice_and_refinement_of_the_example(shipped_kb: KnowledgeBase) -> None:
    readiness = assess(shipped_kb, QuestionSet.CORE, _answers(shipped_kb))
    report = advise(shipped_kb, readiness)
    answers = _answers(shipped_kb)
    low = {"executive_enforcement": True, "organizational_policies": True}
    low |= {"capital_budgeting": False, "citizen_experience": False}
    for key, is_low in low.items():
        (question,) = shipped_kb.subfactor(key).questions_in(QuestionSet.CORE)
        if question.low is not None:  # a KB revision with answer-level advice (schema 2)
            assert question.is_low(answers[question.id]) is is_low
            assert bool(report.item(key).low_findings) is is_low
    first = {p.subfactor_key for p in readiness.ranking[:3]}
    assert set(refinement(shipped_kb, readiness).subfactor_keys) == first
