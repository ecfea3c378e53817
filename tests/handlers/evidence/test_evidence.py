"""The evidence browser, end to end: under the results, through /evidence, and stale buttons."""

from __future__ import annotations

import copy

import pytest

from bot.emulator import BotApiEmulator, ChatMessage, EmulatedUser
from bot.settings import Settings
from handlers import callbacks
from handlers.callbacks import EvidenceCards, EvidenceFactors, EvidenceOrigin, EvidenceSubFactors
from handlers.evidence.views import answer_screen, factors_screen, screen_for
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale, SearchIndex, SubFactor, to_document, to_persian_digits
from tests.auxil.harness import RunningBot
from tests.auxil.kb_flows import assert_no_error, complete_core_checklist, restart_with_revision

VALUES: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
EFFECT_WORDS = {
    "fa": {"driver": "پیشران", "obstacle": "پیشگیر", "mixed": "دوگانه"},
    "en": {"driver": "driver", "obstacle": "obstacle", "mixed": "mixed"},
}
RENDERER = Renderer()


def label(locale: Locale, key: str) -> str:
    return RENDERER.text(locale, key)


def explore_message(user: EmulatedUser) -> ChatMessage:
    """The newest message offering the evidence of every sub-factor (under the results)."""
    for message in reversed(user.bot_messages):
        if any(data and data.startswith("ev:r:") for row in message.buttons for _, data in row):
            return message
    raise AssertionError("no evidence buttons under the results")


def in_locale(text: str, locale: Locale) -> str:
    """KB text as a reader sees it: Persian readers get Persian digits."""
    return to_persian_digits(text) if locale == "fa" else text


def has_button(message: ChatMessage, text: str) -> bool:
    return message.find_button(text) is not None


def assert_card(
    message: ChatMessage, kb: KnowledgeBase, sf: SubFactor, page: int, locale: Locale
) -> None:
    """The message shows evidence card `page` of `sf`: finding, effect, reference and link."""
    evidence = sf.evidence[page]
    reference = kb.reference(evidence.ref)
    text = message.text or ""
    assert sf.title.get(locale) in text
    assert in_locale(evidence.finding.get(locale), locale) in text
    assert EFFECT_WORDS[locale][evidence.effect.value] in text
    assert reference.title in text  # bibliographic data is never translated
    for author in reference.authors:
        assert author in text
    if reference.link:
        assert f'href="{reference.link}"' in message.rendered_html
    total = len(sf.evidence)
    position = f"{page + 1} of {total}" if locale == "en" else f"{page + 1} از {total}"
    assert in_locale(position, locale) in text


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 5001), ("en", 5002)])
async def test_results_offer_each_subfactors_evidence_with_paging(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
) -> None:
    user = emulator.user(user_id, language_code=locale)
    await complete_core_checklist(user, shipped_kb, locale, VALUES)
    explore = explore_message(user)
    titles = [sf.title.get(locale) for sf in shipped_kb.subfactors]
    assert explore.button_texts == titles
    assert [len(row) for row in explore.buttons] == [2] * 8
    sent = len(user.bot_messages)

    def shown() -> ChatMessage:
        message = user.message(explore.message_id)
        assert message is not None
        return message

    sf = shipped_kb.subfactor("transparency")
    await user.press(sf.title.get(locale))
    assert shown().edit_count == 1  # edited in place, not a new message
    assert_card(shown(), shipped_kb, sf, 0, locale)
    assert not has_button(shown(), label(locale, "evidence_button_previous"))

    for page in range(1, len(sf.evidence)):
        await user.press(label(locale, "evidence_button_next"))
        assert_card(shown(), shipped_kb, sf, page, locale)
        assert has_button(shown(), label(locale, "evidence_button_previous"))
    assert not has_button(shown(), label(locale, "evidence_button_next"))  # the last page

    await user.press(label(locale, "evidence_button_previous"))
    assert_card(shown(), shipped_kb, sf, len(sf.evidence) - 2, locale)
    await user.press(label(locale, "evidence_button_subfactors"))
    assert shown().button_texts == titles
    assert len(user.bot_messages) == sent
    assert_no_error(user, locale)


@pytest.mark.parametrize(("locale", "user_id"), [("fa", 5101), ("en", 5102)])
async def test_evidence_command_walks_factors_subfactors_and_cards(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    locale: Locale,
    user_id: int,
) -> None:
    user = emulator.user(user_id, language_code=locale)
    await user.send("/evidence")  # no assessment needed
    factors = user.last_bot_message
    assert factors.button_texts == [f.title.get(locale) for f in shipped_kb.factors]

    factor = shipped_kb.factor("infrastructural")
    await user.press(factor.title.get(locale))
    listing = user.last_bot_message
    assert listing.message_id == factors.message_id
    assert listing.button_texts == [
        *(sf.title.get(locale) for sf in factor.subfactors),
        label(locale, "evidence_button_factors"),
    ]
    assert factor.description.get(locale) in (listing.text or "")

    sf = factor.subfactors[-1]
    await user.press(sf.title.get(locale))
    assert_card(user.last_bot_message, shipped_kb, sf, 0, locale)
    await user.press(label(locale, "evidence_button_subfactors"))
    assert user.last_bot_message.button_texts == listing.button_texts
    await user.press(label(locale, "evidence_button_factors"))
    assert user.last_bot_message.button_texts == factors.button_texts
    assert len(user.bot_messages) == 1  # every screen replaced the same message
    assert_no_error(user, locale)


@pytest.mark.parametrize(
    "data",
    [
        "ev:s:nonexistent:0",
        "ev:r:nonexistent:0",
        "ev:s:transparency:4",  # transparency has four findings: pages 0-3
        "ev:s:transparency:999",
        "ev:s:transparency:-1",
        "ev:f:nonexistent",
        "ev:x",
        "ev:s:Transparency:0",
        "ev:",
    ],
)
async def test_a_forged_or_stale_evidence_button_says_it_is_no_longer_valid(
    emulator: BotApiEmulator, bot: RunningBot, data: str
) -> None:
    user = emulator.user(5201, language_code="en")
    await user.send("/evidence")
    before = user.last_bot_message.text
    await user.press_data(data)
    answer = user.callback_answers[-1]
    assert answer.text == "This button is no longer valid."
    assert user.last_bot_message.text == before
    assert user.last_bot_message.edit_count == 0
    assert len(user.bot_messages) == 1


async def test_pressing_the_same_page_twice_is_harmless(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(5301, language_code="en")
    await user.send("/evidence")
    data = callbacks.encode(EvidenceCards("user_resistance", 1, EvidenceOrigin.BROWSE))
    await user.press_data(data)
    await user.press_data(data)
    assert_card(user.last_bot_message, shipped_kb, shipped_kb.subfactor("user_resistance"), 1, "en")
    assert [a.text for a in user.callback_answers] == [None, None]
    assert_no_error(user, "en")


async def test_a_message_too_old_to_edit_is_answered_with_a_new_one(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(5351, language_code="fa")
    await user.send("/evidence")
    emulator.inject_fault(
        method="editMessageText", status=400, description="Bad Request: message can't be edited"
    )
    await user.press(shipped_kb.factor("human").title.fa)
    assert len(user.bot_messages) == 2
    assert user.bot_messages[0].edit_count == 0
    assert user.last_bot_message.button_texts[0] == shipped_kb.subfactor("user_training").title.fa
    assert_no_error(user, "fa")


async def test_results_evidence_uses_the_results_revision_and_evidence_the_active_one(
    emulator: BotApiEmulator, bot: RunningBot, settings: Settings, shipped_kb: KnowledgeBase
) -> None:
    user = emulator.user(5401, language_code="en")
    await complete_core_checklist(user, shipped_kb, "en", VALUES)
    explore = explore_message(user)
    revised = to_document(shipped_kb)
    evidence = copy.deepcopy(revised["factors"][0]["subfactors"][0]["evidence"][0])
    evidence["finding"]["en"] = "A revised finding about transparency."
    revised["factors"][0]["subfactors"][0]["evidence"][0] = evidence
    await restart_with_revision(bot, emulator, settings, revised)

    await user.press_data(
        callbacks.encode(EvidenceCards("transparency", 0, EvidenceOrigin.RESULTS)),
        explore.message_id,
    )
    old = shipped_kb.subfactor("transparency").evidence[0].finding.en
    card = user.message(explore.message_id)
    assert card is not None and old in (card.text or "")
    await user.send("/evidence")
    await user.press_data(callbacks.encode(EvidenceCards("transparency", 0, EvidenceOrigin.BROWSE)))
    assert "A revised finding about transparency." in (user.last_bot_message.text or "")


def test_evidence_callbacks_round_trip_within_64_bytes(shipped_kb: KnowledgeBase) -> None:
    shapes: list[callbacks.Callback] = [EvidenceFactors(), EvidenceSubFactors(None)]
    shapes += [EvidenceSubFactors(f.key) for f in shipped_kb.factors]
    shapes += [
        EvidenceCards(sf.key, page, origin)
        for sf in shipped_kb.subfactors
        for page in (0, 999)
        for origin in EvidenceOrigin
    ]
    for shape in shapes:
        data = callbacks.encode(shape)
        assert len(data.encode()) <= callbacks.MAX_CALLBACK_BYTES
        assert callbacks.decode(data) == shape
    assert callbacks.encode(EvidenceFactors()) == "ev:h"
    assert callbacks.encode(EvidenceSubFactors(None)) == "ev:a"
    assert callbacks.encode(EvidenceSubFactors("human")) == "ev:f:human"
    assert callbacks.encode(EvidenceCards("legal", 2, EvidenceOrigin.ASK)) == "ev:q:legal:2"


@pytest.mark.parametrize("data", ["ev:s:x:01", "ev:s:x:1000", "ev:t:x:0", "ev:f:", "ev:h:1", "ev"])
def test_malformed_evidence_callbacks_decode_to_nothing(data: str) -> None:
    assert callbacks.decode(data) is None


def test_every_evidence_template_renders_in_both_locales(shipped_kb: KnowledgeBase) -> None:
    index = SearchIndex(shipped_kb)
    for locale in ("fa", "en"):
        assert factors_screen(RENDERER, locale, shipped_kb).text
        for sf in shipped_kb.subfactors:
            for page in range(len(sf.evidence)):
                screen = screen_for(
                    RENDERER, locale, shipped_kb, EvidenceCards(sf.key, page, EvidenceOrigin.BROWSE)
                )
                assert screen is not None and len(screen.text) <= 4096
        assert answer_screen(RENDERER, locale, shipped_kb, index.search("social media")).text
