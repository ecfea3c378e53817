"""One place that registers every handler, in order, and the command menus."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import errors
from handlers.checklist import buttons as interview
from handlers.checklist import recheck_buttons as recheck
from handlers.checklist import telegram as conversation
from handlers.evidence import telegram as evidence
from handlers.i18n import LOCALES, Renderer
from handlers.kb_admin import telegram as admin
from handlers.organisations import telegram as organisations
from handlers.plan import telegram as plan
from handlers.privacy import telegram as privacy
from handlers.reminders import telegram as reminder_job
from handlers.report import telegram as report
from handlers.statistics import telegram as stats_admin

__all__ = ["COMMANDS", "register", "set_commands"]

COMMANDS = (
    "start",
    "results",
    "report",
    "plan",
    "evidence",
    "ask",
    "restart",
    "cancel",
    "language",
    "help",
    "privacy",
    "forget",
)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every handler. Order matters: the first matching handler in a group wins."""
    private = filters.ChatType.PRIVATE
    application.add_handlers(
        [
            CommandHandler("start", conversation.start, filters=private),
            CommandHandler("restart", conversation.restart, filters=private),
            CommandHandler("results", conversation.results, filters=private),
            CommandHandler("report", report.report, filters=private),
            CommandHandler("cancel", conversation.cancel, filters=private),
            CommandHandler("language", conversation.language, filters=private),
            CommandHandler("help", conversation.help_command, filters=private),
            CommandHandler("privacy", privacy.privacy, filters=private),
            CommandHandler("forget", privacy.forget, filters=private),
            CommandHandler(plan.PLAN_COMMANDS, plan.plan_command, filters=private),
            CommandHandler("evidence", evidence.evidence, filters=private),
            CommandHandler("ask", evidence.ask, filters=private),
            # Administrators (each handler refuses and audits everyone else).
            CommandHandler("kb", admin.kb_status, filters=private),
            CommandHandler("kb_export", admin.kb_export, filters=private),
            CommandHandler("kb_import", admin.kb_import, filters=private),
            MessageHandler(
                filters.Document.ALL & filters.CaptionRegex(admin.IMPORT_CAPTION) & private,
                admin.kb_import,
            ),
            CommandHandler("kb_history", admin.kb_history, filters=private),
            CommandHandler("kb_rollback", admin.kb_rollback, filters=private),
            CommandHandler("org_add", organisations.org_add, filters=private),
            CommandHandler("orgs", organisations.organisations, filters=private),
            CommandHandler("stats", stats_admin.stats, filters=private),
            CommandHandler("export", stats_admin.export, filters=private),
            CommandHandler("plan_stats", plan.plan_stats, filters=private),
            CallbackQueryHandler(conversation.language_chosen, pattern=r"^lang:"),
            CallbackQueryHandler(conversation.choice_pressed, pattern=r"^cf:"),
            CallbackQueryHandler(privacy.forget_answered, pattern=r"^forget:"),
            CallbackQueryHandler(reminder_job.continue_pressed, pattern=r"^rem:"),
            CallbackQueryHandler(report.charts_pressed, pattern=r"^ch:"),
            CallbackQueryHandler(interview.refine_pressed, pattern=r"^rf:"),
            CallbackQueryHandler(report.report_pressed, pattern=r"^rp:"),
            CallbackQueryHandler(evidence.evidence_pressed, pattern=r"^ev:"),
            CallbackQueryHandler(admin.upload_answered, pattern=r"^kbc:"),
            CallbackQueryHandler(stats_admin.export_pressed, pattern=r"^st:"),
            CallbackQueryHandler(plan.plan_pressed, pattern=r"^p[lkcb]:"),
            CallbackQueryHandler(recheck.recheck_pressed, pattern=r"^r[sa]:"),
            # Every other button, including stale and forged ones, is checked here.
            CallbackQueryHandler(interview.button_pressed),
            # Last: anything that looks like a command but matched none of the above.
            MessageHandler(filters.COMMAND & private, conversation.unknown_command),
            MessageHandler(filters.TEXT & private, interview.text_received),
            MessageHandler(private & ~filters.StatusUpdate.ALL, interview.text_received),
        ]
    )
    # Before everything else: the optional note after a blocking reason (stops further handling).
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, plan.note_received), group=-1
    )
    # After a check-in answered "done" (handled above): the sub-factor's recheck offer, once.
    # And under a bare /plan: the rechecks on offer.
    application.add_handlers(
        [
            CallbackQueryHandler(recheck.offer_after_check_in, pattern=r"^pc:[0-9]+:d$"),
            CommandHandler("plan", recheck.offers_under_plan, filters=private),
        ],
        group=1,
    )
    application.add_error_handler(errors.error_occurred)


async def set_commands(
    application: Application[Any, Any, Any, Any, Any, Any], renderer: Renderer
) -> None:
    """Publish the command menu in both languages (English is also the default)."""
    for locale in LOCALES:
        commands = [BotCommand(name, renderer.text(locale, "commands", name)) for name in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=locale)
        if locale == "en":
            await application.bot.set_my_commands(commands)
