"""The audit log: entries, refusals counted per bucket, kinds, and forgetting a person."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import (
    FORGOTTEN_ACTOR,
    AuditKind,
    actor_for_telegram,
    actor_key,
    add_audit_entry,
    add_counted_audit_entry,
    forget_actor,
    list_audit_entries,
)


async def test_audit_entries_are_listed_newest_first(session: AsyncSession) -> None:
    await add_audit_entry(session=session, actor="web:admin", action="login", detail={})
    entry = await add_audit_entry(
        session=session,
        actor="telegram:3f2a",
        action="kb.rollback",
        detail={"to": 1, "note": "بازگشت"},
    )
    await session.commit()
    session.expunge_all()

    entries = await list_audit_entries(session=session)
    assert [(e.actor, e.action) for e in entries] == [
        ("telegram:3f2a", "kb.rollback"),
        ("web:admin", "login"),
    ]
    assert entries[0].id == entry.id
    assert entries[0].detail == {"to": 1, "note": "بازگشت"}
    assert entries[0].at.tzinfo is not None
    assert len(await list_audit_entries(session=session, limit=1)) == 1


async def test_counted_entries_add_up_in_one_row_per_bucket(session: AsyncSession) -> None:
    detail = {"address": "203.0.113.7", "path": "/admin/x"}
    for count in (1, 4, 5):
        await add_counted_audit_entry(
            session=session,
            bucket="web.refused|203.0.113.7|1",
            actor="web:anonymous",
            action="web.refused",
            detail=detail,
            count=count,
        )
    await add_counted_audit_entry(
        session=session,
        bucket="web.refused|203.0.113.7|2",
        actor="web:anonymous",
        action="web.refused",
        detail=detail,
    )
    await session.commit()
    session.expunge_all()

    entries = await list_audit_entries(session=session)
    assert [(e.bucket, e.count) for e in entries] == [
        ("web.refused|203.0.113.7|2", 1),
        ("web.refused|203.0.113.7|1", 10),
    ]
    assert entries[1].detail == detail


async def test_entries_can_be_listed_by_kind(session: AsyncSession) -> None:
    for actor, action in [
        ("web:admin", "web.sign_in"),
        ("web:anonymous", "web.refused"),
        ("telegram:abc", "kb.export"),
        ("telegram:def", "admin.denied"),
        ("web:anonymous", "web.sign_in_failed"),
    ]:
        await add_audit_entry(session=session, actor=actor, action=action, detail={})
    await session.commit()

    admin = await list_audit_entries(session=session, kind=AuditKind.ADMIN)
    refused = await list_audit_entries(session=session, kind=AuditKind.REFUSED)
    assert [e.action for e in admin] == ["kb.export", "web.sign_in"]
    assert [e.action for e in refused] == ["web.sign_in_failed", "admin.denied", "web.refused"]
    assert len(await list_audit_entries(session=session)) == 5


async def test_forgetting_an_actor_keeps_their_rows_and_counts_but_not_their_name(
    session: AsyncSession,
) -> None:
    key = actor_key("audit-key-for-tests-0123456789")
    person, other = actor_for_telegram(5001, key=key), actor_for_telegram(5002, key=key)
    for actor in (person, person, other):
        await add_audit_entry(
            session=session, actor=actor, action="admin.denied", detail={"attempted": "kb"}
        )
    assert await forget_actor(session=session, actor=person) == 2
    await session.commit()

    actors = [e.actor for e in await list_audit_entries(session=session)]
    assert actors == [other, FORGOTTEN_ACTOR, FORGOTTEN_ACTOR]
