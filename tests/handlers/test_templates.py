"""Every message template renders in both locales with data built from the shipped KB.

Each render must be HTML that Telegram accepts, fit in messages once split, show Persian digits
to Persian readers (ASCII ones only inside isolated LTR runs and code), and escape what users
typed. The catalogs have the same keys, with the same placeholders, in both locales.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.emulator import parse_html, utf16_len
from handlers.callbacks import EvidenceCards, EvidenceOrigin
from handlers.checklist.service import Results, Step
from handlers.checklist.views import render_results, render_step
from handlers.evidence import views as evidence_views
from handlers.i18n import LOCALES, Renderer
from handlers.kb_admin import telegram as admin
from handlers.kb_admin.service import ActiveSummary, RevisionInfo
from handlers.kb_admin.upload import UploadCheck, UploadRefusal
from handlers.organisations.service import OrganisationAdded, OrganisationInfo
from handlers.registry import COMMANDS
from handlers.replies import MESSAGE_LIMIT, split_message
from knowledge import (
    PROFILE_FIELDS,
    Case,
    Effect,
    InterviewState,
    KnowledgeBase,
    Locale,
    Notice,
    QuestionSet,
    SearchIndex,
    advise,
    assess,
    compare,
    count_summary,
    current_view,
    diff_kb,
    load_kb,
    to_document,
    validate_document,
)
from tests.handlers.checklist.recheck_samples import recheck_texts
from tests.handlers.plan.samples import plan_texts
from tests.handlers.statistics.samples import stats_texts

FSI_RUN = re.compile("\u2068[^\u2069]*\u2069")
CODE = re.compile(r"<code>.*?</code>", re.S)
PERSIAN_DIGITS = re.compile("[۰-۹]")
ASCII_DIGITS = re.compile("[0-9]")
MIXED: list[int | None] = [4, 3, 1, 0, 2, 4, None, 3, 0, 1, 4, 4, 2, 0, 3, 1]
USER_TEXT = '<script>alert("x")</script> & Sons'
WHEN = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
# Latin runs keep their digits: names and identifiers ("UTF-8", "tra_c1") and the English
# messages of the KB validator shown to administrators; a number on its own does not.
LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9 \t_.,:;!?'\"()\[\]/+\-]*")
Sample = tuple[str, ...]  # one message as sent: its parts, in order


class RecordingRenderer(Renderer):
    """The real renderer, noting which templates were rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.rendered: set[str] = set()

    def render(self, locale: Locale, template: str, **data: Any) -> str:
        """Render as usual and remember the template's name."""
        self.rendered.add(template)
        return super().render(locale, template, **data)


def answers_for(kb: KnowledgeBase, question_set: QuestionSet, values: list[int | None]) -> dict:
    """Answers to every question of `question_set`, cycling through `values`."""
    questions = kb.questions(question_set)
    return {q.id: values[i % len(values)] for i, q in enumerate(questions)}


def results(
    kb: KnowledgeBase,
    values: list[int | None],
    previous: list[int | None] | None,
    question_set: QuestionSet = QuestionSet.CORE,
    sector_means: dict[str, float] | None = None,
) -> Results:
    """Results of an assessment, compared with an earlier one when `previous` is given."""
    readiness = assess(kb, question_set, answers_for(kb, question_set, values))
    comparison = None
    if previous is not None:
        before = assess(kb, QuestionSet.CORE, answers_for(kb, QuestionSet.CORE, previous))
        comparison = compare(before, readiness)
    profile = {"sector": kb.profile.sectors[0].key, "organisation": USER_TEXT}
    return Results(
        1, kb, readiness, advise(kb, readiness, profile), comparison, profile, WHEN, sector_means
    )


def interview_states(kb: KnowledgeBase) -> Iterator[InterviewState]:
    """A state for every view: each profile step, the question set, questions, and the end."""
    profile: dict[str, str] = {}
    values = {
        "sector": kb.profile.sectors[0].key,
        "region": kb.profile.regions[-1].key,
        "organisation": USER_TEXT,
        "role": kb.profile.roles[0].key,
    }
    for name in PROFILE_FIELDS:
        yield InterviewState(profile=dict(profile))
        profile[name] = values[name]
    yield InterviewState(profile=profile)
    core = kb.questions(QuestionSet.CORE)
    detailed = kb.questions(QuestionSet.DETAILED)
    for cursor in (0, len(core) - 1):
        yield InterviewState(profile=profile, question_set=QuestionSet.CORE, cursor=cursor)
    for value in (None, *(option.value for option in kb.scale.options)):
        answers = {core[0].id: value}
        yield InterviewState(profile, QuestionSet.CORE, answers, cursor=0)
    with_help = next(i for i, q in enumerate(detailed) if q.help is not None)
    yield InterviewState(profile, QuestionSet.DETAILED, cursor=with_help)
    yield InterviewState(profile, QuestionSet.DETAILED, cursor=len(detailed) - 1)


def checklist_texts(renderer: Renderer, kb: KnowledgeBase, locale: Locale) -> Iterator[Sample]:
    """Every checklist message: each view with and without each notice, and the results."""
    yield (renderer.render(locale, "welcome.html"),)
    for state in interview_states(kb):
        for notice in (None, *Notice):
            step = Step(locale, kb, assessment_id=1, view=current_view(kb, state), notice=notice)
            yield tuple(reply.text for reply in render_step(renderer, step))
    all_drivers: list[int | None] = [4]
    nothing: list[int | None] = [None]
    for values, previous in ((MIXED, None), (MIXED, MIXED[::-1]), (all_drivers, nothing)):
        done = Step(locale, kb, assessment_id=1, results=results(kb, values, previous))
        yield tuple(reply.text for reply in render_step(renderer, done))
    # Every stage condition, "don't know" inside a scored sub-factor, and the sector's means.
    means = {factor.key: 40.0 + 5 * i for i, factor in enumerate(kb.factors)}
    for values, question_set in (([0], QuestionSet.CORE), (MIXED, QuestionSet.DETAILED)):
        done = Step(
            locale, kb, assessment_id=1, results=results(kb, values, None, question_set, means)
        )
        yield tuple(reply.text for reply in render_step(renderer, done))
    yield tuple(r.text for r in render_results(renderer, locale, results(kb, nothing, None)))


def other_feature_texts(renderer: Renderer, kb: KnowledgeBase, locale: Locale) -> Iterator[Sample]:
    """The reminder, the evidence browser and the administrators' messages."""
    yield (renderer.render(locale, "reminder.html", number=9, total=16),)
    yield (renderer.render(locale, "reminder.html", number=None, total=None),)
    yield (evidence_views.factors_screen(renderer, locale, kb).text,)
    yield (evidence_views.explore_screen(renderer, locale, kb).text,)
    for factor in kb.factors:
        yield (evidence_views.subfactors_screen(renderer, locale, kb, factor.key).text,)
    for subfactor in kb.subfactors:
        for page in range(len(subfactor.evidence)):
            origin = list(EvidenceOrigin)[page % len(EvidenceOrigin)]
            screen = evidence_views.cards_screen(
                renderer, locale, kb, EvidenceCards(subfactor.key, page, origin)
            )
            assert screen is not None
            yield (screen.text,)
    index = SearchIndex(kb)
    for query in ("شفافیت", "budget training", "zzzz"):
        yield (evidence_views.answer_screen(renderer, locale, kb, index.search(query)).text,)
    yield from admin_texts(renderer, kb, locale)
    yield from stats_texts(renderer, kb, locale, results(kb, MIXED, None))
    yield from plan_texts(renderer, kb, locale)
    yield from recheck_texts(renderer, kb, locale)


def admin_texts(renderer: Renderer, kb: KnowledgeBase, locale: Locale) -> Iterator[Sample]:
    """The /kb… and /org… replies, with an upload refused, invalid, unchanged and changed."""
    document = to_document(kb)
    broken = copy.deepcopy(document)
    broken["factors"][0]["subfactors"][0]["questions"] = []
    broken["thresholds"] = {"driver": 250}
    changed = copy.deepcopy(document)
    changed["factors"][0]["subfactors"][0]["title"]["en"] = "Openness"
    del changed["references"][-1]
    changed_kb = load_kb(changed) if not validate_document(changed) else kb
    checks = [
        *(
            UploadCheck(USER_TEXT, 1, refusal=refusal, detail=USER_TEXT)
            for refusal in UploadRefusal
        ),
        UploadCheck("kb.yaml", 1, problems=tuple(validate_document(broken))),
        UploadCheck("kb.yaml", 1, diff=diff_kb(kb, kb), counts=count_summary(kb)),
        UploadCheck(
            "kb.yaml", 1, diff=diff_kb(kb, changed_kb), counts=count_summary(kb), upload_id=7
        ),
    ]
    for check in checks:
        yield tuple(reply.text for reply in admin.render_upload_check(renderer, locale, check))
    revision = RevisionInfo(2, "admin:11111111", WHEN, USER_TEXT, "ab" * 32, active=True)
    older = replace(revision, number=1, note="", active=False)
    summary = ActiveSummary(revision, count_summary(kb))
    yield (renderer.render(locale, "admin_kb.html", summary=summary),)
    yield (renderer.render(locale, "admin_history.html", revisions=[revision, older]),)
    organisation = OrganisationInfo("water", USER_TEXT, WHEN, respondents=12)
    link = "https://t.me/pishran_bot?start=org_water"
    for created in (True, False):
        added = OrganisationAdded(organisation, created=created)
        yield (renderer.render(locale, "admin_org_added.html", added=added, link=link),)
    for organisations in ([organisation], []):
        yield (renderer.render(locale, "admin_orgs.html", organisations=organisations),)


def all_texts(renderer: Renderer, kb: KnowledgeBase, locale: Locale) -> list[Sample]:
    """Every sample message in `locale`."""
    return [*checklist_texts(renderer, kb, locale), *other_feature_texts(renderer, kb, locale)]


def outside_ltr_runs(html: str) -> str:
    """The plain text with isolated LTR runs and code (identifiers, paths) left out."""
    plain, _ = parse_html(CODE.sub("", html))
    return FSI_RUN.sub("", plain)


def message_templates(renderer: Renderer) -> set[str]:
    """Templates of whole messages (partials start with "_"; documents/ are not messages)."""
    return {t for t in renderer.templates() if "/" not in t and not t.startswith("_")}


@pytest.fixture(scope="module")
def recorded(shipped_kb: KnowledgeBase) -> tuple[RecordingRenderer, dict[Locale, list[Sample]]]:
    """Every sample message, by locale, rendered once for the whole module."""
    renderer = RecordingRenderer()
    return renderer, {locale: all_texts(renderer, shipped_kb, locale) for locale in LOCALES}


@pytest.fixture(scope="module")
def rendered(
    recorded: tuple[RecordingRenderer, dict[Locale, list[Sample]]],
) -> dict[Locale, list[Sample]]:
    """Every sample message, by locale."""
    return recorded[1]


def test_every_message_template_has_sample_data(
    recorded: tuple[RecordingRenderer, dict[Locale, list[Sample]]],
) -> None:
    renderer, _ = recorded
    missing = message_templates(renderer) - renderer.rendered
    assert not missing, f"add sample data for {sorted(missing)} to test_templates.py"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_render_is_html_telegram_accepts_and_fits(
    rendered: dict[Locale, list[Sample]], locale: Locale
) -> None:
    for sample in rendered[locale]:
        assert sample, "no message"
        for html in sample:
            for part in split_message(html):
                plain, _ = parse_html(part)  # raises on HTML Telegram rejects
                assert 0 < utf16_len(plain.strip()) <= MESSAGE_LIMIT


def test_persian_renders_use_persian_digits(rendered: dict[Locale, list[Sample]]) -> None:
    with_digits = 0
    for sample in rendered["fa"]:
        shown = LATIN_TOKEN.sub("", outside_ltr_runs("\n\n".join(sample)))
        assert not ASCII_DIGITS.search(shown), shown
        with_digits += bool(PERSIAN_DIGITS.search(shown))
    assert with_digits > len(rendered["fa"]) // 2


def test_english_renders_have_no_persian_digits(rendered: dict[Locale, list[Sample]]) -> None:
    for sample in rendered["en"]:
        for html in sample:
            plain, _ = parse_html(html)
            assert not PERSIAN_DIGITS.search(plain), plain


def test_a_number_shown_in_english_is_shown_in_persian_digits(
    rendered: dict[Locale, list[Sample]],
) -> None:
    assert len(rendered["fa"]) == len(rendered["en"])
    for fa, en in zip(rendered["fa"], rendered["en"], strict=True):
        english = LATIN_TOKEN.sub("", outside_ltr_runs("\n\n".join(en)))
        if ASCII_DIGITS.search(english):
            assert PERSIAN_DIGITS.search(outside_ltr_runs("\n\n".join(fa))), (fa, en)


@pytest.mark.parametrize("locale", LOCALES)
def test_what_users_typed_is_escaped(shipped_kb: KnowledgeBase, locale: Locale) -> None:
    renderer = Renderer()
    organisation = OrganisationInfo("water", USER_TEXT, WHEN, respondents=3)
    samples = [
        renderer.render(locale, "admin_orgs.html", organisations=[organisation]),
        renderer.render(
            locale,
            "admin_org_added.html",
            added=OrganisationAdded(organisation, created=True),
            link="https://t.me/pishran_bot?start=org_water",
        ),
        str(renderer.markup(locale, "admin_org_created", name=USER_TEXT)),
    ]
    for html in samples:
        assert "<script>" not in html
        assert "&lt;script&gt;" in html and "&amp; Sons" in html
        plain, entities = parse_html(html)
        assert USER_TEXT in plain
        assert all(
            e["type"] not in ("text_link", "url") or "script" not in str(e) for e in entities
        )


def keys_of(catalog: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every key of a catalog, nested groups as dotted paths, with its value."""
    found: dict[str, Any] = {}
    for key, value in catalog.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            found.update(keys_of(value, f"{path}."))
        else:
            found[path] = value
    return found


def test_every_locale_has_the_same_keys_and_placeholders() -> None:
    catalogs = {locale: keys_of(Renderer().catalogs[locale]) for locale in LOCALES}
    assert catalogs["fa"].keys() == catalogs["en"].keys()
    for key, fa in catalogs["fa"].items():
        en = catalogs["en"][key]
        assert isinstance(fa, str) and isinstance(en, str), key
        assert fa.strip() and en.strip(), key
        placeholders = {
            locale: set(re.findall(r"{(\w+)}", text)) for locale, text in (("fa", fa), ("en", en))
        }
        assert placeholders["fa"] == placeholders["en"], key


@pytest.mark.parametrize(
    ("group", "members"),
    [
        ("notice", {notice.value for notice in Notice}),
        ("effect", {effect.value for effect in Effect} | {"unknown"}),
        ("case", {case.value for case in Case}),
        ("ask", set(PROFILE_FIELDS)),
        ("commands", set(COMMANDS)),
    ],
)
def test_every_group_has_a_member_for_each_value_it_serves(group: str, members: set[str]) -> None:
    for locale in LOCALES:
        catalog = Renderer().catalogs[locale]
        assert members <= set(catalog[group]), (locale, group, members - set(catalog[group]))


FSI, PDI = "\u2068", "\u2069"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_citation_is_one_isolate_with_its_link_on_a_line_of_its_own(
    shipped_kb: KnowledgeBase, locale: Locale
) -> None:
    renderer = Renderer()
    references = shipped_kb.references
    html = renderer.render(locale, "results_references.html", references=references)
    plain, _ = parse_html(html)
    entries = [
        p.lstrip("\u200f") for p in plain.split("\n\n") if p.lstrip("\u200f").startswith("[")
    ]
    assert len(entries) == len(references)
    for entry, ref in zip(entries, references, strict=True):
        # Exactly one isolate pair, around the whole citation, and nothing nested in it.
        assert entry.count(FSI) == 1 and entry.count(PDI) == 1, entry
        isolated = entry[entry.index(FSI) + 1 : entry.index(PDI)]
        assert ref.title.split()[0] in isolated
        # No empty author slot: a reference without authors starts with its title.
        assert isolated.startswith(ref.authors[0] if ref.authors else ref.title[:10])
        assert not isolated.startswith((".", " ", "("))
        if ref.link:  # the link is the next line, never glued to the pages
            assert entry.split("\n")[1] == ref.link
            assert f".{ref.link}" not in entry


def test_the_evidence_card_cites_in_one_isolate(shipped_kb: KnowledgeBase) -> None:
    renderer = Renderer()
    sf = shipped_kb.subfactors[0]
    evidence = sf.evidence[0]
    html = renderer.render(
        "fa",
        "evidence_card.html",
        subfactor=sf,
        factor=shipped_kb.factor(sf.factor_key),
        evidence=evidence,
        reference=shipped_kb.reference(evidence.ref),
        number=1,
        total=len(sf.evidence),
    )
    plain, _ = parse_html(html)
    source = next(line for line in plain.split("\n") if line.startswith("منبع:"))
    assert source.count(FSI) == 1 and source.count(PDI) == 1 and source.endswith(PDI)
