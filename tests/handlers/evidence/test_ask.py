"""/ask: free-text lookup in the evidence, in Persian and English, end to end."""

from __future__ import annotations

import pytest

from bot.emulator import BotApiEmulator
from handlers import callbacks
from handlers.callbacks import EvidenceCards, EvidenceOrigin
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale, to_persian_digits
from tests.auxil.harness import RunningBot
from tests.auxil.kb_flows import assert_no_error

ZWNJ = "\u200c"
RENDERER = Renderer()


def in_locale(text: str, locale: Locale) -> str:
    """KB text as a reader sees it: Persian readers get Persian digits."""
    return to_persian_digits(text) if locale == "fa" else text


@pytest.mark.parametrize(
    ("locale", "question", "expected"),
    [
        ("fa", "مقاومت کاربران", "user_resistance"),
        ("fa", "مقاومت كاربران", "user_resistance"),  # Arabic kaf
        ("fa", f"مقاومت{ZWNJ}کاربران", "user_resistance"),  # ZWNJ instead of a space
        ("fa", f"سیاست{ZWNJ}های سازمانی", "organizational_policies"),
        ("fa", "سياست هاي سازماني", "organizational_policies"),  # Arabic yeh, no ZWNJ
        ("fa", "بودجه ريزي سرمايه اي", "capital_budgeting"),
        ("fa", "چگونه مدیران را آموزش دهیم؟", "manager_training"),
        ("fa", "قوانین حریم خصوصی", "legal_infrastructure"),
        ("en", "user resistance", "user_resistance"),
        ("en", "How do other agencies train their managers?", "manager_training"),
        ("en", "privacy law", "legal_infrastructure"),
        ("en", "budget for social media", "capital_budgeting"),
        ("en", "internet bandwidth", "technical_infrastructure"),
        ("fa", "privacy law", "legal_infrastructure"),  # an English question from a Persian user
        ("en", "شفافیت", "transparency"),  # and the other way round
    ],
)
async def test_ask_finds_the_right_subfactor(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    question: str,
    expected: str,
) -> None:
    user = emulator.user(6001, language_code=locale)
    await user.send(f"/ask {question}")
    answer = user.last_bot_message
    text = answer.text or ""
    sf = shipped_kb.subfactor(expected)
    studies = text.split(RENDERER.text(locale, "ask_title"), 1)[1]
    first = studies.split("\n\n")[1]  # after the title: the best match, with its citation
    assert sf.title.get(locale) in first
    assert any(in_locale(e.finding.get(locale), locale) in first for e in sf.evidence)
    assert any(shipped_kb.reference(e.ref).title in first for e in sf.evidence)
    assert 1 <= len(answer.buttons) <= 3
    assert answer.buttons[0][0][0] == RENDERER.text(
        locale, "ask_button_open", title=sf.title.get(locale)
    )
    assert_no_error(user, locale)


async def test_an_answer_cites_the_best_matching_finding_and_opens_its_card(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(6101, language_code="en")
    await user.send("/ask privacy law")
    answer = user.last_bot_message
    sf = shipped_kb.subfactor("legal_infrastructure")
    best = next(i for i, e in enumerate(sf.evidence) if e.ref == "picazovela2012")
    reference = shipped_kb.reference("picazovela2012")
    assert sf.evidence[best].finding.en in (answer.text or "")
    assert f'href="{reference.link}"' in answer.rendered_html
    assert answer.buttons[0][0][1] == callbacks.encode(
        EvidenceCards(sf.key, best, EvidenceOrigin.ASK)
    )

    await user.press(f"📖 {sf.title.en}")
    card = user.last_bot_message
    assert card.message_id != answer.message_id  # the answer stays; the card is a new message
    assert user.message(answer.message_id).text == answer.text  # type: ignore[union-attr]
    assert sf.evidence[best].finding.en in (card.text or "")
    # The opened card pages and goes back like the browser.
    labels = card.button_texts
    assert "↩ Sub-factors" in labels
    if best + 1 < len(sf.evidence):
        assert "Next ▶" in labels
        await user.press("Next ▶")
        assert sf.evidence[best + 1].finding.en in (user.last_bot_message.text or "")
    await user.press("↩ Sub-factors")
    assert sf.title.en in user.last_bot_message.button_texts
    assert_no_error(user, "en")


@pytest.mark.parametrize(
    ("locale", "question"),
    [("en", "xyzzy qwerty"), ("fa", "زرشک پلو با مرغ"), ("en", "the of and"), ("fa", "؟!")],
)
async def test_ask_says_clearly_when_nothing_matches(
    emulator: BotApiEmulator, bot: RunningBot, locale: Locale, question: str
) -> None:
    user = emulator.user(6201, language_code=locale)
    await user.send(f"/ask {question}")
    assert user.last_bot_message.text == RENDERER.text(locale, "ask_nothing")
    assert user.last_bot_message.buttons == []


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_a_bare_ask_explains_how_to_use_it(
    emulator: BotApiEmulator, bot: RunningBot, locale: Locale
) -> None:
    user = emulator.user(6301, language_code=locale)
    await user.send("/ask")
    assert "/ask " in (user.last_bot_message.text or "")
    assert user.last_bot_message.html == RENDERER.entry(locale, "ask_usage")


async def test_a_very_long_question_still_finds_its_subject(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(6401, language_code="en")
    question = "user resistance " + "lorem ipsum dolor sit amet " * 140
    assert len(question) > 3000
    await user.send(f"/ask {question}")
    assert shipped_kb.subfactor("user_resistance").title.en in (user.last_bot_message.text or "")


async def test_the_search_index_is_built_once_per_revision(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    user = emulator.user(6501, language_code="en")
    await user.send("/ask transparency")
    knowledge = bot.runtime.services.knowledge
    revision, _ = await knowledge.active()
    index = await knowledge.search_index(revision)
    await user.send("/ask budget")
    assert await knowledge.search_index(revision) is index


FSI, PDI = "\u2068", "\u2069"


@pytest.mark.parametrize(
    ("locale", "question", "expected_step"),
    [
        ("fa", "چطور برای رسانه‌های اجتماعی بودجه بگیریم؟", "propose_budget_line"),
        ("en", "How do we get a budget for social media?", "propose_budget_line"),
        ("fa", "آموزش مدیران", "assess_skills_gaps"),
    ],
)
async def test_a_plain_text_question_gets_advice_steps_then_studies_with_citations(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    question: str,
    expected_step: str,
) -> None:
    user = emulator.user(6601, language_code=locale)
    await user.send(question)  # no /ask, no assessment in progress
    text = user.last_bot_message.text or ""
    steps_title = RENDERER.text(locale, "ask_steps_title")
    studies_title = RENDERER.text(locale, "ask_title")
    assert text.startswith(steps_title) and studies_title in text
    steps = text.split(studies_title)[0]
    step = shipped_kb.step(expected_step)
    first_step = steps.split("\n\n")[1]
    assert in_locale(step.text.get(locale), locale) in first_step
    # Each step and each study is cited, each citation one isolate.
    source = RENDERER.text(locale, "evidence_source")
    cited = [line for line in text.split("\n") if line.startswith(source)]
    assert len(cited) >= 4
    for line in cited:
        assert line.count(FSI) == 1 and line.count(PDI) == 1
    assert shipped_kb.reference(step.refs[0]).title in first_step
    assert "/start" not in text
    assert_no_error(user, locale)


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_a_bare_ask_then_the_question_is_answered_even_mid_checklist(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    user = emulator.user(6701, language_code=locale)
    await user.send("/start")  # a checklist in progress: its first question is pending
    await user.send("/ask")
    await user.send("budget for social media" if locale == "en" else "بودجه رسانه‌های اجتماعی")
    text = user.last_bot_message.text or ""
    assert text.startswith(RENDERER.text(locale, "ask_steps_title"))
    assert shipped_kb.subfactor("capital_budgeting").title.get(locale) in text
    # The next text goes to the checklist again: it asks for the buttons.
    await user.send("hello")
    assert RENDERER.text(locale, "use_buttons") in (user.bot_messages[-2].text or "")
