"""Telegram commands for administrators: add organisations and list them."""

from __future__ import annotations

from telegram import Message, Update

from handlers.admin_access import Admin, admin_only
from handlers.context import BotContext
from handlers.organisations.service import deep_link, qr_png
from handlers.replies import split_message
from knowledge.interview_state import ORGANISATION_MAX_LENGTH

__all__ = ["org_add", "organisations"]


def _message(update: Update) -> Message:
    message = update.effective_message
    assert message is not None
    return message


def _argument(text: str | None) -> str:
    """What follows the command in `text` ("/org_add Tehran Water" -> "Tehran Water")."""
    parts = (text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


@admin_only("org_add")
async def org_add(update: Update, context: BotContext, admin: Admin) -> None:
    """Add an organisation; reply with its deep link and a printable QR code of the link."""
    message, renderer, locale = _message(update), context.renderer, admin.locale
    added = await context.services.organisations.add(_argument(message.text), author=admin.actor)
    if added.organisation is None:
        assert added.refusal is not None
        text = renderer.markup(
            locale, "admin_org_refusal", added.refusal, max=ORGANISATION_MAX_LENGTH
        )
        await message.reply_html(text)
        return
    organisation = added.organisation
    link = deep_link(context.bot.username, organisation.code)
    await message.reply_html(
        renderer.render(locale, "admin_org_added.html", added=added, link=link)
    )
    await message.reply_document(
        document=qr_png(link),
        filename=f"pishran-organisation-{organisation.code}.png",
        caption=renderer.markup(locale, "admin_org_qr_caption", name=organisation.name),
    )


@admin_only("orgs")
async def organisations(update: Update, context: BotContext, admin: Admin) -> None:
    """List the organisations with their codes and respondent counts."""
    found = await context.services.organisations.organisations()
    await context.services.audit.record(actor=admin.actor, action="org.list")
    k = context.services.organisations.k
    text = context.renderer.render(admin.locale, "admin_orgs.html", organisations=found, k=k)
    for part in split_message(text):
        await _message(update).chat.send_message(part)
