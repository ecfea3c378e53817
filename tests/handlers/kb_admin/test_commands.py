"""Administrators on Telegram: roles and refusals, /kb, export, history, rollback."""

from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy import select
from sqlmodel import col

from bot.emulator import BotApiEmulator
from handlers import callbacks
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale, count_summary, load_kb
from storage.models import KbRevision, KbUpload
from tests.auxil.admin import (
    ADMIN_ID,
    CIVIL_SERVANT_ID,
    active_revision,
    audit_log,
    edited_document,
    revise_first_advice,
    unchanged_state,
)
from tests.auxil.harness import RunningBot

RENDERER = Renderer()


def test_upload_buttons_encode_the_upload_id_and_the_choice() -> None:
    for confirmed, data in ((True, "kbc:42:y"), (False, "kbc:42:n")):
        assert callbacks.encode(callbacks.ConfirmUpload(42, confirmed)) == data
        assert callbacks.decode(data) == callbacks.ConfirmUpload(42, confirmed)
    assert callbacks.decode("kbc:0:y") is None
    assert callbacks.decode("kbc:42:maybe") is None


async def _pending_upload(emulator: BotApiEmulator, kb: KnowledgeBase) -> int:
    """An administrator's real pending upload, to be pressed by someone else."""
    admin = emulator.user(ADMIN_ID, language_code="en")
    data = json.dumps(edited_document(kb, revise_first_advice)).encode()
    await admin.send_document(data, filename="kb.json", caption="/kb_import")
    data_of_confirm = admin.last_bot_message.buttons[0][0][1]
    assert data_of_confirm is not None
    pressed = callbacks.decode(data_of_confirm)
    assert isinstance(pressed, callbacks.ConfirmUpload)
    return pressed.upload_id


# Every admin command and button, each once, in alternating languages.
ATTEMPTS: list[tuple[str, str, Locale]] = [
    ("/kb", "kb", "fa"),
    ("/kb_export", "kb_export", "en"),
    ("/kb_import", "kb_import", "fa"),
    ("/kb_history", "kb_history", "en"),
    ("/kb_rollback 1", "kb_rollback", "fa"),
    ("/org_add Tehran Water Company", "org_add", "en"),
    ("/orgs", "orgs", "fa"),
    ("document", "kb_import", "en"),
    ("confirm button", "kb_confirm", "fa"),
    ("cancel button", "kb_confirm", "en"),
]


@pytest.mark.parametrize(
    ("attempt", "attempted", "locale"), ATTEMPTS, ids=[a for a, *_ in ATTEMPTS]
)
async def test_a_non_admin_is_refused_on_every_admin_command_and_button_and_audited(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    attempt: str,
    attempted: str,
    locale: Locale,
) -> None:
    upload_id = await _pending_upload(emulator, shipped_kb)
    before = await unchanged_state(bot)
    user = emulator.user(CIVIL_SERVANT_ID, language_code=locale)
    if attempt.endswith("button"):
        await user.send("/start")  # any message with buttons to press on
        await user.press_data(f"kbc:{upload_id}:{'y' if attempt.startswith('confirm') else 'n'}")
        answer = user.callback_answers[-1]
        assert (answer.text, answer.show_alert) == (
            RENDERER.text(locale, "admin_only_button"),
            True,
        )
    else:
        if attempt == "document":
            data = json.dumps(edited_document(shipped_kb, revise_first_advice)).encode()
            await user.send_document(data, filename="kb.json", caption="/kb_import")
        else:
            await user.send(attempt)
        assert user.last_bot_message.text == RENDERER.text(locale, "admin_only")

    assert await unchanged_state(bot) == before
    async with bot.runtime.session_factory() as session:
        upload = await session.get(KbUpload, upload_id)
        assert upload is not None and upload.status == "pending"
    denied = [entry for entry in await audit_log(bot) if entry.action == "admin.denied"]
    assert [(e.actor, e.detail) for e in denied] == [
        (bot.runtime.services.audit.actor_for(CIVIL_SERVANT_ID), {"attempted": attempted})
    ]
    everything = json.dumps([[e.actor, e.detail] for e in await audit_log(bot)])
    assert str(CIVIL_SERVANT_ID) not in everything and str(ADMIN_ID) not in everything


@pytest.mark.parametrize("locale", ["fa", "en"])
async def test_kb_shows_the_active_revision_author_date_and_counts(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    admin = emulator.user(ADMIN_ID, language_code=locale)
    await admin.send("/kb")
    text = admin.last_bot_message.text or ""
    counts = count_summary(shipped_kb)
    if locale == "en":
        assert "Active revision: 1" in text
        assert f"{counts['subfactors']} sub-factors · {counts['questions']} questions" in text
        assert "Added by \u2068shipped\u2069 on" in text
    else:
        assert "نسخه فعال: ۱" in text
        assert "۱۶ زیرعامل" in text
    assert "/kb_import" in text
    assert [e.action for e in await audit_log(bot)] == ["kb.view"]


async def test_export_sends_the_active_kb_as_a_yaml_document(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    admin = emulator.user(ADMIN_ID, language_code="en")
    await admin.send("/kb_export")
    document = admin.last_bot_message.document
    assert document is not None
    assert document.filename == "pishran-kb-revision-1.yaml"
    assert load_kb(yaml.safe_load(document.data.decode())) == shipped_kb
    assert "revision 1" in (admin.last_bot_message.caption or "")
    entries = await audit_log(bot)
    assert [(e.action, e.actor, e.detail) for e in entries] == [
        ("kb.export", bot.runtime.services.audit.actor_for(ADMIN_ID), {"revision": 1})
    ]


async def _activate_revision_two(bot: RunningBot, kb: KnowledgeBase) -> None:
    kb_admin = bot.runtime.services.kb_admin
    await kb_admin.activate(
        edited_document(kb, revise_first_advice), author="web:admin", note="new studies"
    )


async def test_history_lists_revisions_newest_first_with_the_active_one_marked(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    await _activate_revision_two(bot, shipped_kb)
    admin = emulator.user(ADMIN_ID, language_code="en")
    await admin.send("/kb_history")
    text = admin.last_bot_message.text or ""
    assert text.index("Revision 2 — active") < text.index("Revision 1")
    assert "new studies" in text and "web:admin" in text and "shipped" in text


async def test_rollback_appends_a_revision_with_the_old_content(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    await _activate_revision_two(bot, shipped_kb)
    admin = emulator.user(ADMIN_ID, language_code="en")

    await admin.send("/kb_rollback 1")
    assert "revision 1 is active again, as the new revision 3" in (
        admin.last_bot_message.text or ""
    )
    async with bot.runtime.session_factory() as session:
        rows = list(await session.scalars(select(KbRevision).order_by(col(KbRevision.id))))
    assert [r.id for r in rows] == [1, 2, 3]  # append-only: revision 2 is still there
    assert rows[2].checksum == rows[0].checksum != rows[1].checksum
    assert rows[2].note == "rollback to revision 1"
    assert (await bot.runtime.services.knowledge.revision(3)) == shipped_kb
    rollback = [e for e in await audit_log(bot) if e.action == "kb.rollback"]
    assert [e.detail for e in rollback] == [{"to": 1, "base": 2, "revision": 3}]

    for command, expected in [
        ("/kb_rollback 1", "same content as the active knowledge base"),
        ("/kb_rollback ۳", "same content as the active knowledge base"),  # Persian digits
        ("/kb_rollback 9", "There is no revision 9"),
        ("/kb_rollback", "Send /kb_rollback and a revision number"),
        ("/kb_rollback two", "Send /kb_rollback and a revision number"),
    ]:
        await admin.send(command)
        assert expected in (admin.last_bot_message.text or ""), command
    assert await active_revision(bot) == 3
