"""Re-assessment: a second completed assessment shows the change per sub-factor, end to end."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from handlers.i18n import Renderer
from knowledge import (
    Comparison,
    KnowledgeBase,
    Locale,
    QuestionSet,
    Readiness,
    assess,
    compare,
    to_document,
    to_persian_digits,
)
from tests.auxil.flows import cancel, fill_profile, start_afresh
from tests.auxil.harness import RunningBot
from tests.auxil.kb_flows import assert_no_error, complete_core_checklist, restart_with_revision

FIRST: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
SECOND: list[int | None] = [0, 3, 4, 0, 3, 1, 2, 3, 4, 1, None, 4, 2, 4, 0, 2]
THIRD: list[int | None] = [4] * 16
RENDERER = Renderer()
FSI, PDI = "\u2068", "\u2069"


def readiness(kb: KnowledgeBase, values: Sequence[int | None]) -> Readiness:
    ids = [q.id for q in kb.questions(QuestionSet.CORE)]
    return assess(kb, QuestionSet.CORE, dict(zip(ids, values, strict=True)))


def comparisons(user: EmulatedUser, locale: Locale) -> list[str]:
    """The text of every comparison message in the chat, oldest first."""
    title = RENDERER.text(locale, "comparison_title")
    return [m.text or "" for m in user.bot_messages if (m.text or "").startswith(title)]


def number(value: float | None, locale: Locale) -> str:
    shown = "—" if value is None else str(round(value))
    return to_persian_digits(shown) if locale == "fa" else shown


def assert_shows(text: str, kb: KnowledgeBase, expected: Comparison, locale: Locale) -> None:
    """Each sub-factor's line holds its scores before and after, the change and any flip."""
    arrow = "→" if locale == "en" else "←"
    lines = text.splitlines()
    for change in expected.changes:
        title = kb.subfactor(change.key).title.get(locale)
        mark = RENDERER.text(locale, "comparison_trend", change.trend)
        line = next(line for line in lines if line.startswith(f"{mark} {title}: "))
        scores = f"{number(change.before, locale)} {arrow} {number(change.after, locale)}"
        assert scores in line, line
        if change.delta is not None and change.trend in ("up", "down"):
            sign = "+" if change.trend == "up" else "−"
            assert f"({FSI}{sign}{number(abs(change.delta), locale)}{PDI})" in line, line
        else:
            assert FSI not in line, line
        for effect in ("driver", "obstacle"):
            flip = RENDERER.text(locale, "comparison_flipped", effect)
            assert (flip in line) == (change.flipped and change.effect_after == effect), line
    for key, changes in (
        ("comparison_became_drivers", expected.became_drivers),
        ("comparison_became_obstacles", expected.became_obstacles),
    ):
        heading = RENDERER.text(locale, key)
        listed = [line for line in lines if line.startswith(heading)]
        if not changes:
            assert listed == []
            continue
        separator = RENDERER.text(locale, "list_separator")
        titles = [kb.subfactor(c.key).title.get(locale) for c in changes]
        assert listed == [f"{heading} {separator.join(titles)}"]


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 7001), ("en", 7002)])
async def test_a_second_assessment_shows_the_change_per_subfactor(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
) -> None:
    user = emulator.user(user_id, language_code=locale)
    await complete_core_checklist(user, shipped_kb, locale, FIRST)
    assert comparisons(user, locale) == []  # nothing to compare with yet

    await start_afresh(user)  # an assessment cancelled half-way does not count
    await fill_profile(user, shipped_kb, locale)
    await cancel(user)

    await complete_core_checklist(user, shipped_kb, locale, SECOND)
    expected = compare(readiness(shipped_kb, FIRST), readiness(shipped_kb, SECOND))
    assert expected.became_drivers and expected.became_obstacles  # the answers exercise both
    [shown] = comparisons(user, locale)
    assert_shows(shown, shipped_kb, expected, locale)
    index_line = shown.splitlines()[1]
    assert number(expected.index_before, locale) in index_line
    assert number(expected.index_after, locale) in index_line

    await user.send("/results")
    assert comparisons(user, locale)[-1] == shown

    await complete_core_checklist(user, shipped_kb, locale, THIRD)
    latest = compare(readiness(shipped_kb, SECOND), readiness(shipped_kb, THIRD))
    assert_shows(comparisons(user, locale)[-1], shipped_kb, latest, locale)
    assert_no_error(user, locale)


async def test_the_previous_assessment_is_scored_under_its_own_revision(
    emulator: BotApiEmulator, bot: RunningBot, settings: Settings, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(7101, language_code="en")
    same = [2] * 16  # 50 everywhere: an obstacle at threshold 60, a driver at 40
    await complete_core_checklist(user, shipped_kb, "en", same)
    revised = to_document(shipped_kb)
    revised["thresholds"]["driver"] = 40.0
    await restart_with_revision(bot, emulator, settings, revised)

    await complete_core_checklist(user, shipped_kb, "en", same)
    [shown] = comparisons(user, "en")
    lines = shown.splitlines()
    for sf in shipped_kb.subfactors:
        line = next(line for line in lines if line.startswith(f"⏺ {sf.title.en}: "))
        assert line.endswith("50 → 50 — now a driver"), line
    titles = ", ".join(sf.title.en for sf in shipped_kb.subfactors)
    assert f"Became drivers: {titles}" in lines
    assert not any(line.startswith("Became obstacles:") for line in lines)
