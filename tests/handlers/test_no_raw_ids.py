"""No raw Telegram id in a log line or an administrator's message, and /forget reaches the
audit log: the reminder paths, a database failure, and a non-administrator's refused commands."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.emulator import BotApiEmulator
from bot.logs import QUIET_LOGGERS
from bot.settings import Settings
from handlers.i18n import Renderer
from handlers.reminders.telegram import ReminderRun, send_due_reminders
from knowledge import KnowledgeBase
from storage.audit import FORGOTTEN_ACTOR
from storage.pseudonyms import hash_user_id, user_hash_key
from tests.auxil.admin import ADMIN_ID, admin_settings, audit_log
from tests.auxil.flows import fill_profile
from tests.auxil.harness import RunningBot, start_bot

# Ids long enough that no timestamp, count or port in a log line contains them by chance.
USER_ID = 8_123_456_789
OTHER_ID = 8_987_654_321


@pytest.fixture
def settings(emulator: BotApiEmulator, emulator_url: str, database_url: str) -> Settings:
    """One administrator, ADMIN_ID, who is told about errors."""
    return admin_settings(emulator, emulator_url, database_url)


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings) -> AsyncIterator[RunningBot]:
    """The real bot with one administrator."""
    running = await start_bot(emulator, settings)
    yield running
    await running.stop()


_FORMAT = logging.Formatter("%(name)s %(message)s")


def log_as_in_production(caplog: pytest.LogCaptureFixture) -> None:
    """Capture what `configure_logging("INFO")` lets through (libraries' DEBUG lines carry
    whole requests; production never shows them)."""
    for name, floor in QUIET_LOGGERS.items():
        caplog.set_level(floor, logger=name)
    caplog.set_level(logging.INFO)  # last: it also sets what the capturing handler takes


def bot_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the bot logged (messages and tracebacks), without the emulator's own lines."""
    return "\n".join(
        _FORMAT.format(record)
        for record in caplog.records
        if not record.name.startswith("bot.emulator")
    )


async def run_reminders(bot: RunningBot) -> ReminderRun:
    services = bot.runtime.services
    assert services.reminders is not None
    return await send_due_reminders(
        bot=bot.application.bot,
        reminders=services.reminders,
        renderer=services.renderer,
        now=datetime.now(UTC) + timedelta(hours=25),
    )


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        ({"status": 403, "description": "Forbidden: bot was blocked by the user"}, "blocked"),
        ({"status": 400, "description": "Bad Request: chat not found"}, "failed"),
        ({"status": 502, "times": None}, "released"),
    ],
    ids=["blocked", "failed", "deferred"],
)
async def test_the_reminder_job_logs_a_keyed_hash_not_the_telegram_id(
    emulator: BotApiEmulator,
    bot: RunningBot,
    shipped_kb: KnowledgeBase,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, object],
    outcome: str,
) -> None:
    user = emulator.user(USER_ID, language_code="en")
    await user.send("/start")
    await fill_profile(user, shipped_kb, "en")
    emulator.inject_fault(method="sendMessage", **fault)  # type: ignore[arg-type]
    log_as_in_production(caplog)

    run = await run_reminders(bot)

    assert getattr(run, outcome) == 1
    logged = bot_log(caplog)
    assert str(USER_ID) not in logged
    pseudonym = hash_user_id(USER_ID, key=user_hash_key(emulator.token))
    assert f"user {pseudonym}" in logged  # the same name the update log lines use


async def test_a_database_failure_shows_no_bound_parameter_in_logs_or_to_admins(
    emulator: BotApiEmulator, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    admin = emulator.user(ADMIN_ID, language_code="en")
    await admin.send("/help")  # the admin has a chat with the bot, for the error notice
    async with bot.runtime.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE respondent RENAME TO respondent_gone"))
    log_as_in_production(caplog)
    user = emulator.user(USER_ID, language_code="en")

    await user.send("/start")  # looks the person up by Telegram id: the query fails

    notices = [m.text or "" for m in admin.bot_messages if "Pishran error" in (m.text or "")]
    assert notices and "respondent" in notices[-1]  # the failure is reported...
    assert "SQL parameters hidden" in notices[-1]
    assert all(str(USER_ID) not in notice for notice in notices)  # ...without the id
    logged = bot_log(caplog)
    assert "OperationalError" in logged or "ProgrammingError" in logged
    assert str(USER_ID) not in logged


async def test_forget_leaves_a_non_administrators_refused_attempts_counted_but_nameless(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    renderer = Renderer()
    person, other = emulator.user(USER_ID), emulator.user(OTHER_ID)
    for user, command in ((person, "/kb"), (person, "/kb_history"), (other, "/kb")):
        await user.send(command)
    actor = bot.runtime.services.audit.actor_for(USER_ID)
    before = [(row.action, row.detail) for row in await audit_log(bot)]
    assert [row.actor for row in await audit_log(bot)].count(actor) == 2

    await person.send("/forget")
    await person.press(renderer.text("fa", "button_yes_forget"))

    rows = await audit_log(bot)
    assert [(row.action, row.detail) for row in rows] == before  # every row and count kept
    assert actor not in [row.actor for row in rows]
    assert [row.actor for row in rows].count(FORGOTTEN_ACTOR) == 2
    assert bot.runtime.services.audit.actor_for(OTHER_ID) in [row.actor for row in rows]


async def test_an_administrators_actions_name_them_by_a_keyed_hash(
    emulator: BotApiEmulator, bot: RunningBot
) -> None:
    admin = emulator.user(ADMIN_ID, language_code="en")
    await admin.send("/kb")
    (row,) = [row for row in await audit_log(bot) if row.action == "kb.view"]
    assert str(ADMIN_ID) not in row.actor
    assert row.actor == bot.runtime.services.audit.actor_for(ADMIN_ID)
    # Not the old unkeyed digest, which anyone could compute by trying every id.
    unkeyed = hashlib.sha256(b"pishran:telegram:" + str(ADMIN_ID).encode()).hexdigest()
    assert unkeyed[:12] not in row.actor
