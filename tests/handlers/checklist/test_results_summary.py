"""The results summary as a civil servant reads it: weights, stage, urgent labels, priorities."""

from __future__ import annotations

import html as html_module
import re

import pytest

from handlers.checklist.service import Results
from handlers.checklist.views import render_results
from handlers.i18n import Renderer
from knowledge import KnowledgeBase, Locale, QuestionSet, advise, assess, normalise_digits

# The worked example of docs/scoring.md: citizen experience is the one urgent obstacle.
WORKED: list[int | None] = [3, 0, 3, 2, 1, 4, 4, 3, 3, None, 2, 4, 4, 3, 3, 4]


def summary_of(kb: KnowledgeBase, locale: Locale) -> tuple[Results, str]:
    core = kb.questions(QuestionSet.CORE)
    readiness = assess(kb, QuestionSet.CORE, dict(zip([q.id for q in core], WORKED, strict=True)))
    results = Results(1, kb, readiness, advise(kb, readiness))
    html = render_results(Renderer(), locale, results)[0].text
    return results, normalise_digits(html_module.unescape(re.sub(r"<[^>]+>", "", html)))


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_urgent_labels_and_the_priorities_agree(shipped_kb: KnowledgeBase, locale: Locale) -> None:
    results, text = summary_of(shipped_kb, locale)
    renderer = Renderer()
    urgent = renderer.text(locale, "results_urgent")
    lines = text.splitlines()
    labelled = {
        sf.key
        for sf in shipped_kb.subfactors
        for line in lines
        if line.startswith(("🟢", "🔴", "⚪"))
        and sf.title.get(locale) + ":" in line
        and urgent in line
    }
    assert labelled == {sf.key for sf in results.readiness.subfactors if sf.urgent}
    assert labelled == {"citizen_experience"}
    start = lines.index(renderer.text(locale, "results_priorities"))
    ranked = lines[start + 1 :]
    assert [line.split(". ", 1)[0] for line in ranked] == [
        str(n) for n in range(1, len(results.readiness.ranking) + 1)
    ]
    for line, priority in zip(ranked, results.readiness.ranking, strict=True):
        assert shipped_kb.subfactor(priority.subfactor_key).title.get(locale) in line
        assert (urgent in line) is priority.urgent
    assert urgent in ranked[0]  # urgent first


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_the_summary_states_weights_stage_condition_and_confidence(
    shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    _, text = summary_of(shipped_kb, locale)
    renderer = Renderer()
    assert normalise_digits(renderer.text(locale, "results_weights_equal", count=15)) in text
    held = next(
        line for line in text.splitlines() if "Institutionalization" in line or "نهادینه" in line
    )
    for key in ("organizational_policies", "executive_enforcement"):
        assert shipped_kb.subfactor(key).title.get(locale) in held.rsplit(":", 1)[-1]
    assert text.count(renderer.text(locale, "results_one_answer")) == 15
    assert renderer.text(locale, "results_no_answer") in text
    # The national column reports the review's finding, never other agencies or a score.
    assert "most agencies" not in text and "بیشتر سازمان" not in text
    assert text.count(renderer.text(locale, "national", "driver")) == 2
