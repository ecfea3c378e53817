"""Administration storage: pending KB uploads, organisations and their counts, audit actors."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from storage.assessments import cancel_assessment, start_assessment
from storage.audit import actor_for_telegram, actor_key
from storage.kb_revisions import content_checksum
from storage.kb_uploads import (
    add_kb_upload,
    decide_kb_upload,
    get_kb_upload,
    set_kb_upload_revision,
)
from storage.models import RECORD_KEY_MODULUS, Assessment, AssessmentStatus, KbUploadStatus
from storage.organisations import (
    create_organisation,
    get_organisation_by_code,
    get_organisation_by_name,
    list_organisations,
)
from storage.stats.disclosure import get_noise
from tests.storage.factories import create_respondent

CONTENT = {"version": 1, "note": "سند آزمایشی"}


async def test_a_pending_upload_is_kept_with_its_checksum_and_read_back_in_a_new_session(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session, session.begin():
        upload = await add_kb_upload(
            session=session,
            content=CONTENT,
            author="telegram:abc",
            filename="kb.yaml",
            base_revision=1,
            note="new studies",
        )
    assert upload.id is not None
    async with session_factory() as session:
        stored = await get_kb_upload(session=session, upload_id=upload.id)
    assert stored is not None
    assert (stored.status, stored.base_revision, stored.content) == ("pending", 1, CONTENT)
    assert stored.checksum == content_checksum(CONTENT)
    assert stored.created_at.tzinfo is not None
    assert stored.decided_at is None and stored.revision is None


async def test_an_upload_is_decided_once_whoever_asks_second(session: AsyncSession) -> None:
    upload = await add_kb_upload(
        session=session, content=CONTENT, author="a", filename="kb.json", base_revision=1
    )
    assert upload.id is not None
    first = await decide_kb_upload(
        session=session, upload_id=upload.id, status=KbUploadStatus.ACTIVATED, decided_by="a"
    )
    second = await decide_kb_upload(
        session=session, upload_id=upload.id, status=KbUploadStatus.CANCELLED, decided_by="b"
    )
    await set_kb_upload_revision(session=session, upload_id=upload.id, revision=2)
    await session.commit()
    session.expunge_all()
    stored = await get_kb_upload(session=session, upload_id=upload.id)
    assert (first, second) == (True, False)
    assert stored is not None
    assert (stored.status, stored.decided_by, stored.revision) == ("activated", "a", 2)
    assert stored.decided_at is not None
    assert await get_kb_upload(session=session, upload_id=upload.id + 1) is None
    missing = await decide_kb_upload(
        session=session, upload_id=upload.id + 1, status=KbUploadStatus.CANCELLED, decided_by="a"
    )
    assert missing is False


async def test_organisations_are_found_by_code_in_any_case_and_by_name(
    session: AsyncSession,
) -> None:
    created = await create_organisation(
        session=session, code="ab3de7", name="شرکت آب و فاضلاب تهران", created_by="telegram:abc"
    )
    await session.commit()
    by_code = await get_organisation_by_code(session=session, code="AB3DE7")
    by_name = await get_organisation_by_name(session=session, name="شرکت آب و فاضلاب تهران")
    assert by_code is not None and by_name is not None
    assert by_code.id == by_name.id == created.id
    assert await get_organisation_by_code(session=session, code="zzzzzz") is None


@pytest.mark.parametrize(("code", "name"), [("ab3de7", "another"), ("zz9zz9", "Water")])
async def test_a_taken_code_or_name_is_refused_by_the_database(
    session: AsyncSession, code: str, name: str
) -> None:
    await create_organisation(session=session, code="ab3de7", name="Water", created_by="a")
    await session.commit()
    with pytest.raises(IntegrityError):
        await create_organisation(session=session, code=code, name=name, created_by="a")


async def test_organisations_count_the_people_who_completed_through_their_code(
    session: AsyncSession,
) -> None:
    water = await create_organisation(session=session, code="wat3r2", name="Water", created_by="a")
    await create_organisation(session=session, code="pwr234", name="Power", created_by="a")
    people = [await create_respondent(session) for _ in range(4)]
    # Two assessments by one person count once; a cancelled one, another code and no code
    # count for nobody.
    keys: list[int] = []
    for respondent, code, completed in [
        (people[0], water.code, True),
        (people[0], water.code, True),
        (people[1], water.code, True),
        (people[3], water.code, False),
        (people[2], "unknown", True),
        (people[2], None, True),
    ]:
        assert respondent.id is not None
        assessment = await start_assessment(
            session=session, respondent_id=respondent.id, kb_revision=1, org_code=code
        )
        if completed:
            await session.execute(
                update(Assessment)
                .where(col(Assessment.id) == assessment.id)
                .values(status=AssessmentStatus.COMPLETED.value)
            )
            keys += [assessment.record_key] if code == water.code else []
        else:
            await cancel_assessment(session=session, assessment=assessment)
    await session.commit()

    # Published counts: a count under k is never shown (not even 0 or 1)...
    rows = await list_organisations(session=session, k=3)
    assert [(row.organisation.name, row.respondents) for row in rows] == [
        ("Water", None),
        ("Power", None),
    ]
    # ... and at k = 2, Water's two people come with the noise of its cell (exact at k).
    rows = await list_organisations(session=session, k=2)
    assert [(row.organisation.name, row.respondents) for row in rows] == [
        ("Water", (await get_noise(session)).count(2, sum(keys) % RECORD_KEY_MODULUS, 2)),
        ("Power", None),
    ]
    assert rows[0].respondents == 2


@pytest.mark.parametrize("user_id", [123456789, 7_000_000_001_234])
def test_audit_actors_name_a_telegram_user_by_a_keyed_hash(user_id: int) -> None:
    key = actor_key("audit-key-for-tests-0123456789")
    actor = actor_for_telegram(user_id, key=key)
    assert re.fullmatch(r"telegram:[0-9a-f]{16}", actor)
    assert str(user_id) not in actor
    assert actor == actor_for_telegram(user_id, key=key)
    assert actor != actor_for_telegram(user_id + 1, key=key)
    # Without the key, trying every id finds nothing: another key gives another actor.
    assert actor != actor_for_telegram(user_id, key=actor_key("another-key-0123456789"))
    unkeyed = hashlib.sha256(b"pishran:telegram:" + str(user_id).encode()).hexdigest()
    assert unkeyed[:16] not in actor
