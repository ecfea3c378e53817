"""Respondents: find or register a person by Telegram id, their language, and forgetting them."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from knowledge.model import LOCALES
from storage.db import count_affected_rows, dialect_insert
from storage.models import Respondent, get_datetime_utc
from storage.sqlite_driver import inline_on_sqlite

__all__ = [
    "forget_respondent",
    "get_or_create_respondent",
    "get_respondent",
    "mark_respondent_blocked",
    "set_respondent_language",
]


def _check_language(language: str | None) -> None:
    if language is not None and language not in LOCALES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LOCALES}")


# Often a writing transaction's first statement: a point read SQLite may run on the event
# loop's thread with the transaction's BEGIN IMMEDIATE (storage/sqlite_driver.py).
_BY_TELEGRAM_ID = inline_on_sqlite(
    select(Respondent).where(col(Respondent.telegram_id) == bindparam("telegram_id"))
)


async def get_respondent(*, session: AsyncSession, telegram_id: int) -> Respondent | None:
    """The respondent with this Telegram id, if known."""
    return await session.scalar(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})


async def get_or_create_respondent(
    *, session: AsyncSession, telegram_id: int, language: str | None = None
) -> Respondent:
    """The respondent with this Telegram id, registered on first contact with `language`.

    Hearing from someone means they no longer block the bot, so `blocked_at` is cleared.
    """
    _check_language(language)
    respondent = await get_respondent(session=session, telegram_id=telegram_id)
    if respondent is None:
        # Two replicas may see the same newcomer at once; the loser's insert does nothing.
        insert = dialect_insert(session, Respondent).values(
            telegram_id=telegram_id, language=language, created_at=get_datetime_utc()
        )
        await session.execute(insert.on_conflict_do_nothing(index_elements=["telegram_id"]))
        respondent = await get_respondent(session=session, telegram_id=telegram_id)
        assert respondent is not None
    elif respondent.blocked_at is not None:
        respondent.blocked_at = None
        await session.flush()
    return respondent


async def set_respondent_language(
    *, session: AsyncSession, respondent_id: int, language: str
) -> None:
    """Remember the respondent's chosen language ("fa" or "en")."""
    _check_language(language)
    await session.execute(
        update(Respondent).where(col(Respondent.id) == respondent_id).values(language=language)
    )


async def mark_respondent_blocked(*, session: AsyncSession, telegram_id: int) -> bool:
    """Record that Telegram refused a message (403: the person blocked the bot)."""
    result = await session.execute(
        update(Respondent)
        .where(col(Respondent.telegram_id) == telegram_id)
        .values(blocked_at=get_datetime_utc())
    )
    return count_affected_rows(result) > 0


async def forget_respondent(*, session: AsyncSession, telegram_id: int) -> bool:
    """Delete the respondent and, by cascade, their assessments, answers and results."""
    result = await session.execute(
        delete(Respondent).where(col(Respondent.telegram_id) == telegram_id)
    )
    return count_affected_rows(result) > 0
