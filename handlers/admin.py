"""Telegram commands for administrators: the knowledge base, its revisions, organisations.

Admins are the Telegram ids in the settings; everyone else is refused, and the attempt is
written to the audit log. The use cases (KnowledgeAdmin, OrganisationAdmin) are shared with
the web panel; these handlers only parse, call, render and send.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from handlers import callbacks
from handlers.context import BotContext
from handlers.i18n import Renderer
from handlers.kb_admin import RevisionAlreadyActiveError, UnknownRevisionError
from handlers.kb_upload import UploadCheck, UploadRefusal
from handlers.org_admin import deep_link, qr_png
from handlers.replies import Reply, split_message
from knowledge import MAX_DOCUMENT_BYTES, KBValidationError, Locale, normalise_digits
from knowledge.interview import ORGANISATION_MAX_LENGTH
from storage.audit import actor_for_telegram

__all__ = [
    "IMPORT_CAPTION",
    "Admin",
    "kb_export",
    "kb_history",
    "kb_import",
    "kb_rollback",
    "kb_status",
    "org_add",
    "organisations",
    "render_upload_check",
    "upload_answered",
]

#: A document whose caption starts with /kb_import (optionally /kb_import@bot) is an import.
IMPORT_CAPTION = re.compile(r"^/kb_import(@\w+)?(\s|$)")
HISTORY_LIMIT = 15


@dataclass(frozen=True)
class Admin:
    """The administrator behind an update: an audit actor (no raw id) and their locale."""

    actor: str
    locale: Locale


AdminHandler = Callable[[Update, BotContext, Admin], Coroutine[Any, Any, None]]
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def admin_only(attempted: str) -> Callable[[AdminHandler], Handler]:
    """Run the handler for admins; refuse (localised) and audit everyone else."""

    def decorate(handler: AdminHandler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext) -> None:
            user = update.effective_user
            assert user is not None
            locale = await context.checklist.locale(
                telegram_id=user.id, language_code=user.language_code
            )
            actor = actor_for_telegram(user.id)
            if user.id in context.services.admin_ids:
                await handler(update, context, Admin(actor, locale))
                return
            await context.services.audit.record(
                actor=actor, action="admin.denied", detail={"attempted": attempted}
            )
            renderer = context.renderer
            if update.callback_query is not None:
                text = renderer.text(locale, "admin_only_button")
                await update.callback_query.answer(text, show_alert=True)
            else:
                await _message(update).reply_html(renderer.markup(locale, "admin_only"))

        return guarded

    return decorate


def _message(update: Update) -> Message:
    message = update.effective_message
    assert message is not None
    return message


def _argument(text: str | None) -> str:
    """What follows the command in `text` ("/org_add Tehran Water" -> "Tehran Water")."""
    parts = (text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def _send(message: Message, replies: list[Reply]) -> None:
    for reply in replies:
        await message.chat.send_message(reply.text, reply_markup=reply.keyboard)


def _parts(text: str) -> list[Reply]:
    return [Reply(part) for part in split_message(text)]


@admin_only("kb")
async def kb_status(update: Update, context: BotContext, admin: Admin) -> None:
    """Show the active revision: number, author, date and counts."""
    summary = await context.services.kb_admin.active_summary()
    await context.services.audit.record(actor=admin.actor, action="kb.view")
    text = context.renderer.render(admin.locale, "admin_kb.html", summary=summary)
    await _send(_message(update), _parts(text))


@admin_only("kb_export")
async def kb_export(update: Update, context: BotContext, admin: Admin) -> None:
    """Send the active knowledge base as a YAML document."""
    revision, text = await context.services.kb_admin.export_active(author=admin.actor)
    await _message(update).reply_document(
        document=text.encode(),
        filename=f"pishran-kb-revision-{revision}.yaml",
        caption=context.renderer.markup(admin.locale, "admin_export_caption", revision=revision),
    )


@admin_only("kb_import")
async def kb_import(update: Update, context: BotContext, admin: Admin) -> None:
    """Check a YAML/JSON file sent with /kb_import (caption or reply): problems or a summary."""
    message = _message(update)
    replied = message.reply_to_message
    document = message.document or (replied.document if replied is not None else None)
    if document is None:
        await message.reply_html(context.renderer.markup(admin.locale, "admin_import_usage"))
        return
    kb_admin = context.services.kb_admin
    filename = document.file_name or "kb.yaml"
    note = _argument(message.caption if message.document else message.text) or filename
    if document.file_size is not None and document.file_size > MAX_DOCUMENT_BYTES:
        # Not even downloaded: Telegram told us the size.
        check = await kb_admin.refuse_upload(filename, UploadRefusal.TOO_LARGE, author=admin.actor)
    else:
        raw = bytes(await (await document.get_file()).download_as_bytearray())
        check = await kb_admin.check_upload(raw, filename, author=admin.actor, note=note)
    await _send(message, render_upload_check(context.renderer, admin.locale, check))


def render_upload_check(renderer: Renderer, locale: Locale, check: UploadCheck) -> list[Reply]:
    """The refusal, every problem with its path, or the change summary with Confirm/Cancel."""
    if check.refusal is not None:
        return _parts(renderer.render(locale, "admin_upload_refused.html", check=check))
    if check.problems:
        return _parts(renderer.render(locale, "admin_upload_problems.html", check=check))
    replies = _parts(renderer.render(locale, "admin_upload_diff.html", check=check))
    if check.upload_id is None:
        return replies
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    renderer.text(locale, key),
                    callback_data=callbacks.encode(callbacks.ConfirmUpload(check.upload_id, yes)),
                )
                for key, yes in (("admin_button_confirm", True), ("admin_button_cancel", False))
            ]
        ]
    )
    return [*replies[:-1], Reply(replies[-1].text, keyboard)]


@admin_only("kb_confirm")
async def upload_answered(update: Update, context: BotContext, admin: Admin) -> None:
    """Confirm (activate) or cancel a pending upload; the buttons go away either way."""
    query = update.callback_query
    assert query is not None
    pressed = callbacks.decode(query.data)
    if not isinstance(pressed, callbacks.ConfirmUpload):
        await query.answer(context.renderer.text(admin.locale, "invalid_button"), show_alert=True)
        return
    kb_admin = context.services.kb_admin
    decide = kb_admin.confirm_upload if pressed.confirmed else kb_admin.cancel_upload
    outcome = await decide(pressed.upload_id, author=admin.actor)
    await query.answer()
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as exc:  # a late press on a summary whose buttons are already gone
        if "not modified" not in str(exc).lower():
            raise
    text = context.renderer.markup(
        admin.locale, "admin_decision", outcome.decision, revision=outcome.revision or 0
    )
    await _message(update).chat.send_message(text)


@admin_only("kb_history")
async def kb_history(update: Update, context: BotContext, admin: Admin) -> None:
    """List the newest revisions: number, date, author, note; the active one is marked."""
    revisions = await context.services.kb_admin.history(limit=HISTORY_LIMIT)
    await context.services.audit.record(actor=admin.actor, action="kb.history")
    text = context.renderer.render(admin.locale, "admin_history.html", revisions=revisions)
    await _send(_message(update), _parts(text))


@admin_only("kb_rollback")
async def kb_rollback(update: Update, context: BotContext, admin: Admin) -> None:
    """Bring back revision N's content as a new revision (history stays append-only)."""
    message, renderer, locale = _message(update), context.renderer, admin.locale
    argument = normalise_digits(_argument(message.text))
    if not argument.isascii() or not argument.isdigit():
        await message.reply_html(renderer.markup(locale, "admin_rollback_usage"))
        return
    revision = int(argument)
    # Stored notes keep ASCII digits, like all stored data.
    note = renderer.entry(locale, "admin_rollback_note").format(revision=revision)
    try:
        new = await context.services.kb_admin.rollback(revision, author=admin.actor, note=note)
    except UnknownRevisionError:
        key = "admin_rollback_unknown"
    except RevisionAlreadyActiveError:
        key = "admin_rollback_active"
    except KBValidationError:
        key = "admin_rollback_invalid"
    else:
        await message.reply_html(
            renderer.markup(locale, "admin_rollback_done", revision=revision, new=new)
        )
        return
    await message.reply_html(renderer.markup(locale, key, revision=revision))


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
    await _send(_message(update), _parts(text))
