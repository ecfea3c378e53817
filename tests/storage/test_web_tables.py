"""Panel sessions and the webhook's handled update ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.admin_sessions import (
    AdminSession,
    add_admin_session,
    delete_admin_session,
    delete_expired_admin_sessions,
    token_digest,
    valid_admin_session,
)
from storage.handled_updates import claim_update, prune_handled_updates

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


async def test_a_session_is_valid_until_it_expires_or_is_deleted(session: AsyncSession) -> None:
    await add_admin_session(session=session, token="token-a", expires_at=NOW + timedelta(hours=8))
    await add_admin_session(session=session, token="token-b", expires_at=NOW + timedelta(hours=1))

    assert await valid_admin_session(session=session, token="token-a", now=NOW)
    assert not await valid_admin_session(session=session, token="forged", now=NOW)
    later = NOW + timedelta(hours=2)
    assert not await valid_admin_session(session=session, token="token-b", now=later)
    assert await delete_expired_admin_sessions(session=session, now=later) == 1
    assert await delete_admin_session(session=session, token="token-a")
    assert not await delete_admin_session(session=session, token="token-a")
    assert not await valid_admin_session(session=session, token="token-a", now=NOW)


async def test_the_table_keeps_a_digest_never_the_token(session: AsyncSession) -> None:
    await add_admin_session(session=session, token="secret-token", expires_at=NOW)
    row = await session.get(AdminSession, token_digest("secret-token"))
    assert row is not None and "secret-token" not in row.digest and len(row.digest) == 64


async def test_an_update_id_is_claimed_once_until_pruned(session: AsyncSession) -> None:
    assert await claim_update(session=session, update_id=7, now=NOW)
    assert not await claim_update(session=session, update_id=7, now=NOW + timedelta(hours=1))
    assert await claim_update(session=session, update_id=2**62, now=NOW + timedelta(days=2))

    assert await prune_handled_updates(session=session, before=NOW + timedelta(days=1)) == 1
    assert await claim_update(session=session, update_id=7, now=NOW + timedelta(days=3))
    assert not await claim_update(session=session, update_id=2**62, now=NOW + timedelta(days=3))
