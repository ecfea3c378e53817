"""The printable report: a self-contained HTML document (inline CSS, charts as data URIs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from handlers.checklist.service import Results
from handlers.i18n import Renderer
from handlers.report.chart_data import ChartImage
from knowledge import PROFILE_FIELDS, Choice, KnowledgeBase, Locale

__all__ = ["DOCUMENT_TEMPLATE", "ChartImage", "ProfileRow", "render_report_document"]

DOCUMENT_TEMPLATE = "report.html"


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One line of the profile: the field and what the respondent chose or typed."""

    field: str
    value: str | None


def _environment(renderer: Renderer) -> jinja2.Environment:
    # Documents are whole HTML pages, not Telegram messages: their own loader, same filters.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("handlers.report", "documents"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(renderer.env.filters)
    return env


def _choice_label(choices: Sequence[Choice], key: str, locale: Locale) -> str:
    return next((c.label.get(locale) for c in choices if c.key == key), key)


def profile_rows(kb: KnowledgeBase, profile: Mapping[str, str], locale: Locale) -> list[ProfileRow]:
    """The profile with list choices shown by their labels; typed text as it was typed."""
    lists = {"sector": kb.profile.sectors, "region": kb.profile.regions, "role": kb.profile.roles}
    rows = []
    for name in PROFILE_FIELDS:
        value = profile.get(name)
        if value and name in lists:
            value = _choice_label(lists[name], value, locale)
        rows.append(ProfileRow(name, value or None))
    return rows


def render_report_document(
    renderer: Renderer, locale: Locale, results: Results, charts: Sequence[ChartImage]
) -> str:
    """The report for `results` as one HTML page, right-to-left for Persian."""
    env = _environment(renderer)

    def t(key: str, member: str | None = None, **values: Any) -> Markup:
        return renderer.markup(locale, key, member, **values)

    kb = results.kb
    data = {
        "locale": locale,
        "t": t,
        "kb": kb,
        "readiness": results.readiness,
        "report": results.report,
        "profile": profile_rows(kb, results.profile, locale),
        "completed": results.completed_at.date().isoformat() if results.completed_at else None,
        "charts": charts,
        "threshold": kb.driver_threshold,
        "sector_means": results.sector_means or {},
    }
    return env.get_template(DOCUMENT_TEMPLATE).render(**data)
