"""The audit log."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import add_audit_entry, list_audit_entries


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
