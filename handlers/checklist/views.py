"""Turn a checklist step into Telegram messages: rendered text and inline keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callbacks
from handlers.checklist.recheck_views import recheck_offer_rows
from handlers.checklist.service import Results, Step, position_of
from handlers.evidence.views import explore_screen
from handlers.i18n import Renderer
from handlers.plan.views import commit_button_row
from handlers.replies import Reply, split_message
from handlers.report.views import report_button
from knowledge import (
    AskProfile,
    AskQuestion,
    AskQuestionSet,
    Choice,
    Factor,
    Locale,
    QuestionSet,
    View,
    to_persian_digits,
)

__all__ = ["refinement_rows", "render_results", "render_step", "results_keyboard"]

# Columns of choice buttons: long lists (31 provinces) need more per row to stay on screen.
_COLUMNS = {"sector": 2, "region": 3, "role": 2}


def _rows(
    buttons: Sequence[InlineKeyboardButton], columns: int
) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + columns]) for i in range(0, len(buttons), columns)]


def _button(text: str, callback: callbacks.Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.encode(callback))


def _keyboard(renderer: Renderer, step: Step, view: View) -> InlineKeyboardMarkup | None:
    locale, assessment_id = step.locale, step.assessment_id
    assert assessment_id is not None
    back = _button(
        renderer.text(locale, "button_back"), callbacks.Back(assessment_id, position_of(view))
    )
    if isinstance(view, AskProfile):
        if view.options is None:
            return InlineKeyboardMarkup([[back]]) if view.step > 1 else None
        rows = _rows(
            [_choice_button(locale, assessment_id, view.field, c) for c in view.options],
            _COLUMNS.get(view.field, 2),
        )
        return InlineKeyboardMarkup([*rows, [back]] if view.step > 1 else rows)
    if isinstance(view, AskQuestionSet):
        sets = (
            (QuestionSet.CORE, "button_core", view.core_count),
            (QuestionSet.DETAILED, "button_detailed", view.detailed_count),
        )
        row = [
            _button(
                renderer.text(locale, key, count=count),
                callbacks.ChooseQuestionSet(assessment_id, question_set.value),
            )
            for question_set, key, count in sets
        ]
        return InlineKeyboardMarkup([row, [back]])
    if isinstance(view, AskQuestion):
        scale = step.kb.scale_of(view.question)
        rows = [
            [
                _button(
                    option.label.get(locale),
                    callbacks.Answer(assessment_id, view.question.id, option.value),
                )
            ]
            for option in scale.options
        ]
        dont_know = _button(
            scale.dont_know.get(locale), callbacks.Answer(assessment_id, view.question.id, None)
        )
        return InlineKeyboardMarkup([*rows, [dont_know, back]])
    return None


def _choice_button(
    locale: Locale, assessment_id: int, field: str, choice: Choice
) -> InlineKeyboardButton:
    return _button(
        choice.label.get(locale), callbacks.ChooseProfile(assessment_id, field, choice.key)
    )


_TEMPLATES = {
    AskProfile: "profile.html",
    AskQuestionSet: "question_set.html",
    AskQuestion: "question.html",
}


def render_step(renderer: Renderer, step: Step) -> list[Reply]:
    """The messages that show `step`: the current question or choice, or the results."""
    if step.results is not None:
        return render_results(renderer, step.locale, step.results)
    view = step.view
    assert view is not None
    template = _TEMPLATES[type(view)]
    text = renderer.render(
        step.locale,
        template,
        view=view,
        notice=step.notice,
        scale=step.kb.scale_of(view.question) if isinstance(view, AskQuestion) else step.kb.scale,
        refinement=step.refinement,
    )
    return [Reply(text, _keyboard(renderer, step, view))]


def refinement_rows(
    renderer: Renderer, locale: Locale, results: Results
) -> list[list[InlineKeyboardButton]]:
    """The "sharper advice in three more minutes" button, when the results offer it."""
    if not results.refinable:
        return []
    label = renderer.text(locale, "button_refine")
    return [[_button(label, callbacks.RefineResults(results.assessment_id))]]


def render_results(renderer: Renderer, locale: Locale, results: Results) -> list[Reply]:
    """The results as messages under Telegram's length limit, split between paragraphs.

    The summary (with the results keyboard), a comparison with the previous assessment, the
    advice by factor, the one action plan, the references, then the evidence browser.
    """
    kb, report, readiness = results.kb, results.report, results.readiness
    summary = split_message(
        renderer.render(
            locale,
            "results_summary.html",
            kb=kb,
            readiness=readiness,
            report=report,
            sector_means=results.sector_means or {},
            **_index_weights(renderer, locale, results),
        )
    )
    texts: list[str] = []
    if results.comparison is not None:
        texts.append(
            renderer.render(
                locale,
                "results_comparison.html",
                kb=kb,
                comparison=results.comparison,
                steps_done=results.steps_done,
            )
        )
    # The advice of all factors flows into as few messages as fit, split between sub-factors.
    advice = [_factor_advice(renderer, locale, results, factor) for factor in kb.factors]
    texts.append("\n\n".join(text for text in advice if text))
    texts.append(_plan(renderer, locale, results))
    texts.append(renderer.render(locale, "results_references.html", references=report.references))
    explore = explore_screen(renderer, locale, kb)
    return [
        *(Reply(part) for part in summary[:-1]),
        Reply(summary[-1], results_keyboard(renderer, locale, results)),
        *(Reply(part) for text in texts if text for part in split_message(text)),
        Reply(explore.text, explore.keyboard),
    ]


def results_keyboard(renderer: Renderer, locale: Locale, results: Results) -> InlineKeyboardMarkup:
    """The buttons under the results summary: the charts (drawn on request, in a worker), the
    PDF report, committing to plan steps, the offer to sharpen the advice, and to answer a
    sub-factor again once most of its steps are done."""
    rows = [
        [
            _button(
                renderer.text(locale, "button_charts"),
                callbacks.ShowCharts(results.assessment_id),
            ),
            report_button(renderer, locale, results.assessment_id),
        ],
        commit_button_row(renderer, locale, results.assessment_id),
        *refinement_rows(renderer, locale, results),
        *recheck_offer_rows(renderer, locale, results.kb, results.rechecks),
    ]
    return InlineKeyboardMarkup(rows)


def _index_weights(renderer: Renderer, locale: Locale, results: Results) -> dict[str, object]:
    """How the index weighs the sub-factors: equally, or each scored one's weight."""
    kb, readiness = results.kb, results.readiness
    scored = [sf for sf in readiness.subfactors if sf.score is not None]
    equal = len({sf.weight for sf in scored}) <= 1
    separator = renderer.text(locale, "list_separator")
    weights = separator.join(
        f"{kb.subfactor(sf.key).title.get(locale)} {format(sf.weight, 'g')}" for sf in scored
    )
    if locale == "fa":
        weights = to_persian_digits(weights)
    return {"weights_equal": equal, "scored": len(scored), "weights": weights}


def _plan(renderer: Renderer, locale: Locale, results: Results) -> str:
    """The action plan. Each step's reasons and whether it is urgent are worked out here: in
    the template, a macro and a filter chain per step took half of the plan's rendering."""
    kb, plan = results.kb, results.report.plan
    urgent = {sf.key for sf in results.readiness.subfactors if sf.urgent}
    separator = renderer.markup(locale, "list_separator")
    reasons: dict[str, Markup] = {}
    for step in plan.steps:
        answered = step.answered_subfactors
        reasons[step.step_id] = separator.join(
            renderer.markup(locale, "plan_answer", subfactor=kb.subfactor(key).title)
            if key in answered
            else escape(renderer.tr(locale, kb.subfactor(key).title))
            for key in step.subfactors
        )
    urgent_steps = {step.step_id for step in plan.steps if urgent.intersection(step.subfactors)}
    return renderer.render(
        locale,
        "results_plan.html",
        kb=kb,
        plan=plan,
        reasons=reasons,
        urgent_steps=urgent_steps,
    )


def _factor_advice(renderer: Renderer, locale: Locale, results: Results, factor: Factor) -> str:
    """One factor's advice: its scored sub-factors, then "don't know" advice of unscored ones."""
    report = results.report
    keys = [sf.key for sf in factor.subfactors]
    items = [item for item in report.items if item.subfactor_key in keys]
    advised = {item.subfactor_key for item in items}
    unscored = [
        (key, findings)
        for key in keys
        if key not in advised
        and (
            findings := [
                f for f in report.dont_know if results.kb.subfactor_of(f.question_id).key == key
            ]
        )
    ]
    if not items and not unscored:
        return ""
    return renderer.render(
        locale, "results_advice.html", kb=results.kb, factor=factor, items=items, unscored=unscored
    )
