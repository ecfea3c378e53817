"""The checklist's use case walked in-process, without Telegram: the bot's runtime on a fresh
SQLite file, one person's profile, and the core checklist answered."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.application import Runtime, start_runtime
from bot.settings import load_settings
from handlers.checklist.service import Step
from knowledge import AnswerQuestion, AskQuestion, ChooseQuestionSet, QuestionSet, SetProfile

__all__ = ["answer_core", "at_first_question", "sqlite_runtime"]


@asynccontextmanager
async def sqlite_runtime(database: Path, **environ: str) -> AsyncIterator[Runtime]:
    """The bot's services (no Telegram) on a new SQLite file at `database`, with any other
    settings in `environ` (`STATS_K="3"`)."""
    url = f"sqlite+aiosqlite:///{database}"
    runtime = await start_runtime(load_settings({**environ, "DATABASE_URL": url}, env_file=None))
    try:
        yield runtime
    finally:
        await runtime.close()


async def at_first_question(runtime: Runtime, telegram_id: int) -> AskQuestion:
    """Start an assessment in English, fill the profile, choose the core checklist."""
    checklist = runtime.services.checklist
    step = await checklist.start(telegram_id=telegram_id, language_code="en")
    profile = step.kb.profile
    for field, value in (
        ("sector", profile.sectors[0].key),
        ("region", profile.regions[0].key),
        ("organisation", "Test agency"),
        ("role", profile.roles[0].key),
    ):
        await checklist.handle(
            telegram_id=telegram_id, language_code="en", event=SetProfile(field, value)
        )
    step = await checklist.handle(
        telegram_id=telegram_id, language_code="en", event=ChooseQuestionSet(QuestionSet.CORE)
    )
    assert isinstance(step.view, AskQuestion)
    return step.view


async def answer_core(
    runtime: Runtime, telegram_id: int, value: Callable[[int], int | None]
) -> Step:
    """From the first question, answer every core question (the n-th with `value(n)`); the
    completing step, with its results."""
    checklist = runtime.services.checklist
    await at_first_question(runtime, telegram_id)
    kb = (await checklist.current(telegram_id=telegram_id, language_code="en")).kb
    for number, asked in enumerate(kb.questions(QuestionSet.CORE)):
        step = await checklist.handle(
            telegram_id=telegram_id,
            language_code="en",
            event=AnswerQuestion(asked.id, value(number)),
        )
    assert step.results is not None
    return step
