"""Complementary suppression: no hidden group can be recovered by subtracting from a margin."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from storage.stats.suppression import Cell, GroupKey, plan_suppression

K = 5


def cell(*key: str | None, n: int, people: int | None = None) -> Cell:
    return Cell(key=tuple(key), assessments=n, respondents=n if people is None else people)


def lines(cells: list[Cell]) -> list[list[Cell]]:
    """The whole population and, for two dimensions, every row and every column."""
    result = [cells]
    if cells and len(cells[0].key) == 2:
        for axis in (0, 1):
            groups: defaultdict[str | None, list[Cell]] = defaultdict(list)
            for c in cells:
                groups[c.key[axis]].append(c)
            result += list(groups.values())
    return result


def test_a_lone_small_group_takes_the_smallest_other_group_with_it() -> None:
    cells = [cell("health", n=3), cell("education", n=7), cell("energy", n=40)]

    hidden = plan_suppression(cells, k=K)

    # Without "education", 50 - 7 - 40 would give health's 3 assessments (and their sum).
    assert hidden == {("health",), ("education",)}


def test_two_small_groups_that_add_up_to_under_k_take_a_third() -> None:
    cells = [cell("a", n=1), cell("b", n=2), cell("c", n=6), cell("d", n=9)]

    assert plan_suppression(cells, k=K) == {("a",), ("b",), ("c",)}


def test_two_small_groups_that_add_up_to_k_are_enough() -> None:
    cells = [cell("a", n=2, people=2), cell("b", n=4), cell("c", n=6)]

    assert plan_suppression(cells, k=K) == {("a",), ("b",)}


def test_a_group_of_too_few_people_is_hidden_however_many_assessments() -> None:
    cells = [cell("a", n=12, people=2), cell("b", n=8), cell("c", n=30)]

    assert plan_suppression(cells, k=K) == {("a",), ("b",)}


def test_nothing_small_hides_nothing() -> None:
    cells = [cell("a", n=K), cell("b", n=9)]

    assert plan_suppression(cells, k=K) == frozenset()


def test_the_ungrouped_population_is_hidden_only_when_small() -> None:
    assert plan_suppression([cell(n=K - 1)], k=K) == {()}
    assert plan_suppression([cell(n=K)], k=K) == frozenset()


def test_hiding_in_a_row_spreads_to_the_columns_it_exposes() -> None:
    # Sector x month. (health, 01) is small. Its row takes (health, 02); then column 02 has
    # one hidden group, and takes (education, 02), which leaves row "education" with one, ...
    cells = [
        cell("health", "01", n=2),
        cell("health", "02", n=8),
        cell("health", "03", n=30),
        cell("education", "01", n=20),
        cell("education", "02", n=6),
        cell("education", "03", n=25),
    ]

    hidden = plan_suppression(cells, k=K)

    assert ("health", "01") in hidden and ("health", "02") in hidden
    for line in lines(cells):
        in_line = [c for c in line if c.key in hidden]
        assert not in_line or (len(in_line) >= 2 and sum(c.assessments for c in in_line) >= K)


keys_1d = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True).map(
    lambda names: [(name,) for name in names]
)
keys_2d = st.lists(
    st.tuples(st.sampled_from(["h", "e", "t", None]), st.sampled_from(["01", "02", "03", "04"])),
    min_size=1,
    max_size=16,
    unique=True,
)


@st.composite
def groupings(draw: st.DrawFn) -> list[Cell]:
    keys: list[GroupKey] = draw(st.one_of(keys_1d, keys_2d))
    cells = []
    for key in keys:
        n = draw(st.integers(min_value=1, max_value=3 * K))
        people = draw(st.integers(min_value=1, max_value=n))
        cells.append(Cell(key=key, assessments=n, respondents=people))
    return cells


@given(groupings())
def test_no_margin_gives_away_a_hidden_group(cells: list[Cell]) -> None:
    hidden = plan_suppression(cells, k=K)

    for c in cells:
        if c.assessments < K or c.respondents < K:
            assert c.key in hidden
    for line in lines(cells):
        in_line = [c for c in line if c.key in hidden]
        everything_hidden = len(in_line) == len(line)
        assert (
            not in_line
            or everything_hidden
            or (len(in_line) >= 2 and sum(c.assessments for c in in_line) >= K)
        ), (line, hidden)


@given(groupings())
def test_the_plan_does_not_depend_on_the_order_of_the_groups(cells: list[Cell]) -> None:
    assert plan_suppression(cells, k=K) == plan_suppression(list(reversed(cells)), k=K)


@given(groupings())
def test_without_small_groups_nothing_is_hidden(cells: list[Cell]) -> None:
    large = [Cell(c.key, c.assessments + K, c.respondents + K) for c in cells]

    assert plan_suppression(large, k=K) == frozenset()


def test_a_group_the_sizes_did_not_see_is_hidden() -> None:
    # Its first assessment completed between the sizes and the figures: no plan covers it.
    from storage.stats import GroupStats
    from storage.stats.groups import _Plan

    plan = _Plan(seen=frozenset({("health",), ("energy",)}), hidden=frozenset({("energy",)}))
    shown = GroupStats(("health",), False, n=9, readiness=50.0)
    late = GroupStats(("education",), False, n=9, readiness=50.0)
    hidden = GroupStats(("energy",), False, n=9, readiness=50.0)

    assert plan.apply(shown) is shown
    assert plan.apply(late) == GroupStats(("education",), suppressed=True)
    assert plan.apply(hidden) == GroupStats(("energy",), suppressed=True)
