"""The webhook's ledger of Telegram update ids: each update is handled once, across replicas.

Telegram delivers an update again when it got no 200 in time, possibly to another replica;
a replayed request does the same. The first replica to record an update id handles it; the
others see the row and drop the update. Rows older than Telegram's redelivery window are
pruned.
"""

# No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.

from datetime import datetime

from sqlalchemy import BigInteger, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from storage.db import count_affected_rows, dialect_insert
from storage.models import UtcDateTime, get_datetime_utc

__all__ = ["HandledUpdate", "claim_update", "prune_handled_updates"]


class HandledUpdate(SQLModel, table=True):
    """An update id some replica took on, and when."""

    __tablename__ = "handled_update"

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    received_at: datetime = Field(default_factory=get_datetime_utc, sa_type=UtcDateTime, index=True)


async def claim_update(*, session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Record `update_id`; True if this call recorded it, False if it was already there."""
    insert = dialect_insert(session, HandledUpdate).values(update_id=update_id, received_at=now)
    result = await session.execute(insert.on_conflict_do_nothing(index_elements=["update_id"]))
    return count_affected_rows(result) == 1


async def prune_handled_updates(*, session: AsyncSession, before: datetime) -> int:
    """Drop the ids recorded before `before`; how many went."""
    result = await session.execute(
        delete(HandledUpdate).where(col(HandledUpdate.received_at) < before)
    )
    return count_affected_rows(result)
