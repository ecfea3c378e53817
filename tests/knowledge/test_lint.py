"""The KB linter: each rule fails on a bad text and passes on a good one; the shipped KB passes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge import read_document, shipped_kb_path
from knowledge.lint import (
    LintSettings,
    advising_subfactors,
    catalog_problems,
    confirmed_from_records,
    coverage,
    lint_document,
    persian_problems,
)
from knowledge.lint_data import CONFIRMED, GLOSSARY_PAIRS

ZWNJ = "\u200c"


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return read_document(shipped_kb_path())


def codes(text: str) -> list[str]:
    return [p.code for p in persian_problems("x.fa", text)]


# (rule, a text that breaks it, the same idea written right)
PERSIAN_CASES = [
    ("arabic_letter", "سازمان يک کانال دارد", "سازمان یک کانال دارد"),
    ("arabic_letter", "كانال رسمی", "کانال رسمی"),
    ("zwnj_prefix", "پاسخ داده می شود", f"پاسخ داده می{ZWNJ}شود"),
    ("zwnj_prefix", "پاسخ نمی دهد", f"پاسخ نمی{ZWNJ}دهد"),
    ("zwnj_suffix", "رسانه های اجتماعی", f"رسانه{ZWNJ}های اجتماعی"),
    ("zwnj_suffix", "رسانههای اجتماعی", f"رسانه{ZWNJ}های اجتماعی"),
    ("zwnj_suffix", "کانال ها", f"کانال{ZWNJ}ها"),
    ("zwnj_suffix", "مهم ترین گام", f"مهم{ZWNJ}ترین گام"),
    ("zwnj_suffix", "ساده تر", f"ساده{ZWNJ}تر"),
    ("latin_decimal", "وب 2.0", "وب ۲٫۰"),
    ("latin_decimal", "وب ۲.۰", "وب ۲٫۰"),
    ("glossary", "این مجرا رسمی است", "این کانال رسمی است"),
    ("glossary", "نمره سازمان", "امتیاز سازمان"),
    ("glossary", "از این مجراها و مجرای رسمی", "از این کانال‌ها و کانال رسمی"),
    ("glossary", f"دیدگاه{ZWNJ}های شهروندان", "نظرهای شهروندان"),
    ("glossary", "به عنوان نمونه", f"به{ZWNJ}عنوان نمونه"),
    ("latin_word", "مدلی بر پایه UTAUT", "مدلی درباره پذیرش فناوری"),
    ("latin_word", "شاخص Klout", "شاخص اثرگذاری در شبکه"),
    ("arabic_digit", "۱۶ زیرعامل و \u0663 عامل", "۱۶ زیرعامل و ۳ عامل"),
    ("ezafe_mark", "نسخه\u0654 فعال", "نسخه فعال"),
    ("ezafe_mark", "ارائ\u06c0 خدمات", "ارائه خدمات"),
    ("latin_punctuation", "بخش, استان", "بخش، استان"),
    ("latin_punctuation", "آماده است?", "آماده است؟"),
    ("latin_punctuation", "کوتاه; کامل", "کوتاه؛ کامل"),
    ("middle_dot", "۷۵ · جاافتاده", "۷۵، جاافتاده"),
    ("middle_dot", "۳ پرسش · ۴ شاهد", "۳ پرسش، ۴ شاهد"),
    ("glossary", "مرور ملی آن را پیشران می‌داند", "در وضعیت کلی کشور پیشران است"),
    ("glossary", "سؤالی دارید", "پرسشی دارید"),
    ("glossary", "وزن همه آنها", f"وزن همه آن{ZWNJ}ها"),
    ("glossary", "نظرات شهروندان", "نظرهای شهروندان"),
    ("glossary", "صفحه فیسبوک", f"صفحه فیس{ZWNJ}بوک"),
]


@pytest.mark.parametrize(("code", "bad", "good"), PERSIAN_CASES)
def test_each_persian_rule_flags_the_bad_text_and_passes_the_good(
    code: str, bad: str, good: str
) -> None:
    assert code in codes(bad)
    assert codes(good) == []


def test_words_that_merely_contain_a_rule_word_pass() -> None:
    # میز/میان start with «می», تنها ends with «ها», بهتر ends with «تر», سکوت starts with «سکو»
    assert codes("میز و میان، تنها و بهتر؛ سکوت") == []


def test_allowed_latin_words_pass() -> None:
    assert codes("شناسه DOI و فایل PDF") == []


def test_catalog_texts_are_checked_without_their_markup_placeholders_and_commands() -> None:
    text = "<b>{count} پرسش</b> &lt;{k}؛ /start و <code>/plan tz Asia/Tehran</code> را بفرستید"
    assert catalog_problems("welcome", text) == []
    [found] = catalog_problems("welcome", "<b>{count}</b> پرسش · نمره")[:1]
    assert found.code == "middle_dot"
    assert [p.code for p in catalog_problems("x", "کد {code} · نمره")] == ["middle_dot", "glossary"]


def test_a_catalog_may_allow_more_latin_words() -> None:
    assert [p.code for p in catalog_problems("x", "زبان English")] == ["latin_word"]
    assert catalog_problems("x", "زبان English", frozenset({"English"})) == []


def test_a_problem_is_told_in_persian_and_english_with_its_path() -> None:
    [found] = persian_problems("factors[0].description.fa", "وب 2.0")
    assert found.path == "factors[0].description.fa"
    assert "٫" in found.describe("fa") and "separator" in found.describe("en")
    assert str(found).startswith("factors[0].description.fa: ")


def test_every_glossary_pair_is_flagged_and_its_replacement_is_not() -> None:
    for found, use in GLOSSARY_PAIRS:
        assert "glossary" in codes(f"متن {found} متن"), found
        assert "glossary" not in codes(f"متن {use} متن"), use


def evidence_of(document: dict[str, Any], key: str) -> list[dict[str, Any]]:
    for factor in document["factors"]:
        for subfactor in factor["subfactors"]:
            if subfactor["key"] == key:
                evidence: list[dict[str, Any]] = subfactor["evidence"]
                return evidence
    raise KeyError(key)


def lint_codes(
    document: dict[str, Any], settings: LintSettings | None = None, *, at: str = ""
) -> set[str]:
    return {p.code for p in lint_document(document, settings) if p.path.startswith(at)}


def test_too_few_evidence_items_and_studies_are_flagged(shipped: dict[str, Any]) -> None:
    document = copy.deepcopy(shipped)
    evidence = evidence_of(document, "transparency")
    del evidence[2:]
    problems = [p for p in lint_document(document) if p.path == "factors[0].subfactors[0].evidence"]
    assert {p.code for p in problems} == {"coverage_items", "coverage_studies"}
    assert all(dict(p.params)["subfactor"] == "transparency" for p in problems)


def test_an_item_about_another_sub_factor_does_not_count_and_is_flagged(
    shipped: dict[str, Any],
) -> None:
    document = copy.deepcopy(shipped)
    off_topic = next(k for k, subs in CONFIRMED.items() if subs and "transparency" not in subs)
    evidence_of(document, "transparency")[0]["ref"] = off_topic
    assert "evidence_off_topic" in lint_codes(document)
    row = next(r for r in coverage(document) if r.subfactor == "transparency")
    assert off_topic not in row.studies


def test_citing_an_unconfirmed_reference_in_a_step_or_evidence_is_flagged(
    shipped: dict[str, Any],
) -> None:
    assert "seed" not in CONFIRMED
    document = copy.deepcopy(shipped)
    document["steps"][0]["refs"].append("seed")
    evidence_of(document, "transparency")[0]["ref"] = "seed"
    problems = [p for p in lint_document(document) if p.code == "unconfirmed_ref"]
    assert {p.path.split(".")[0] for p in problems} == {"steps[0]", "factors[0]"}


def test_a_step_citing_a_study_about_none_of_its_sub_factors_is_flagged(
    shipped: dict[str, Any],
) -> None:
    document = copy.deepcopy(shipped)
    advising = advising_subfactors(document)
    i, step = next((i, s) for i, s in enumerate(document["steps"]) if advising.get(s["id"]))
    about = set(advising[step["id"]])
    off_topic = next(k for k, subs in CONFIRMED.items() if subs and not about & set(subs))
    on_topic = next(k for k, subs in CONFIRMED.items() if about & set(subs))
    step["refs"] = [on_topic, off_topic]
    problems = [p for p in lint_document(document) if p.path.startswith(f"steps[{i}].")]
    assert [(p.path, p.code) for p in problems] == [(f"steps[{i}].refs[1]", "step_off_topic")]
    assert step["id"] in advising and advising[step["id"]][0] in problems[0].message


def test_a_link_to_a_mirror_domain_is_flagged_and_the_deny_list_is_configurable(
    shipped: dict[str, Any],
) -> None:
    document = copy.deepcopy(shipped)
    at = "references[1]."
    document["references"][1]["url"] = "https://www.scribd.com/document/123/copy"
    assert lint_codes(document, at=at) == {"mirror_link"}
    document["references"][1]["url"] = "https://doi.org/10.1016/j.giq.2016.04.006"
    assert lint_codes(document, at=at) == set()
    document["references"][1]["url"] = "https://copies.example.org/paper"
    assert lint_codes(document, at=at) == set()
    own = LintSettings(mirror_domains=("example.org",))
    assert lint_codes(document, own, at=at) == {"mirror_link"}


@pytest.mark.parametrize(
    "url",
    [
        "https://c.coek.info/pdf-opening-the-black-box.html",
        "https://docslib.org/doc/123/social-media",
        "https://online.documentine.com/social-media.html",
    ],
)
def test_the_copies_the_research_records_saw_are_mirrors(shipped: dict[str, Any], url: str) -> None:
    document = copy.deepcopy(shipped)
    document["references"][1]["url"] = url
    assert lint_codes(document, at="references[1].") == {"mirror_link"}


def test_every_shipped_reference_links_to_a_doi_or_a_publisher_page_if_any(
    shipped: dict[str, Any],
) -> None:
    # picazovela2016: the records found no DOI and no publisher page, only copies; no link.
    by_key = {r["key"]: r for r in shipped["references"]}
    assert by_key["picazovela2016"]["doi"] == "" and by_key["picazovela2016"]["url"] == ""
    assert all(p.code != "mirror_link" for p in lint_document(shipped))


def test_confirmed_records_are_read_from_a_records_document() -> None:
    records = {
        "references": [
            {"key": "a2020", "confirmed": True, "supports": [{"subfactor": "transparency"}]},
            {"key": "b2020", "confirmed": False, "supports": [{"subfactor": "transparency"}]},
            {"key": "c2020", "confirmed": True, "supports": []},
        ]
    }
    assert confirmed_from_records(records) == {"a2020": ("transparency",), "c2020": ()}


def test_the_shipped_kb_passes_the_linter(shipped: dict[str, Any]) -> None:
    assert [str(p) for p in lint_document(shipped)] == []


def test_every_sub_factor_of_the_shipped_kb_meets_the_coverage_rule(
    shipped: dict[str, Any],
) -> None:
    rows = coverage(shipped)
    assert len(rows) == sum(len(f["subfactors"]) for f in shipped["factors"])
    for row in rows:
        evidence = evidence_of(shipped, row.subfactor)
        assert row.items == len(evidence) >= 4, row.subfactor
        about = {e["ref"] for e in evidence if row.subfactor in CONFIRMED.get(e["ref"], ())}
        assert row.studies == about and len(about) >= 3, row.subfactor


# The project's research records, where a clone sits below them (shared/research/ is no part of
# the repository); CI clones skip this check.
RECORDS = next(
    (
        folder / "shared/research/references.yaml"
        for folder in Path(__file__).resolve().parents
        if (folder / "shared/research/references.yaml").exists()
    ),
    None,
)


@pytest.mark.skipif(RECORDS is None, reason="the research records are not above this clone")
def test_the_shipped_confirmed_list_matches_the_research_records() -> None:
    assert RECORDS is not None
    records = yaml.safe_load(RECORDS.read_text(encoding="utf-8"))
    assert confirmed_from_records(records) == dict(CONFIRMED)
