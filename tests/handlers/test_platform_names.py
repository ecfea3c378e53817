"""The advice, the action plan and the printed report name the KB's platforms in the reader's
language, from the KB's platforms field, and never as a place to build a service on Telegram."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from handlers.checklist.service import Results
from handlers.checklist.views import render_results
from handlers.i18n import Renderer
from handlers.report.document import render_report_document
from knowledge import KnowledgeBase, Locale, QuestionSet, advise, assess

DOMESTIC = {"fa": "بله، ایتا، روبیکا یا سروش", "en": "Bale, Eitaa, Rubika or Soroush"}
FILTERED = {"fa": "فیلترشده، مانند تلگرام یا اینستاگرام،", "en": "such as Telegram or Instagram"}
TELEGRAM = {"fa": "تلگرام", "en": "Telegram"}
TAGS = re.compile(r"<[^>]+>")


def absent_everywhere(kb: KnowledgeBase) -> Results:
    """Every question of the full checklist answered 'not in place': the band advice that pilots
    a service, and the low answer on where citizens are (a question of the full checklist)."""
    questions = kb.questions(QuestionSet.DETAILED)
    readiness = assess(kb, QuestionSet.DETAILED, {q.id: 0 for q in questions})
    profile = {"sector": "municipal", "region": "tehran"}
    completed = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    return Results(1, kb, readiness, advise(kb, readiness, profile), None, profile, completed)


def plain(text: str) -> str:
    return html.unescape(TAGS.sub("", text))


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_the_advice_and_the_plan_name_the_domestic_messengers_in_the_readers_language(
    shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    kb = shipped_kb
    assert kb.profile.sectors and any(s.key == "municipal" for s in kb.profile.sectors)
    results = absent_everywhere(kb)
    advised = {
        step.step_id
        for item in results.report.items
        for step in (*item.steps, *(s for f in item.findings for s in f.steps))
    }
    assert {"pilot_one_service", "open_accounts_where_citizens_are"} <= advised
    text = plain("\n".join(r.text for r in render_results(Renderer(), locale, results)))
    renderer = Renderer()
    plan_at = text.index(renderer.text(locale, "plan_title"))
    advice, plan = text[:plan_at], text[plan_at:]
    for part in (advice, plan):
        assert DOMESTIC[locale] in part
        assert "{platforms}" not in part and "{filtered}" not in part
    # Telegram appears only where the step says not to build on a filtered platform.
    for part in (advice, plan):
        assert part.count(TELEGRAM[locale]) == part.count(FILTERED[locale]) >= 1


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_the_report_names_the_platforms_from_the_kb(
    shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    page = plain(render_report_document(Renderer(), locale, absent_everywhere(shipped_kb), ()))
    assert DOMESTIC[locale] in page
    assert "{platforms}" not in page and "{filtered}" not in page
    assert page.count(TELEGRAM[locale]) == page.count(FILTERED[locale]) >= 1
