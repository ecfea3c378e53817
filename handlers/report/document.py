"""The report: a self-contained HTML document (inline CSS, charts as data URIs), also laid out
as a PDF (handlers/report/pdf.py), with a file name that tells one report from another."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from handlers.checklist.service import Results
from handlers.i18n import Renderer
from handlers.report.chart_data import ChartImage
from handlers.report.dates import local_date, report_date, solar_hijri
from knowledge import PROFILE_FIELDS, Choice, KnowledgeBase, Locale, to_persian_digits

__all__ = [
    "DOCUMENT_TEMPLATE",
    "REPORT_FILE_PREFIX",
    "ChartImage",
    "ProfileRow",
    "render_report_document",
    "report_filename",
]

DOCUMENT_TEMPLATE = "report.html"
REPORT_FILE_PREFIX = "pishran-report"
# The file name's organisation part: an organisation's deep-link code, else this.
NO_ORGANISATION = "agency"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def direction_of(text: str) -> str:
    """ "rtl" for a text in Persian script (a Persian study's title), else "ltr": a citation is
    laid out whole in its own direction, whatever the report's."""
    return "rtl" if _ARABIC_SCRIPT.search(text) else "ltr"


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One line of the profile: the field and what the respondent chose or typed."""

    field: str
    value: str | None


def _environment(renderer: Renderer) -> jinja2.Environment:
    # Documents are whole HTML pages, not Telegram messages: their own loader (plus the shared
    # partials, such as the citation), same filters.
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("handlers.report", "documents"),
                jinja2.PackageLoader("handlers", "templates"),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(renderer.env.filters)
    env.globals.update(renderer.env.globals)
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

    kb, readiness = results.kb, results.readiness
    revision = results.kb_revision
    data = {
        "locale": locale,
        "t": t,
        "kb": kb,
        "readiness": readiness,
        "report": results.report,
        "comparison": results.comparison,
        "profile": profile_rows(kb, results.profile, locale),
        "organisation": results.profile.get("organisation"),
        "date": report_date(locale, results.completed_at) if results.completed_at else None,
        "revision": None if revision is None else _digits(locale, str(revision)),
        # The page footer: CSS strings, so the words come from the catalog as plain text.
        "page_label": (
            renderer.text(locale, "report_page", "before"),
            renderer.text(locale, "report_page", "between"),
        ),
        "page_style": ", persian" if locale == "fa" else "",
        "direction_of": direction_of,
        "scored": sum(1 for sf in readiness.subfactors if sf.score is not None),
        "charts": charts,
        "threshold": kb.driver_threshold,
        "sector_means": results.sector_means or {},
        # (done, committed) committed plan steps per sub-factor, shown beside its scores.
        "steps_done": results.steps_done,
    }
    return env.get_template(DOCUMENT_TEMPLATE).render(**data)


def _digits(locale: Locale, text: str) -> str:
    return to_persian_digits(text) if locale == "fa" else text


def report_filename(locale: Locale, results: Results, extension: str = "pdf") -> str:
    """An ASCII file name that says whose report, of which day and KB revision it is:
    pishran-report-<org code or "agency">-<date>-r<revision>-a<assessment>.<extension>, dated
    in the Solar Hijri calendar for Persian readers; the assessment's number keeps two reports
    of one day apart."""
    organisation = _UNSAFE.sub("", results.org_code or "")[:32] or NO_ORGANISATION
    parts = [REPORT_FILE_PREFIX, organisation]
    if results.completed_at is not None:
        day = local_date(results.completed_at)
        year, month, dom = solar_hijri(day) if locale == "fa" else (day.year, day.month, day.day)
        parts.append(f"{year:04d}-{month:02d}-{dom:02d}")
    else:
        parts.append("latest")
    if results.kb_revision is not None:
        parts.append(f"r{results.kb_revision}")
    parts.append(f"a{results.assessment_id}")
    return "-".join(parts) + f".{extension}"
