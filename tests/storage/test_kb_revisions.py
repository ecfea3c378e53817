"""Knowledge base revisions: the shipped one, edits, rollbacks and the history list."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.kb_revisions import (
    SHIPPED_AUTHOR,
    add_kb_revision,
    canonical_json,
    content_checksum,
    ensure_shipped_kb_revision,
    get_active_kb_revision,
    get_kb_revision,
    list_kb_revisions,
)
from storage.models import KbRevisionPublic

SHIPPED = {"thresholds": {"driver": 60}, "factors": [{"key": "human", "title": {"fa": "انسانی"}}]}
EDITED = {**SHIPPED, "thresholds": {"driver": 55}}


def test_checksum_is_of_the_canonical_json() -> None:
    reordered = {"factors": SHIPPED["factors"], "thresholds": {"driver": 60}}
    assert canonical_json(reordered) == canonical_json(SHIPPED)
    assert "انسانی" in canonical_json(SHIPPED)
    expected = hashlib.sha256(canonical_json(SHIPPED).encode("utf-8")).hexdigest()
    assert content_checksum(reordered) == content_checksum(SHIPPED) == expected
    assert content_checksum(EDITED) != expected


async def test_shipped_revision_is_created_once(session: AsyncSession) -> None:
    assert await get_active_kb_revision(session=session) is None
    shipped = await ensure_shipped_kb_revision(session=session, content=SHIPPED)
    await session.commit()
    again = await ensure_shipped_kb_revision(session=session, content=copy.deepcopy(SHIPPED))
    await session.commit()

    assert shipped.id == again.id == 1
    assert (again.author, again.content) == (SHIPPED_AUTHOR, SHIPPED)
    assert again.checksum == content_checksum(SHIPPED)
    assert len(await list_kb_revisions(session=session)) == 1


RELEASE_2 = {**SHIPPED, "thresholds": {"driver": 65}}
RELEASE_3 = {**SHIPPED, "thresholds": {"driver": 70}}


async def _start(session: AsyncSession, content: dict[str, object]) -> int:
    """A start-up with `content` as the shipped KB: the active revision's number."""
    revision = await ensure_shipped_kb_revision(session=session, content=content)
    await session.commit()
    return revision.id


async def _history(session: AsyncSession) -> list[tuple[int, str, str]]:
    revisions = await list_kb_revisions(session=session)
    return [(r.id, r.author, r.checksum) for r in reversed(revisions)]


async def test_a_new_shipped_kb_is_added_when_no_administrator_edited(
    session: AsyncSession,
) -> None:
    assert await _start(session, SHIPPED) == 1
    assert await _start(session, RELEASE_2) == 2
    assert await _start(session, RELEASE_2) == 2  # a restart of the same release adds nothing

    active = await get_active_kb_revision(session=session)
    assert active is not None
    assert (active.author, active.note, active.content) == (
        SHIPPED_AUTHOR,
        "shipped KB updated",
        RELEASE_2,
    )
    assert await _history(session) == [
        (1, SHIPPED_AUTHOR, content_checksum(SHIPPED)),
        (2, SHIPPED_AUTHOR, content_checksum(RELEASE_2)),
    ]


async def test_a_new_shipped_kb_never_replaces_an_administrators_revision(
    session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    await _start(session, SHIPPED)
    await add_kb_revision(session=session, content=EDITED, author="web:admin", note="55")
    await session.commit()

    with caplog.at_level(logging.WARNING, logger="storage.kb_revisions"):
        assert await _start(session, RELEASE_2) == 2

    active = await get_active_kb_revision(session=session)
    assert active is not None
    assert (active.author, active.content) == ("web:admin", EDITED)
    assert "revision 2 by web:admin is active: kept" in caplog.text
    assert len(await _history(session)) == 2


async def test_content_shipped_once_is_not_added_again_after_a_rollback(
    session: AsyncSession,
) -> None:
    await _start(session, SHIPPED)
    await _start(session, RELEASE_2)  # revision 2, then an administrator rolls back to 1
    await add_kb_revision(session=session, content=SHIPPED, author="web:admin", note="back")
    await session.commit()

    assert await _start(session, RELEASE_2) == 3  # the rollback stays
    assert await _start(session, SHIPPED) == 3  # and an older release does not undo it
    # A release with new content still respects the administrator's active revision.
    assert await _start(session, RELEASE_3) == 3
    assert [author for _, author, _ in await _history(session)] == [
        SHIPPED_AUTHOR,
        SHIPPED_AUTHOR,
        "web:admin",
    ]


async def test_replicas_starting_with_a_new_release_add_it_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as setup:
        await _start(setup, SHIPPED)
    async with session_factory() as first, session_factory() as second:
        await ensure_shipped_kb_revision(session=first, content=RELEASE_2)
        racing = asyncio.create_task(ensure_shipped_kb_revision(session=second, content=RELEASE_2))
        await asyncio.sleep(0.1)
        await first.commit()
        revision = await racing
        await second.commit()

        assert (revision.id, revision.content) == (2, RELEASE_2)
        assert len(await list_kb_revisions(session=second)) == 2


async def test_shipped_revision_survives_concurrent_start_ups(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as first, session_factory() as second:
        await ensure_shipped_kb_revision(session=first, content=SHIPPED)
        # PostgreSQL: the second start-up finds the table empty and waits on the first one's
        # insert. SQLite: its transaction waits for the first's to end (BEGIN IMMEDIATE), then
        # finds the first's revision and stores its own changed content after it.
        racing = asyncio.create_task(ensure_shipped_kb_revision(session=second, content=EDITED))
        await asyncio.sleep(0.1)
        await first.commit()
        revision = await racing
        await second.commit()

        stored = await list_kb_revisions(session=second)
        first_revision = await get_kb_revision(session=second, revision_id=1)
        assert first_revision is not None and first_revision.content == SHIPPED
        if second.get_bind().dialect.name == "sqlite":
            assert (revision.id, revision.content, len(stored)) == (2, EDITED, 2)
        else:
            assert (revision.id, revision.content, len(stored)) == (1, SHIPPED, 1)


async def test_newest_revision_is_active_and_rollback_appends(session: AsyncSession) -> None:
    await ensure_shipped_kb_revision(session=session, content=SHIPPED)
    edited = await add_kb_revision(session=session, content=EDITED, author="web:admin", note="55")
    await session.commit()
    assert edited.id == 2
    active = await get_active_kb_revision(session=session)
    assert active is not None
    assert active.id == 2

    shipped = await get_kb_revision(session=session, revision_id=1)
    assert shipped is not None
    rollback = await add_kb_revision(
        session=session, content=shipped.content, author="web:admin", note="rollback to 1"
    )
    await session.commit()
    session.expunge_all()

    active = await get_active_kb_revision(session=session)
    assert active is not None
    assert (active.id, active.content, active.checksum) == (3, SHIPPED, shipped.checksum)
    assert active.created_at.tzinfo is not None
    assert rollback.id == 3
    assert await get_kb_revision(session=session, revision_id=4) is None


async def test_list_kb_revisions_is_newest_first_without_content(session: AsyncSession) -> None:
    await ensure_shipped_kb_revision(session=session, content=SHIPPED)
    for number in range(3):
        await add_kb_revision(
            session=session, content=EDITED, author="web:admin", note=f"edit {number}"
        )
    await session.commit()

    revisions = await list_kb_revisions(session=session, limit=3)
    assert [revision.id for revision in revisions] == [4, 3, 2]
    assert all(type(revision) is KbRevisionPublic for revision in revisions)
    assert revisions[0].note == "edit 2"
    assert revisions[0].checksum == content_checksum(EDITED)
    assert revisions[-1].author == "web:admin"
    assert not hasattr(revisions[0], "content")
