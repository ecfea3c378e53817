"""The results follow the answers: two people who differ in one sub-factor get different advice
for it and the same advice elsewhere; "don't know" gets advice; the plan lists each step once,
under its group; the condition that holds the agency back is named. Through the emulator."""

from __future__ import annotations

import re

import pytest

from bot.emulator import BotApiEmulator, EmulatedUser
from handlers.i18n import Renderer
from knowledge import (
    HORIZONS,
    AdviceReport,
    KnowledgeBase,
    Locale,
    QuestionSet,
    advise,
    assess,
    normalise_digits,
)
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot

CHANGED = "executive_enforcement"
DONT_KNOW = "functionality_usability"
CITATION = re.compile(r" ?\[([\d,، ]+)\]")
REFERENCE = re.compile(r"^\u200f?\[(\d+)\] (.+)$", re.M)  # Persian entries start with RLM
STEP = re.compile(r"^(\d+)\. (.+)$")


def core_values(kb: KnowledgeBase, changed: int) -> list[int | None]:
    """Largely (3) everywhere, "don't know" for one sub-factor, `changed` for another."""
    keys = [kb.subfactor_of(q.id).key for q in kb.questions(QuestionSet.CORE)]
    return [changed if k == CHANGED else None if k == DONT_KNOW else 3 for k in keys]


async def complete(
    emulator: BotApiEmulator, kb: KnowledgeBase, locale: Locale, user_id: int, changed: int
) -> str:
    """Complete the short checklist; every bot message of the results, digits in ASCII."""
    user = emulator.user(user_id, language_code=locale)
    await user.send("/start")
    await fill_profile(user, kb, locale)
    await user.press(question_set_button(user, QuestionSet.CORE))
    await answer_questions(user, kb, locale, core_values(kb, changed))
    return results_of(user)


def results_of(user: EmulatedUser) -> str:
    texts = [m.text or "" for m in user.bot_messages]
    first = next(i for i, t in enumerate(texts) if "100" in normalise_digits(t))
    return normalise_digits("\n\n".join(texts[first:]))


def with_works(text: str, results: str) -> str:
    """`text` with each citation number replaced by the reference it points to."""
    works = {int(n): work for n, work in REFERENCE.findall(results)}

    def cited(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split("[,،]", match.group(1))]
        return "[" + " | ".join(works[n] for n in numbers) + "]"

    return CITATION.sub(cited, text)


def advice_by_subfactor(kb: KnowledgeBase, locale: Locale, results: str) -> dict[str, str]:
    """Each sub-factor's advice paragraph, citations resolved to the works they cite."""
    titles = {sf.title.get(locale): sf.key for sf in kb.subfactors}
    found: dict[str, str] = {}
    for paragraph in results.split("\n\n"):
        lines = paragraph.splitlines()
        if lines and lines[0].split(" — ")[0] in {"Advice", "توصیه‌ها"}:
            lines = lines[1:]  # the factor's heading above its first sub-factor
        if not lines:
            continue
        head = re.split(" · |، | — ", lines[0])[0]  # the separator: «، » in Persian
        if head in titles:
            assert titles[head] not in found, f"{head} advised twice"
            found[titles[head]] = with_works("\n".join(lines), results)
    return found


def plan_groups(locale: Locale, results: str) -> dict[str, list[str]]:
    """The plan's steps as shown, by group title, in order (citations left out)."""
    renderer = Renderer()
    titles = {
        normalise_digits(renderer.text(locale, "plan_group", h.value)): h.value for h in HORIZONS
    }
    lines = results.splitlines()
    start = lines.index(renderer.text(locale, "plan_title"))
    end = lines.index(renderer.text(locale, "results_references"), start)
    groups: dict[str, list[str]] = {}
    current = None
    for line in lines[start:end]:
        if line in titles:
            current = groups.setdefault(titles[line], [])
        elif (step := STEP.match(line)) and current is not None:
            current.append(CITATION.sub("", step.group(2)).strip())
    return groups


def expected_report(kb: KnowledgeBase, changed: int) -> AdviceReport:
    core = kb.questions(QuestionSet.CORE)
    answers = dict(zip([q.id for q in core], core_values(kb, changed), strict=True))
    profile = {"sector": kb.profile.sectors[0].key, "region": "tehran"}
    return advise(kb, assess(kb, QuestionSet.CORE, answers), profile)


@pytest.mark.parametrize(("locale", "first_id"), [("fa", 2401), ("en", 2411)])
async def test_one_different_answer_changes_only_that_sub_factors_advice(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    first_id: int,
) -> None:
    kb = shipped_kb
    absent = await complete(emulator, kb, locale, first_id, changed=0)
    partly = await complete(emulator, kb, locale, first_id + 1, changed=2)

    first, second = advice_by_subfactor(kb, locale, absent), advice_by_subfactor(kb, locale, partly)
    scored = {sf.key for sf in kb.subfactors} - {DONT_KNOW}
    assert scored <= set(first) and scored <= set(second)
    assert first[CHANGED] != second[CHANGED]
    for key in set(first) - {CHANGED}:
        assert first[key] == second[key], key
    # Answer 0 shows the low answer's finding and its step; "partly" (2) is not a low answer.
    low = kb.subfactor(CHANGED).questions_in(QuestionSet.CORE)[0].low
    assert low is not None
    finding = low.finding.get(locale)
    step = kb.step(low.steps[0]).for_profile({"region": "tehran"})[0].get(locale)
    assert finding in first[CHANGED] and step in first[CHANGED]
    assert finding not in second[CHANGED] and step not in second[CHANGED]
    for band, advice in (("absent", first), ("partly", second)):
        summary = kb.subfactor(CHANGED).advice.for_band(band).summary.get(locale)
        assert summary in advice[CHANGED]
        assert kb.band(band).title.get(locale) in advice[CHANGED].splitlines()[0]


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 2421), ("en", 2422)])
async def test_the_results_name_the_hold_back_advise_dont_know_and_plan_each_step_once(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
) -> None:
    kb = shipped_kb
    results = await complete(emulator, kb, locale, user_id, changed=0)
    expected = expected_report(kb, changed=0)

    # The condition that holds the agency back from institutionalization, by name.
    institutionalization = kb.stages[-1].title.get(locale)
    held = next(line for line in results.splitlines() if institutionalization in line)
    assert kb.subfactor(CHANGED).title.get(locale) in held.split(":")[-1]
    assert kb.subfactor("organizational_policies").title.get(locale) not in held.split(":")[-1]

    # "Don't know" gets advice: what to look at and who would know.
    question = kb.subfactor(DONT_KNOW).questions_in(QuestionSet.CORE)[0]
    assert question.dont_know is not None
    advice = advice_by_subfactor(kb, locale, results)[DONT_KNOW]
    assert question.dont_know.finding.get(locale) in advice
    assert kb.owner(question.dont_know.owner).title.get(locale) in advice

    # The plan: each step once, under the group the plan puts it in, in the plan's order.
    shown = plan_groups(locale, results)
    steps = [text for group in shown.values() for text in group]
    assert len(steps) == len(set(steps)) > 0
    assert shown == {
        group.horizon.value: [step.text.get(locale) for step in group.steps]
        for group in expected.plan.groups
    }
