"""Browsing the active knowledge base and editing it, one item at a time, under full validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp_session import get_session

from bot.admin.forms import (
    EditTarget,
    FormSection,
    apply_form,
    attach_problems,
    build_form,
    item_path,
    submitted_form,
)
from bot.admin.pages import render, request_locale, set_notice
from bot.admin.panel import ADMIN_ACTOR, ADMIN_KEY, AdminPanel
from handlers.kb_admin.service import StaleRevisionError, UnknownRevisionError
from handlers.kb_admin.upload import PROBLEMS_SHOWN
from knowledge import KBValidationError, KnowledgeBase, Problem

__all__ = ["NOTE_MAX_LENGTH", "edit_form", "export_kb", "home", "kb_overview", "save_edit"]

NOTE_MAX_LENGTH = 500


async def _active(panel: AdminPanel) -> tuple[int, KnowledgeBase]:
    number = (await panel.kb_admin.active_summary()).revision.number
    return number, await panel.knowledge.revision(number)


async def home(request: web.Request) -> web.StreamResponse:
    """The active revision at a glance, with the way to everything else."""
    summary = await request.config_dict[ADMIN_KEY].kb_admin.active_summary()
    return await render(request, "home.html", summary=summary)


async def kb_overview(request: web.Request) -> web.StreamResponse:
    """Factors, their sub-factors and the references of the active revision."""
    number, kb = await _active(request.config_dict[ADMIN_KEY])
    return await render(request, "kb.html", revision=number, kb=kb)


async def subfactor_page(request: web.Request) -> web.StreamResponse:
    """One sub-factor of the active revision in both languages: questions, evidence, advice."""
    number, kb = await _active(request.config_dict[ADMIN_KEY])
    try:
        subfactor = kb.subfactor(request.match_info["key"])
    except KeyError:
        raise web.HTTPNotFound() from None
    factor = kb.factor(subfactor.factor_key)
    return await render(
        request, "subfactor.html", revision=number, kb=kb, factor=factor, subfactor=subfactor
    )


def _target(request: web.Request) -> tuple[EditTarget, str]:
    try:
        return EditTarget(request.match_info["kind"]), request.match_info["key"]
    except ValueError:
        raise web.HTTPNotFound() from None


def _located(document: Mapping[str, Any], target: EditTarget, key: str) -> str:
    path = item_path(document, target, key)
    if path is None:
        raise web.HTTPNotFound()
    return path


@dataclass(frozen=True)
class _EditPage:
    """What every rendering of one edit form shows: the item, the base revision, the note."""

    target: EditTarget
    key: str
    revision: int
    note: str = ""


async def _edit_page(
    request: web.Request,
    page: _EditPage,
    sections: list[FormSection],
    *,
    status: int = 200,
    problems: tuple[Problem, ...] = (),
    stale: int | None = None,
    unchanged: bool = False,
) -> web.StreamResponse:
    return await render(
        request,
        "edit.html",
        status=status,
        target=page.target.value,
        key=page.key,
        revision=page.revision,
        note=page.note,
        note_max_length=NOTE_MAX_LENGTH,
        sections=sections,
        problems=problems,
        problems_shown=PROBLEMS_SHOWN,
        stale=stale,
        unchanged=unchanged,
    )


async def edit_form(request: web.Request) -> web.StreamResponse:
    """The edit form of a factor, sub-factor or reference of the active revision."""
    panel = request.config_dict[ADMIN_KEY]
    target, key = _target(request)
    number = (await panel.kb_admin.active_summary()).revision.number
    document = await panel.kb_admin.revision_document(number)
    sections = build_form(document, target, _located(document, target, key))
    return await _edit_page(request, _EditPage(target, key, number), sections)


async def save_edit(request: web.Request) -> web.StreamResponse:
    """Validate the edited document as a whole; a valid one becomes a new revision."""
    panel = request.config_dict[ADMIN_KEY]
    target, key = _target(request)
    form = await request.post()
    try:
        expected = int(str(form.get("expected_revision", "")))
        base = await panel.kb_admin.revision_document(expected)
    except (ValueError, UnknownRevisionError):
        raise web.HTTPBadRequest(text="expected_revision is missing or unknown") from None
    path = _located(base, target, key)
    sections = submitted_form(build_form(base, target, path), form)
    edited = apply_form(base, path, sections)
    note = str(form.get("note", "")).strip()[:NOTE_MAX_LENGTH]
    page = _EditPage(target, key, expected, note)
    if edited == base:
        return await _edit_page(request, page, sections, unchanged=True)
    detail: dict[str, Any] = {"item": f"{target.value}/{key}", "base": expected}
    try:
        number = await panel.kb_admin.activate(
            edited,
            author=ADMIN_ACTOR,
            note=note or panel.labels.text(request_locale(request), "default_note", key=key),
            expected_revision=expected,
        )
    except KBValidationError as exc:
        # The first problems and how many there were: an audit row stays small.
        detail["problems"] = [str(p)[:200] for p in exc.problems[:PROBLEMS_SHOWN]]
        detail["problem_count"] = len(exc.problems)
        await panel.audit.record(actor=ADMIN_ACTOR, action="kb.edit_invalid", detail=detail)
        shown = attach_problems(sections, path, exc.problems, request_locale(request))
        return await _edit_page(request, page, shown, status=422, problems=exc.problems)
    except StaleRevisionError as exc:
        active = exc.active
        await panel.audit.record(actor=ADMIN_ACTOR, action="kb.edit_stale", detail=detail)
        return await _edit_page(request, page, sections, status=409, stale=active)
    set_notice(await get_session(request), "saved", revision=number)
    raise web.HTTPSeeOther(request.app.router["admin_revision"].url_for(number=str(number)))


async def export_kb(request: web.Request) -> web.StreamResponse:
    """The active knowledge base as a YAML file (the export is audited)."""
    panel = request.config_dict[ADMIN_KEY]
    number, text = await panel.kb_admin.export_active(author=ADMIN_ACTOR)
    return web.Response(
        text=text,
        content_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="pishran-kb-{number}.yaml"'},
    )
