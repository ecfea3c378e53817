"""Statistics releases: the cuts over which answer counts and reliability are published.

A live answer count would give a newcomer's answers away: export, let one person complete,
export again, and the counts that moved are theirs. So those figures are computed over
released assessments only. A release marks every completed assessment not yet released; it
is cut only when that adds at least k assessments by at least k people, and at most once per
period. Between two cuts the figures do not change; across a cut they change by a group of at
least k people (and by fresh noise), never by one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import count_affected_rows
from storage.models import Assessment, AssessmentStatus, StatsRelease, get_datetime_utc, status_is
from storage.stats.disclosure import is_suppressed

__all__ = ["cut_release", "get_release"]

log = logging.getLogger(__name__)


async def get_release(*, session: AsyncSession) -> StatsRelease | None:
    """The latest release, or None before the first."""
    latest = select(StatsRelease).order_by(col(StatsRelease.id).desc()).limit(1)
    release: StatsRelease | None = await session.scalar(latest)
    return release


class _Withdrawn(Exception):
    """Fewer than k assessments were left to mark (a /forget came in between)."""


async def cut_release(
    *, session: AsyncSession, k: int, every: timedelta, now: datetime | None = None
) -> StatsRelease | None:
    """Cut a new release if one is due; the latest release afterwards (None before the first).

    Due: the latest is at least `every` old (or there is none) and at least k completed
    assessments by k people are not yet released. Runs transactions of its own on `session`
    (which must not be in one, and is not left in one); a concurrent cut makes this one give
    way.
    """
    now = now or get_datetime_utc()
    try:
        async with session.begin():
            await _cut(session, k, every, now)
    except (_Withdrawn, IntegrityError, OperationalError) as exc:
        # Another process cut one from the same release first, or holds the write lock.
        log.info("statistics release not cut here: %s", type(exc).__name__)
    async with session.begin():  # and leave the session as it was: outside a transaction
        return await get_release(session=session)


async def _cut(session: AsyncSession, k: int, every: timedelta, now: datetime) -> None:
    latest = await get_release(session=session)
    if latest is not None and now - latest.cut_at < every:
        return
    pending = [
        status_is(AssessmentStatus.COMPLETED),
        col(Assessment.release_id).is_(None),
    ]
    sizes = select(func.count(), func.count(distinct(col(Assessment.respondent_id)))).where(
        *pending
    )
    assessments, respondents = (await session.execute(sizes)).one()
    if is_suppressed(assessments=assessments, respondents=respondents, k=k):
        return
    release = StatsRelease(follows=0 if latest is None else latest.id or 0, cut_at=now)
    session.add(release)
    await session.flush()
    marked = await session.execute(update(Assessment).where(*pending).values(release_id=release.id))
    if count_affected_rows(marked) < k:
        raise _Withdrawn
    log.info("statistics release %s cut: %s assessments added", release.id, assessments)
