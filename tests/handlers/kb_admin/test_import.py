"""Importing a knowledge base on Telegram: refusals, every problem, Confirm, and live reload."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from bot.emulator import BotApiEmulator, EmulatedUser
from bot.settings import Settings
from handlers.kb_admin.service import KnowledgeAdmin, StaleRevisionError, UnknownRevisionError
from handlers.kb_admin.upload import PROBLEMS_SHOWN, Decision, UploadRefusal
from handlers.replies import MESSAGE_LIMIT
from knowledge import (
    KBValidationError,
    KnowledgeBase,
    QuestionSet,
    to_document,
    validate_document,
)
from storage.models import Assessment, KbRevision, KbUpload, Respondent, get_datetime_utc
from tests.auxil.admin import (
    ADMIN_ID,
    CIVIL_SERVANT_ID,
    REVISED_ADVICE,
    active_revision,
    admin_settings,
    audit_log,
    count_rows,
    edited_document,
    revise_first_advice,
    revised_advice_keys,
    texts_since,
    unchanged_state,
    yaml_bytes,
)
from tests.auxil.flows import answer_questions, fill_profile, question_set_button
from tests.auxil.harness import RunningBot, start_bot


@pytest.fixture
def settings(emulator: BotApiEmulator, emulator_url: str, database_url: str) -> Settings:
    """Settings with one administrator, ADMIN_ID."""
    return admin_settings(emulator, emulator_url, database_url)


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings) -> AsyncIterator[RunningBot]:
    """The real bot with one administrator."""
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()


async def _import(
    admin: EmulatedUser, data: bytes, filename: str = "kb.yaml", caption: str = "/kb_import"
) -> str:
    """Send a file with /kb_import; every reply to it, as one text."""
    before = len(admin.bot_messages)
    await admin.send_document(data, filename=filename, caption=caption)
    return texts_since(admin.bot_messages, before)


def _unknown_reference(doc: dict[str, Any]) -> None:
    doc["factors"][0]["subfactors"][0]["evidence"][0]["ref"] = "nosuchstudy2020"


def _missing_persian(doc: dict[str, Any]) -> None:
    del doc["factors"][1]["subfactors"][2]["title"]["fa"]


BROKEN_YAML = b"factors:\n  - key: managerial\n    title: {fa: [unclosed\n"
INVALID = [
    ("broken_yaml", BROKEN_YAML, "refused: it is not a YAML or JSON document", None),
    ("not_a_mapping", b"- just\n- a list\n", "not a YAML or JSON document", None),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "refused: it is not UTF-8", None),
    ("nul_bytes", b"scale:\x00\x00\x00", "refused: it is not UTF-8", None),
    ("over_1_mb", b"#" * 1_000_001, "refused: it is larger than 1 MB", None),
    (
        "unknown_reference",
        _unknown_reference,
        "unknown reference key 'nosuchstudy2020'",
        "factors[0].subfactors[0].evidence[0].ref",
    ),
    (
        "missing_persian",
        _missing_persian,
        "required, but missing",
        "factors[1].subfactors[2].title.fa",
    ),
]


@pytest.mark.parametrize(
    ("case", "content", "message", "path"), INVALID, ids=[c[0] for c in INVALID]
)
async def test_an_invalid_upload_gives_the_right_error_and_changes_nothing(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    case: str,
    content: Any,
    message: str,
    path: str | None,
) -> None:
    if not isinstance(content, bytes):
        content = yaml_bytes(edited_document(shipped_kb, content))
    admin = emulator.user(ADMIN_ID, language_code="en")
    before = await unchanged_state(bot)
    reply = await _import(admin, content)
    assert message in reply
    if path is not None:
        assert f"{path}: " in reply
        assert "is not valid: 1 problem(s). Nothing was changed." in reply
    else:
        assert "Nothing was changed." in reply
    assert not any(m.inline_keyboard for m in admin.bot_messages)
    assert await unchanged_state(bot) == before == (1, 1, 0, 0)
    assert (await bot.runtime.services.knowledge.active())[0] == 1
    entry = (await audit_log(bot))[-1]
    assert (entry.action, entry.detail["result"]) == ("kb.upload", "invalid")


async def test_a_persian_administrator_reads_the_problems_in_persian(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    def break_two_rules(document: dict[str, Any]) -> None:
        _missing_persian(document)
        document["thresholds"]["driver"] = 101

    content = yaml_bytes(edited_document(shipped_kb, break_two_rules))
    admin = emulator.user(ADMIN_ID, language_code="fa")

    reply = await _import(admin, content)

    assert "thresholds.driver: باید حداکثر ۱۰۰ باشد" in reply
    assert "factors[1].subfactors[2].title.fa: لازم است، ولی نیامده است" in reply
    assert "Field required" not in reply and "less than" not in reply
    assert await unchanged_state(bot) == (1, 1, 0, 0)


async def test_an_oversized_file_is_refused_without_being_downloaded(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    admin = emulator.user(ADMIN_ID, language_code="fa")
    reply = await _import(admin, b"a: 1\n" * 250_000)
    assert "بیش از ۱ مگابایت" in reply
    assert not emulator.calls_to("getFile")
    assert (await audit_log(bot))[-1].detail["refusal"] == "too_large"


async def test_the_first_problems_are_listed_with_their_paths_and_the_rest_counted(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    def strip_persian(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("fa", None)
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, dict | list):
                strip_persian(child)

    document = edited_document(shipped_kb, strip_persian)
    admin = emulator.user(ADMIN_ID, language_code="en")
    before = len(admin.bot_messages)
    await admin.send_document(yaml_bytes(document), filename="kb.yaml", caption="/kb_import")
    replies = admin.bot_messages[before:]
    # The review's file with 1,447 problems got 1,447 messages; a list this long is one.
    assert len(replies) == 1 and len(replies[0].text or "") <= MESSAGE_LIMIT
    text = texts_since(admin.bot_messages, before)
    problems = validate_document(document)
    assert len(problems) > 100
    assert f"is not valid: {len(problems)} problem(s)" in text
    assert all(f"{p.path}: {p.describe('en')}" in text for p in problems[:PROBLEMS_SHOWN])
    assert f"{problems[PROBLEMS_SHOWN].path}: " not in text
    assert f"… and {len(problems) - PROBLEMS_SHOWN} more." in text
    assert await unchanged_state(bot) == (1, 1, 0, 0)


async def test_an_exported_kb_imported_back_has_no_changes(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    admin = emulator.user(ADMIN_ID, language_code="en")
    await admin.send("/kb_export")
    exported = admin.last_bot_message.document
    assert exported is not None
    reply = await _import(admin, exported.data, filename=exported.filename)
    assert "is the same as the active knowledge base (revision 1): no changes" in reply
    assert not admin.last_bot_message.inline_keyboard
    assert await unchanged_state(bot) == (1, 1, 0, 0)
    assert (await audit_log(bot))[-1].detail["result"] == "unchanged"


async def test_a_json_file_sent_in_reply_is_summarised_and_can_be_cancelled(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    document = edited_document(shipped_kb, revise_first_advice)
    document["references"].append({"key": "new2026", "authors": ["B. Author"], "title": "T"})
    admin = emulator.user(ADMIN_ID, language_code="en")
    await admin.send_document(json.dumps(document).encode(), filename="kb.json")
    sent = [m for m in admin.messages if not m.from_bot][-1]
    await admin.send("/kb_import", reply_to=sent)
    summary = admin.last_bot_message.text or ""
    assert "compared with the active revision 1" in summary
    keys = revised_advice_keys(shipped_kb)
    assert f"Advice\n~ changed ({len(keys)}): {', '.join(keys)}" in summary
    assert "References\n+ added (1): new2026" in summary
    assert await count_rows(bot, KbUpload) == 1
    summary_message = admin.last_bot_message
    confirm = summary_message.buttons[0][0][1]
    assert confirm is not None

    await admin.press("✖ Cancel")
    assert admin.last_bot_message.text == "Cancelled. Nothing was changed."
    assert not any(m.inline_keyboard for m in admin.bot_messages)
    await admin.press_data(confirm, message_id=summary_message.message_id)  # a late press
    assert admin.last_bot_message.text == "This upload was already confirmed or cancelled."
    assert await active_revision(bot) == 1


async def _start_core(user: EmulatedUser, kb: KnowledgeBase) -> None:
    await user.send("/start")
    await fill_profile(user, kb, "en")
    await user.press(question_set_button(user, QuestionSet.CORE))


async def _assessment_revision(bot: RunningBot, telegram_id: int) -> int:
    async with bot.runtime.session_factory() as session:
        statement = (
            select(col(Assessment.kb_revision))
            .join(Respondent, col(Respondent.id) == col(Assessment.respondent_id))
            .where(col(Respondent.telegram_id) == telegram_id)
        )
        revision = await session.scalar(statement)
    assert revision is not None
    return int(revision)


async def test_confirmed_import_reaches_another_process_within_seconds_running_ones_keep_theirs(
    emulator: BotApiEmulator, settings: Settings, shipped_kb: KnowledgeBase
) -> None:
    # Two "processes" on one database, like two replicas: A and B share nothing else.
    a = await start_bot(emulator, settings)
    deliver_a = emulator.deliver
    b = await start_bot(emulator, settings)
    deliver_b = emulator.deliver
    try:
        running = emulator.user(CIVIL_SERVANT_ID, language_code="en")
        await _start_core(running, shipped_kb)  # on B, under revision 1
        assert (await b.runtime.services.knowledge.active())[0] == 1

        emulator.deliver = deliver_a
        admin = emulator.user(ADMIN_ID, language_code="en")
        data = yaml_bytes(edited_document(shipped_kb, revise_first_advice))
        await _import(admin, data, caption="/kb_import revised transparency advice")
        await admin.press("✅ Confirm")
        assert "revision 2 is now active" in (admin.last_bot_message.text or "")

        # B re-reads the active revision every kb_refresh_seconds: no restart, no message.
        async with asyncio.timeout(settings.kb_refresh_seconds * 5):
            # Polling on purpose: B has no signal to wait on, only its own refresh.
            while (await b.runtime.services.knowledge.active())[0] != 2:  # noqa: ASYNC110
                await asyncio.sleep(0.05)

        emulator.deliver = deliver_b
        newcomer = emulator.user(CIVIL_SERVANT_ID + 1, language_code="en")
        await _start_core(newcomer, shipped_kb)
        await answer_questions(newcomer, shipped_kb, "en", [0] * 16)
        await answer_questions(running, shipped_kb, "en", [0] * 16)

        assert await _assessment_revision(b, running.id) == 1
        assert await _assessment_revision(b, newcomer.id) == 2
        assert REVISED_ADVICE in texts_since(newcomer.bot_messages, 0)
        assert REVISED_ADVICE not in texts_since(running.bot_messages, 0)
        revision = await _revision(b, 2)
        assert revision.note == "revised transparency advice"
        assert revision.content == to_document(await b.runtime.services.knowledge.revision(2))
    finally:
        emulator.deliver = None
        await a.stop()
        await b.stop()


async def _revision(bot: RunningBot, number: int) -> KbRevision:
    async with bot.runtime.session_factory() as session:
        row = await session.get(KbRevision, number)
    assert row is not None
    return row


async def test_a_pending_upload_survives_a_restart_and_is_confirmed_by_the_new_process(
    emulator: BotApiEmulator, settings: Settings, shipped_kb: KnowledgeBase
) -> None:
    first = await start_bot(emulator, settings)
    admin = emulator.user(ADMIN_ID, language_code="fa")
    await _import(admin, yaml_bytes(edited_document(shipped_kb, revise_first_advice)))
    await first.stop()  # the process exits while the summary waits for Confirm

    second = await start_bot(emulator, settings)
    try:
        await admin.press("✅ تأیید")
        assert "نسخه ۲ اکنون فعال است" in (admin.last_bot_message.text or "")
        assert await active_revision(second) == 2
        async with second.runtime.session_factory() as session:
            upload = await session.scalar(select(KbUpload))
        assert upload is not None and (upload.status, upload.revision) == ("activated", 2)
        actions = [e.action for e in await audit_log(second)]
        assert actions == ["kb.upload", "kb.activate"]
    finally:
        await second.stop()


async def test_confirm_is_refused_when_the_kb_changed_since_the_check(
    emulator: BotApiEmulator, bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    admin = emulator.user(ADMIN_ID, language_code="en")

    def other_change(doc: dict[str, Any]) -> None:
        doc["thresholds"]["driver"] = 55

    await _import(admin, yaml_bytes(edited_document(shipped_kb, revise_first_advice)))
    first = admin.last_bot_message
    await _import(admin, yaml_bytes(edited_document(shipped_kb, other_change)))
    assert "Also changed: driver threshold" in (admin.last_bot_message.text or "")
    await admin.press("✅ Confirm")  # the newest summary: revision 2
    await admin.press_data(first.buttons[0][0][1] or "", message_id=first.message_id)
    assert "changed since this file was checked" in (admin.last_bot_message.text or "")
    assert await active_revision(bot) == 2
    assert (await _revision(bot, 2)).content["thresholds"]["driver"] == 55


async def test_use_cases_refuse_big_files_and_expire_old_uploads(
    bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    services = bot.runtime.services
    later = KnowledgeAdmin(
        bot.runtime.session_factory,
        services.knowledge,
        clock=lambda: get_datetime_utc() + timedelta(days=2),
    )
    big = await services.kb_admin.check_upload(b" " * 1_000_001, "kb.yaml", author="web:admin")
    assert big.refusal is UploadRefusal.TOO_LARGE and big.upload_id is None
    data = yaml_bytes(edited_document(shipped_kb, revise_first_advice))
    check = await services.kb_admin.check_upload(data, "kb.yaml", author="web:admin")
    assert check.upload_id is not None and check.valid
    assert (await later.confirm_upload(check.upload_id, author="web:admin")).decision is (
        Decision.EXPIRED
    )
    missing = await services.kb_admin.confirm_upload(check.upload_id + 1, author="web:admin")
    assert missing.decision is Decision.NOT_FOUND
    assert await active_revision(bot) == 1


async def test_the_use_cases_the_web_panel_builds_on(
    bot: RunningBot, shipped_kb: KnowledgeBase
) -> None:
    kb_admin, audit = bot.runtime.services.kb_admin, bot.runtime.services.audit
    broken = edited_document(shipped_kb, _unknown_reference)
    with pytest.raises(KBValidationError) as invalid:
        await kb_admin.activate(broken, author="web:admin", note="typo")
    assert [p.path for p in invalid.value.problems] == ["factors[0].subfactors[0].evidence[0].ref"]

    edited = edited_document(shipped_kb, revise_first_advice)
    assert await kb_admin.activate(edited, author="web:admin", expected_revision=1) == 2
    with pytest.raises(StaleRevisionError):  # another administrator's edit came first
        await kb_admin.activate(edited, author="web:other", expected_revision=1)

    diff, lines = await kb_admin.compare(1, 2)
    assert diff.advice.changed == revised_advice_keys(shipped_kb) and diff.references.is_empty
    assert lines[:2] == ["--- revision 1", "+++ revision 2"]
    assert any(line.startswith("+") and REVISED_ADVICE in line for line in lines)
    assert (await kb_admin.revision_document(2)) == edited
    with pytest.raises(UnknownRevisionError):
        await kb_admin.revision_document(9)

    history = await kb_admin.history()
    assert [(r.number, r.active, r.author) for r in history] == [
        (2, True, "web:admin"),
        (1, False, "shipped"),
    ]
    summary = await kb_admin.active_summary()
    assert (summary.revision.number, summary.counts["subfactors"]) == (2, 16)
    entries = await audit.entries()
    assert [(e.action, e.actor, e.detail) for e in entries] == [
        ("kb.activate", "web:admin", {"base": 1, "revision": 2})
    ]
