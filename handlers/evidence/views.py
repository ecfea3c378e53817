"""The evidence browser's and /ask's screens: rendered text and inline keyboards, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.callbacks import (
    Callback,
    EvidenceCards,
    EvidenceFactors,
    EvidenceOrigin,
    EvidenceSubFactors,
    encode,
)
from handlers.i18n import Renderer
from knowledge import (
    Evidence,
    Factor,
    KnowledgeBase,
    Locale,
    Reference,
    SearchHit,
    StepHit,
    SubFactor,
    Text,
)

__all__ = [
    "Match",
    "Screen",
    "StepMatch",
    "answer_screen",
    "cards_screen",
    "explore_screen",
    "factors_screen",
    "matches_for",
    "opens_new_message",
    "screen_for",
    "steps_for",
    "subfactors_screen",
    "under_results",
]

_COLUMNS = 2


@dataclass(frozen=True)
class Screen:
    """One message of the browser: Telegram HTML and its inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Match:
    """One /ask hit: the sub-factor, its best matching evidence and reference, that card's page."""

    subfactor: SubFactor
    factor: Factor
    evidence: Evidence
    reference: Reference
    page: int


@dataclass(frozen=True)
class StepMatch:
    """One action step that answers a question: its text, its sub-factor, its first source."""

    text: Text
    subfactor: SubFactor
    reference: Reference | None


def _button(text: str, callback: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(callback))


def _rows(buttons: Sequence[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + _COLUMNS]) for i in range(0, len(buttons), _COLUMNS)]


def factors_screen(renderer: Renderer, locale: Locale, kb: KnowledgeBase) -> Screen:
    """The start of /evidence: a button per factor."""
    buttons = [_button(f.title.get(locale), EvidenceSubFactors(f.key)) for f in kb.factors]
    text = renderer.render(locale, "evidence_factors.html", kb=kb)
    return Screen(text, InlineKeyboardMarkup(_rows(buttons)))


def subfactors_screen(
    renderer: Renderer, locale: Locale, kb: KnowledgeBase, factor_key: str
) -> Screen | None:
    """One factor's sub-factors as buttons, and back to the factors; None for an unknown key."""
    factor = next((f for f in kb.factors if f.key == factor_key), None)
    if factor is None:
        return None
    buttons = [
        _button(sf.title.get(locale), EvidenceCards(sf.key, 0, EvidenceOrigin.BROWSE))
        for sf in factor.subfactors
    ]
    back = _button(renderer.text(locale, "evidence_button_factors"), EvidenceFactors())
    text = renderer.render(locale, "evidence_subfactors.html", factor=factor)
    return Screen(text, InlineKeyboardMarkup([*_rows(buttons), [back]]))


def explore_screen(renderer: Renderer, locale: Locale, kb: KnowledgeBase) -> Screen:
    """The message under the results: a button per sub-factor, two to a row."""
    buttons = [
        _button(sf.title.get(locale), EvidenceCards(sf.key, 0, EvidenceOrigin.RESULTS))
        for sf in kb.subfactors
    ]
    text = renderer.render(locale, "evidence_explore.html")
    return Screen(text, InlineKeyboardMarkup(_rows(buttons)))


def cards_screen(
    renderer: Renderer, locale: Locale, kb: KnowledgeBase, pressed: EvidenceCards
) -> Screen | None:
    """One evidence card with paging and a way back; None for an unknown key or page."""
    subfactor = next((sf for sf in kb.subfactors if sf.key == pressed.subfactor_key), None)
    if subfactor is None or pressed.page >= len(subfactor.evidence):
        return None
    page, total = pressed.page, len(subfactor.evidence)
    evidence = subfactor.evidence[page]
    text = renderer.render(
        locale,
        "evidence_card.html",
        subfactor=subfactor,
        factor=kb.factor(subfactor.factor_key),
        evidence=evidence,
        reference=kb.reference(evidence.ref),
        number=page + 1,
        total=total,
    )
    # An /ask answer opens the cards in a message of their own, which then browses.
    origin = EvidenceOrigin.BROWSE if pressed.origin is EvidenceOrigin.ASK else pressed.origin
    paging = []
    if page > 0:
        previous = EvidenceCards(subfactor.key, page - 1, origin)
        paging.append(_button(renderer.text(locale, "evidence_button_previous"), previous))
    if page + 1 < total:
        following = EvidenceCards(subfactor.key, page + 1, origin)
        paging.append(_button(renderer.text(locale, "evidence_button_next"), following))
    listed = None if origin is EvidenceOrigin.RESULTS else subfactor.factor_key
    back = _button(renderer.text(locale, "evidence_button_subfactors"), EvidenceSubFactors(listed))
    return Screen(text, InlineKeyboardMarkup([row for row in (paging, [back]) if row]))


def under_results(pressed: Callback | None) -> bool:
    """Whether a button belongs to the browser under the results (shown from their revision)."""
    match pressed:
        case EvidenceSubFactors(None):
            return True
        case EvidenceCards(origin=EvidenceOrigin.RESULTS):
            return True
    return False


def opens_new_message(pressed: Callback | None) -> bool:
    """Whether a button opens its screen in a new message (under an /ask answer) or in place."""
    return isinstance(pressed, EvidenceCards) and pressed.origin is EvidenceOrigin.ASK


def screen_for(
    renderer: Renderer, locale: Locale, kb: KnowledgeBase, pressed: Callback
) -> Screen | None:
    """The screen an evidence button asks for; None when it names nothing in `kb`."""
    match pressed:
        case EvidenceFactors():
            return factors_screen(renderer, locale, kb)
        case EvidenceSubFactors(None):
            return explore_screen(renderer, locale, kb)
        case EvidenceSubFactors(factor_key) if factor_key is not None:
            return subfactors_screen(renderer, locale, kb, factor_key)
        case EvidenceCards():
            return cards_screen(renderer, locale, kb, pressed)
    return None


def matches_for(kb: KnowledgeBase, hits: Sequence[SearchHit]) -> list[Match]:
    """Each hit's sub-factor with its best matching evidence (else its first)."""
    matches = []
    for hit in hits:
        subfactor = kb.subfactor(hit.subfactor_key)
        pages = {e.ref: i for i, e in reversed(list(enumerate(subfactor.evidence)))}
        page = next((pages[ref] for ref in hit.evidence_refs if ref in pages), 0)
        evidence = subfactor.evidence[page]
        factor = kb.factor(subfactor.factor_key)
        matches.append(Match(subfactor, factor, evidence, kb.reference(evidence.ref), page))
    return matches


def steps_for(kb: KnowledgeBase, hits: Sequence[StepHit]) -> list[StepMatch]:
    """Each matching step's text with its sub-factor and its first reference (when known)."""
    known = {r.key for r in kb.references}
    matches = []
    for hit in hits:
        step = kb.step(hit.step_id)
        ref = next((kb.reference(key) for key in step.refs if key in known), None)
        matches.append(StepMatch(step.text, kb.subfactor(hit.subfactor_key), ref))
    return matches


def answer_screen(
    renderer: Renderer,
    locale: Locale,
    kb: KnowledgeBase,
    hits: Sequence[SearchHit],
    step_hits: Sequence[StepHit] = (),
) -> Screen:
    """The answer to a question: the best advice steps, then the studies, each with its
    citation, and a button to open each study's sub-factor."""
    matches = matches_for(kb, hits)
    steps = steps_for(kb, step_hits)
    text = renderer.render(locale, "evidence_answer.html", matches=matches, steps=steps)
    buttons = [
        [
            _button(
                renderer.text(locale, "ask_button_open", title=m.subfactor.title.get(locale)),
                EvidenceCards(m.subfactor.key, m.page, EvidenceOrigin.ASK),
            )
        ]
        for m in matches
    ]
    return Screen(text, InlineKeyboardMarkup(buttons) if buttons else None)
