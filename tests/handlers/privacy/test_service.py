"""/forget's use case on a real database: everything about one person goes, nobody else's."""

from __future__ import annotations

from handlers.services import Services

PERSON, OTHER = 72_001, 72_002


async def test_forget_deletes_one_person_and_keeps_the_others(services: Services) -> None:
    for someone in (PERSON, OTHER):
        await services.checklist.start(telegram_id=someone, language_code="en")
    assert await services.privacy.forget(telegram_id=PERSON) is True
    assert await services.privacy.forget(telegram_id=PERSON) is False
    # The other person's assessment is untouched; the forgotten one starts afresh.
    other = await services.checklist.start(telegram_id=OTHER, language_code="en")
    assert other.resumed
    fresh = await services.checklist.start(telegram_id=PERSON, language_code="en")
    assert not fresh.resumed


async def test_forget_keeps_audit_counts_but_not_the_actor(services: Services) -> None:
    actor = services.audit.actor_for(PERSON)
    await services.audit.record(actor=actor, action="admin.denied", detail={"attempted": "kb"})
    await services.checklist.start(telegram_id=PERSON, language_code="en")
    assert await services.privacy.forget(telegram_id=PERSON, actor=actor)
    entries = await services.audit.entries()
    assert [e.action for e in entries] == ["admin.denied"]
    assert all(e.actor != actor for e in entries)
