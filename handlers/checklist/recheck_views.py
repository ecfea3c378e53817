"""Closing the loop on screen: the recheck offer, its questions, and the before/after."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callbacks
from handlers.checklist.recheck import RecheckStep
from handlers.checklist.steps import RecheckOffer
from handlers.i18n import Renderer
from handlers.replies import Reply
from knowledge import KnowledgeBase, Locale, Text

__all__ = ["recheck_offer_rows", "render_recheck_offer", "render_recheck_step"]


def _button(text: str, callback: callbacks.Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(callback))


def recheck_offer_rows(
    renderer: Renderer, locale: Locale, kb: KnowledgeBase, offers: tuple[RecheckOffer, ...]
) -> list[list[InlineKeyboardButton]]:
    """One "re-answer this sub-factor" button per offer (sub-factors of another KB revision
    are left out: their questions are not this revision's)."""
    known = {sf.key for sf in kb.subfactors}
    return [
        [
            _button(
                renderer.text(
                    locale,
                    "button_recheck",
                    subfactor=kb.subfactor(offer.subfactor_key).title.get(locale),
                ),
                callbacks.RecheckStart(offer.plan_assessment_id, offer.subfactor_key),
            )
        ]
        for offer in offers
        if offer.subfactor_key in known
    ]


def render_recheck_offer(
    renderer: Renderer, locale: Locale, kb: KnowledgeBase, offer: RecheckOffer
) -> Reply:
    """The offer sent once, after a check-in answered done, with its button."""
    text = renderer.markup(
        locale,
        "recheck_offer",
        subfactor=kb.subfactor(offer.subfactor_key).title,
        done=offer.done,
        committed=offer.committed,
    )
    rows = recheck_offer_rows(renderer, locale, kb, (offer,))
    return Reply(str(text), InlineKeyboardMarkup(rows) if rows else None)


def render_recheck_step(renderer: Renderer, step: RecheckStep) -> Reply:
    """The next question with its answer buttons, or the sub-factor's before/after."""
    kb, locale = step.kb, step.locale
    if step.change is not None:
        change = step.change
        text = renderer.render(
            locale,
            "recheck_result.html",
            kb=kb,
            change=change,
            steps=step.steps,
            band_before=_band(kb, change.band_before),
            band_after=_band(kb, change.band_after),
            stage_before=_stage(kb, change.stage_before),
            stage_after=_stage(kb, change.stage_after),
        )
        return Reply(text)
    view = step.view
    assert view is not None and step.recheck_id is not None
    scale = kb.scale_of(view.question)
    text = renderer.render(
        locale, "question.html", view=view, notice=step.notice, scale=scale, recheck=True
    )
    position = view.number - 1
    rows = [
        [
            _button(
                option.label.get(locale),
                callbacks.RecheckAnswer(step.recheck_id, position, option.value),
            )
        ]
        for option in scale.options
    ]
    dont_know = callbacks.RecheckAnswer(step.recheck_id, position, None)
    rows.append([_button(scale.dont_know.get(locale), dont_know)])
    return Reply(text, InlineKeyboardMarkup(rows))


def _band(kb: KnowledgeBase, key: str | None) -> Text | None:
    return kb.band(key).title if key is not None else None


def _stage(kb: KnowledgeBase, key: str | None) -> Text | None:
    return next((stage.title for stage in kb.stages if stage.key == key), None)
