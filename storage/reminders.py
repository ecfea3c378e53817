"""Reminders: claim unfinished assessments that have waited long enough, so one process sends each.

A claim sets `assessment.reminder_sent_at` in the same statement that picks the rows, so two
processes (or replicas) claiming at once never get the same assessment: PostgreSQL skips rows
another claimer has locked (FOR UPDATE SKIP LOCKED), SQLite runs one writing statement at a time.
The claim is the record that the reminder was sent: each assessment is reminded at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select as select_columns
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.db import count_affected_rows
from storage.models import Assessment, AssessmentStatus, Respondent, status_is

__all__ = ["DueReminder", "claim_due_reminders", "release_reminder"]


@dataclass(frozen=True)
class DueReminder:
    """A claimed reminder: whom to write to, in which language, and where they stopped."""

    assessment_id: int
    telegram_id: int
    language: str | None
    kb_revision: int
    question_set: str | None
    cursor: int
    claimed_at: datetime


async def claim_due_reminders(
    *, session: AsyncSession, now: datetime, delay: timedelta, limit: int = 100
) -> list[DueReminder]:
    """Claim up to `limit` active assessments idle since `now - delay` and not yet reminded.

    Assessments of respondents who blocked the bot are left alone. Commit soon: on PostgreSQL
    the claimed rows stay locked until the transaction ends.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    due = (
        select(col(Assessment.id))
        .join(Respondent, col(Respondent.id) == col(Assessment.respondent_id))
        .where(
            status_is(AssessmentStatus.ACTIVE),
            col(Assessment.reminder_sent_at).is_(None),
            col(Assessment.updated_at) <= now - delay,
            col(Respondent.blocked_at).is_(None),
        )
        .order_by(col(Assessment.updated_at), col(Assessment.id))
        .limit(limit)
        # SQLite ignores this; it needs none, as its writers take turns on the whole file.
        .with_for_update(of=Assessment, skip_locked=True)
        # Evaluated once: as a subquery, PostgreSQL may rescan it and lock past the limit.
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    claimed = await session.execute(
        update(Assessment)
        .add_cte(due)
        .where(
            col(Assessment.id).in_(select(due.c.id)),
            col(Assessment.reminder_sent_at).is_(None),
        )
        .values(reminder_sent_at=now)
        .returning(col(Assessment.id))
        .execution_options(synchronize_session=False)
    )
    ids = list(claimed.scalars())
    if not ids:
        return []
    # SQLite's RETURNING cannot name another table, so the respondent comes second.
    rows = await session.execute(
        select_columns(
            col(Assessment.id),
            col(Respondent.telegram_id),
            col(Respondent.language),
            col(Assessment.kb_revision),
            col(Assessment.question_set),
            col(Assessment.cursor),
        )
        .join(Respondent, col(Respondent.id) == col(Assessment.respondent_id))
        .where(col(Assessment.id).in_(ids))
        .order_by(col(Assessment.updated_at), col(Assessment.id))
    )
    return [
        DueReminder(
            assessment_id=assessment_id,
            telegram_id=telegram_id,
            language=language,
            kb_revision=kb_revision,
            question_set=question_set,
            cursor=cursor,
            claimed_at=now,
        )
        for assessment_id, telegram_id, language, kb_revision, question_set, cursor in rows
    ]


async def release_reminder(
    *, session: AsyncSession, assessment_id: int, claimed_at: datetime
) -> bool:
    """Give back a claim whose message could not be sent, so that a later run tries again.

    Only the claim made at `claimed_at` is released; False if it is no longer there.
    """
    result = await session.execute(
        update(Assessment)
        .where(
            col(Assessment.id) == assessment_id,
            col(Assessment.reminder_sent_at) == claimed_at,
        )
        .values(reminder_sent_at=None)
        .execution_options(synchronize_session=False)
    )
    return count_affected_rows(result) > 0
