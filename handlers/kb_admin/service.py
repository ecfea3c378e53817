"""Knowledge-base administration use cases, shared by the Telegram commands and the web panel.

No Telegram or web types here: callers pass bytes, documents, ids and actor strings (see
storage.audit.actor_for_telegram), and render the plain values that come back. Every change
and its audit entry are committed in one transaction; history is append-only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.kb_admin.revisions import (
    ActiveSummary,
    RevisionAlreadyActiveError,
    RevisionInfo,
    StaleRevisionError,
    UnknownRevisionError,
    revision_info,
)
from handlers.kb_admin.upload import (
    PENDING_UPLOAD_TTL,
    Decision,
    ExaminedUpload,
    UploadCheck,
    UploadDecision,
    UploadRefusal,
    UploadRefusedError,
    examine_upload,
)
from handlers.knowledge_store import KnowledgeStore
from knowledge import (
    KBDiff,
    KnowledgeBase,
    canonical_yaml,
    count_summary,
    diff_kb,
    document_diff,
    load_kb,
    to_document,
)
from storage import audit as audit_store
from storage import kb_revisions as revision_store
from storage import kb_uploads as upload_store
from storage.models import KbRevision, KbUploadStatus, get_datetime_utc

__all__ = [
    "ActiveSummary",
    "KnowledgeAdmin",
    "RevisionAlreadyActiveError",
    "RevisionInfo",
    "StaleRevisionError",
    "UnknownRevisionError",
]


class KnowledgeAdmin:
    """Check, activate and roll back knowledge base revisions, with an audit entry for each."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        knowledge: KnowledgeStore,
        *,
        clock: Callable[[], datetime] = get_datetime_utc,
    ) -> None:
        self._session_factory = session_factory
        self._knowledge = knowledge
        self._clock = clock

    async def check_upload(
        self, raw: bytes, filename: str, *, author: str, note: str = ""
    ) -> UploadCheck:
        """Refuse, list every problem, or keep the document pending with its change summary."""
        try:
            examined: ExaminedUpload | UploadRefusedError = await examine_upload(raw, filename)
        except UploadRefusedError as exc:
            examined = exc
        async with self._session_factory() as session, session.begin():
            active, active_kb = await self._active(session)
            if isinstance(examined, UploadRefusedError):
                check = UploadCheck(filename, active, examined.refusal, examined.detail)
            else:
                check = await self._check(
                    session, examined, filename, active, active_kb, author, note
                )
            await self._audit_upload(session, check, author)
        return check

    async def refuse_upload(
        self, filename: str, refusal: UploadRefusal, *, author: str
    ) -> UploadCheck:
        """Refuse a file without reading it (e.g. Telegram says it is over 1 MB); audited."""
        async with self._session_factory() as session, session.begin():
            check = UploadCheck(filename, (await self._active_row(session)).id, refusal)
            await self._audit_upload(session, check, author)
        return check

    async def _audit_upload(self, session: AsyncSession, check: UploadCheck, author: str) -> None:
        await audit_store.add_audit_entry(
            session=session, actor=author, action="kb.upload", detail=check.audit_detail()
        )

    async def _check(
        self,
        session: AsyncSession,
        examined: ExaminedUpload,
        filename: str,
        active: int,
        active_kb: KnowledgeBase,
        author: str,
        note: str,
    ) -> UploadCheck:
        kb = examined.kb
        if kb is None:
            return UploadCheck(filename, active, problems=examined.problems)
        diff, counts = diff_kb(active_kb, kb), count_summary(kb)
        if diff.is_empty:
            return UploadCheck(filename, active, diff=diff, counts=counts)
        upload = await upload_store.add_kb_upload(
            session=session,
            content=to_document(kb),
            author=author,
            filename=filename,
            base_revision=active,
            note=note,
        )
        return UploadCheck(filename, active, diff=diff, counts=counts, upload_id=upload.id)

    async def confirm_upload(self, upload_id: int, *, author: str) -> UploadDecision:
        """Make a pending upload the active revision, unless it expired or the KB moved on."""
        async with self._session_factory() as session, session.begin():
            upload = await upload_store.get_kb_upload(session=session, upload_id=upload_id)
            if upload is None:
                return UploadDecision(Decision.NOT_FOUND)
            if upload.status != KbUploadStatus.PENDING:
                return UploadDecision(Decision.ALREADY_DECIDED, upload.revision)
            content, note, base = upload.content, upload.note, upload.base_revision
            outcome = KbUploadStatus.ACTIVATED
            if self._clock() - upload.created_at > PENDING_UPLOAD_TTL:
                outcome = KbUploadStatus.EXPIRED
            elif (await self._active_row(session)).id != base:
                outcome = KbUploadStatus.STALE
            if not await upload_store.decide_kb_upload(
                session=session, upload_id=upload_id, status=outcome, decided_by=author
            ):
                return UploadDecision(Decision.ALREADY_DECIDED)
            if outcome is not KbUploadStatus.ACTIVATED:
                return UploadDecision(Decision(outcome.value))
            revision = await self._add_revision(
                session,
                content,
                author=author,
                note=note,
                action="kb.activate",
                detail={"upload": upload_id, "base": base},
            )
            await upload_store.set_kb_upload_revision(
                session=session, upload_id=upload_id, revision=revision
            )
        return UploadDecision(Decision.ACTIVATED, revision)

    async def cancel_upload(self, upload_id: int, *, author: str) -> UploadDecision:
        """Drop a pending upload; nothing else changes."""
        async with self._session_factory() as session, session.begin():
            upload = await upload_store.get_kb_upload(session=session, upload_id=upload_id)
            if upload is None:
                return UploadDecision(Decision.NOT_FOUND)
            if not await upload_store.decide_kb_upload(
                session=session,
                upload_id=upload_id,
                status=KbUploadStatus.CANCELLED,
                decided_by=author,
            ):
                return UploadDecision(Decision.ALREADY_DECIDED, upload.revision)
            await audit_store.add_audit_entry(
                session=session, actor=author, action="kb.cancel", detail={"upload": upload_id}
            )
        return UploadDecision(Decision.CANCELLED)

    async def activate(
        self,
        content: Mapping[str, Any],
        *,
        author: str,
        note: str = "",
        expected_revision: int | None = None,
    ) -> int:
        """Validate a document and make it the active revision (KBValidationError if invalid).

        With `expected_revision`, refuse (StaleRevisionError) if another change came first.
        """
        document = to_document(load_kb(content))
        try:
            async with self._session_factory() as session, session.begin():
                active = (await self._active_row(session)).id
                if expected_revision is not None and expected_revision != active:
                    raise StaleRevisionError(expected_revision, active)
                return await self._add_revision(
                    session,
                    document,
                    author=author,
                    note=note,
                    action="kb.activate",
                    detail={"base": active},
                )
        except revision_store.RevisionTakenError as exc:
            raise StaleRevisionError(exc.number - 1, exc.number) from exc

    async def rollback(self, revision: int, *, author: str, note: str = "") -> int:
        """Append a new revision with the content of `revision`; history is never rewritten."""
        async with self._session_factory() as session, session.begin():
            old = await revision_store.get_kb_revision(session=session, revision_id=revision)
            if old is None:
                raise UnknownRevisionError(revision)
            active = await self._active_row(session)
            if old.checksum == active.checksum:
                raise RevisionAlreadyActiveError(revision)
            load_kb(old.content)  # the rules may have grown stricter since it was stored
            return await self._add_revision(
                session,
                old.content,
                author=author,
                note=note,
                action="kb.rollback",
                detail={"to": revision, "base": active.id},
            )

    async def history(self, *, limit: int = 20) -> list[RevisionInfo]:
        """The newest revisions first; the first one is active."""
        async with self._session_factory() as session:
            rows = await revision_store.list_kb_revisions(session=session, limit=limit)
        active = rows[0].id if rows else None
        return [revision_info(row, active) for row in rows]

    async def active_summary(self) -> ActiveSummary:
        """The active revision with its counts of factors, sub-factors, questions and more."""
        async with self._session_factory() as session:
            row = await self._active_row(session)
        kb = await self._knowledge.revision(row.id)
        return ActiveSummary(revision_info(row, row.id), count_summary(kb))

    async def revision_document(self, revision: int) -> dict[str, Any]:
        """The stored document of `revision` (UnknownRevisionError if there is none)."""
        async with self._session_factory() as session:
            row = await revision_store.get_kb_revision(session=session, revision_id=revision)
        if row is None:
            raise UnknownRevisionError(revision)
        return row.content

    async def export_active(self, *, author: str) -> tuple[int, str]:
        """The active revision's number and its document as YAML; the export is audited."""
        async with self._session_factory() as session, session.begin():
            row = await self._active_row(session)
            await audit_store.add_audit_entry(
                session=session, actor=author, action="kb.export", detail={"revision": row.id}
            )
        return row.id, canonical_yaml(row.content)

    async def compare(self, old: int, new: int) -> tuple[KBDiff, list[str]]:
        """What changed from revision `old` to `new`: the summary and a unified line diff."""
        before, after = await self.revision_document(old), await self.revision_document(new)
        lines = document_diff(before, after, old_name=f"revision {old}", new_name=f"revision {new}")
        return diff_kb(load_kb(before), load_kb(after)), lines

    async def _active_row(self, session: AsyncSession) -> KbRevision:
        row = await revision_store.get_active_kb_revision(session=session)
        if row is None:
            raise LookupError("no knowledge base revision stored: run `pishran db upgrade`")
        return row

    async def _active(self, session: AsyncSession) -> tuple[int, KnowledgeBase]:
        row = await self._active_row(session)
        return row.id, await self._knowledge.revision(row.id)

    async def _add_revision(
        self,
        session: AsyncSession,
        content: dict[str, Any],
        *,
        author: str,
        note: str,
        action: str,
        detail: dict[str, Any],
    ) -> int:
        row = await revision_store.add_kb_revision(
            session=session, content=content, author=author, note=note
        )
        await audit_store.add_audit_entry(
            session=session, actor=author, action=action, detail={**detail, "revision": row.id}
        )
        return row.id
