"""The shipped knowledge base holds the paper's model, in correct Persian and English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from knowledge.loader import read_document, shipped_kb_path
from knowledge.model import Condition, Effect, KnowledgeBase, QuestionSet, SubFactor
from knowledge.steps import Step
from knowledge.upgrade import FORMAL_RULES

FACTORS = {
    "managerial": (
        "transparency",
        "executive_enforcement",
        "manager_training",
        "capital_budgeting",
    ),
    "organizational": (
        "organizational_policies",
        "organizational_structure_communication",
        "organizational_processes",
    ),
    "human": ("user_training", "user_resistance", "functionality_usability", "citizen_experience"),
    "infrastructural": (
        "technical_infrastructure",
        "financial_infrastructure",
        "legal_infrastructure",
        "specialized_infrastructure",
        "cultural_infrastructure",
    ),
}
SUBFACTOR_KEYS = [key for keys in FACTORS.values() for key in keys]
DRIVERS = {"citizen_experience", "technical_infrastructure"}

# GLOSSARY.md: the same idea always has the same Persian word.
GLOSSARY_TITLES = {
    "managerial": "عوامل مدیریتی",
    "organizational": "عوامل سازمانی",
    "human": "عوامل انسانی",
    "infrastructural": "عوامل زیرساختی",
    "transparency": "شفافیت",
    "executive_enforcement": "ضمانت اجرایی",
    "manager_training": "آموزش مدیران",
    "capital_budgeting": "بودجه‌ریزی سرمایه‌ای",
    "organizational_policies": "سیاست‌های سازمانی",
    "organizational_structure_communication": "ساختار و ارتباطات سازمانی",
    "organizational_processes": "فرایندهای سازمانی",
    "user_training": "آموزش کاربران",
    "user_resistance": "مقاومت کاربران",
    "functionality_usability": "کارکرد و کاربردپذیری",
    "citizen_experience": "تجربه شهروندان",
    "technical_infrastructure": "زیرساخت فنی",
    "financial_infrastructure": "زیرساخت مالی",
    "legal_infrastructure": "زیرساخت حقوقی",
    "specialized_infrastructure": "زیرساخت تخصصی",
    "cultural_infrastructure": "زیرساخت فرهنگی",
}
GLOSSARY_SCALE = ("وجود ندارد", "در حد برنامه", "تا حدودی", "تا حد زیادی", "به‌طور کامل")
GLOSSARY_STAGES = {
    "experimentation": "تجربه‌ورزی غیررسمی",
    "order_from_chaos": "نظم‌بخشی به آشفتگی",
    "institutionalization": "نهادینه‌سازی",
}

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
PERSIAN_LETTER = re.compile("[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]")
ARABIC_YEH_KAF = re.compile("[يك]")


def _fa_texts(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every Persian text of the raw document with its path, wherever it sits."""
    if isinstance(node, dict):
        if isinstance(node.get("fa"), str):
            yield f"{path}.fa", node["fa"]
        for key, child in node.items():
            yield from _fa_texts(child, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _fa_texts(child, f"{path}[{i}]")


FA_TEXTS = list(_fa_texts(read_document(shipped_kb_path())))


def _advice_steps(kb: KnowledgeBase, sf: SubFactor) -> list[Step]:
    """Every step a sub-factor's advice can name: its bands' and its questions' low answers."""
    ids = [i for a in sf.advice.bands for i in a.steps]
    ids += [i for q in sf.questions if q.low is not None for i in q.low.steps]
    return [kb.step(i) for i in dict.fromkeys(ids)]


def _cited_refs(kb: KnowledgeBase, sf: SubFactor) -> set[str]:
    steps = _advice_steps(kb, sf)
    variants = [v for step in steps for v in step.variants]
    return (
        {e.ref for e in sf.evidence}
        | {r for step in steps for r in step.refs}
        | {r for v in variants for r in v.refs}
    )


def test_factors_and_subfactors_are_the_papers_in_order(shipped_kb: KnowledgeBase) -> None:
    assert {f.key: tuple(sf.key for sf in f.subfactors) for f in shipped_kb.factors} == FACTORS
    assert [f.key for f in shipped_kb.factors] == list(FACTORS)
    assert [len(f.subfactors) for f in shipped_kb.factors] == [4, 3, 4, 5]


def test_subfactors_know_their_factor(shipped_kb: KnowledgeBase) -> None:
    for factor in shipped_kb.factors:
        assert {sf.factor_key for sf in factor.subfactors} == {factor.key}


@pytest.mark.parametrize("key", SUBFACTOR_KEYS)
def test_baseline_follows_the_paper(shipped_kb: KnowledgeBase, key: str) -> None:
    expected = Effect.DRIVER if key in DRIVERS else Effect.OBSTACLE

    assert shipped_kb.subfactor(key).baseline is expected


@pytest.mark.parametrize("key", SUBFACTOR_KEYS)
def test_each_subfactor_has_core_and_detailed_questions(
    shipped_kb: KnowledgeBase, key: str
) -> None:
    sets = [q.set for q in shipped_kb.subfactor(key).questions]

    assert sets.count(QuestionSet.CORE) >= 1
    assert sets.count(QuestionSet.DETAILED) >= 1


def test_core_set_has_16_questions_one_per_subfactor(shipped_kb: KnowledgeBase) -> None:
    core = shipped_kb.questions(QuestionSet.CORE)

    assert len(core) == 16
    assert [shipped_kb.subfactor_of(q.id).key for q in core] == SUBFACTOR_KEYS


def test_detailed_set_asks_every_question(shipped_kb: KnowledgeBase) -> None:
    detailed = shipped_kb.questions(QuestionSet.DETAILED)
    detailed_only = [q for q in detailed if q.set is QuestionSet.DETAILED]

    assert len(detailed_only) >= 32
    assert len(detailed) == 50  # 16 core and 34 detailed-only (docs/scoring.md, section 11)
    assert set(shipped_kb.questions(QuestionSet.CORE)) <= set(detailed)


@pytest.mark.parametrize("key", SUBFACTOR_KEYS)
def test_each_subfactor_has_evidence_from_two_references(
    shipped_kb: KnowledgeBase, key: str
) -> None:
    evidence = shipped_kb.subfactor(key).evidence

    assert len(evidence) >= 2
    assert len({e.ref for e in evidence}) >= 2


@pytest.mark.parametrize("key", SUBFACTOR_KEYS)
def test_each_band_has_cited_steps(shipped_kb: KnowledgeBase, key: str) -> None:
    advice = shipped_kb.subfactor(key).advice

    assert [a.band for a in advice.bands] == [b.key for b in shipped_kb.bands]
    for band_advice in advice.bands:
        # 1-4 in a version 2 KB; a version 1 case (upgraded) had up to 5 actions.
        assert 1 <= len(band_advice.steps) <= 5
        assert all(shipped_kb.step(i).refs for i in band_advice.steps)


def test_every_cited_reference_resolves(shipped_kb: KnowledgeBase) -> None:
    cited = set().union(*(_cited_refs(shipped_kb, sf) for sf in shipped_kb.subfactors))

    assert cited
    assert cited <= {r.key for r in shipped_kb.references}


# Records whose only pages seen are document-sharing copies (which `kb lint` refuses): no DOI or
# publisher page is in shared/research/references.yaml yet, so the KB gives no link for them.
NO_LINK_IN_RECORDS = {"picazovela2016"}


def test_every_cited_reference_has_a_doi_or_url(shipped_kb: KnowledgeBase) -> None:
    cited = set().union(*(_cited_refs(shipped_kb, sf) for sf in shipped_kb.subfactors))
    without_link = sorted(key for key in cited if not shipped_kb.reference(key).link)

    assert without_link == sorted(NO_LINK_IN_RECORDS)


def test_dois_look_like_dois(shipped_kb: KnowledgeBase) -> None:
    dois = [r.doi for r in shipped_kb.references if r.doi]

    assert dois
    assert [doi for doi in dois if not DOI.match(doi)] == []


def test_reference_links_use_doi_org_or_http(shipped_kb: KnowledgeBase) -> None:
    for reference in shipped_kb.references:
        if reference.doi:
            assert reference.link == f"https://doi.org/{reference.doi}"
        elif reference.url:
            assert reference.link.startswith(("https://", "http://"))


def test_seed_reference_links_to_the_paper(shipped_kb: KnowledgeBase) -> None:
    seed = shipped_kb.reference("seed")

    assert "رسانه‌های اجتماعی" in seed.title
    assert seed.link


def test_every_persian_text_contains_persian_letters() -> None:
    assert len(FA_TEXTS) > 300
    assert [path for path, text in FA_TEXTS if not PERSIAN_LETTER.search(text)] == []


def test_no_persian_text_uses_arabic_yeh_or_kaf() -> None:
    assert [path for path, text in FA_TEXTS if ARABIC_YEH_KAF.search(text)] == []


def test_no_arabic_yeh_or_kaf_anywhere_in_the_file() -> None:
    raw = shipped_kb_path().read_text(encoding="utf-8")

    assert not ARABIC_YEH_KAF.search(raw)


@pytest.mark.parametrize("key", list(GLOSSARY_TITLES))
def test_persian_titles_are_the_glossary_terms(shipped_kb: KnowledgeBase, key: str) -> None:
    title = shipped_kb.factor(key).title if key in FACTORS else shipped_kb.subfactor(key).title

    assert title.fa == GLOSSARY_TITLES[key]


def test_every_factor_and_subfactor_title_is_in_the_glossary(shipped_kb: KnowledgeBase) -> None:
    keys = [f.key for f in shipped_kb.factors] + [sf.key for sf in shipped_kb.subfactors]

    assert sorted(keys) == sorted(GLOSSARY_TITLES)


def test_scale_is_0_to_4_with_glossary_labels(shipped_kb: KnowledgeBase) -> None:
    scale = shipped_kb.scale

    assert [o.value for o in scale.options] == [0, 1, 2, 3, 4]
    assert tuple(o.label.fa for o in scale.options) == GLOSSARY_SCALE
    assert scale.dont_know.fa == "نمی‌دانم"
    assert scale.max_value == 4


def test_driver_threshold_is_60(shipped_kb: KnowledgeBase) -> None:
    assert shipped_kb.driver_threshold == 60


def test_three_stages_follow_the_formal_rules(shipped_kb: KnowledgeBase) -> None:
    # Mergel & Bretschneider (2013): institutionalization needs the formal rules in place.
    stages = shipped_kb.stages

    assert [s.key for s in stages] == list(GLOSSARY_STAGES)
    assert {s.key: s.title.fa for s in stages} == GLOSSARY_STAGES
    assert stages[0].requires is None
    chaos, institution = stages[1].requires, stages[2].requires
    assert chaos is not None and institution is not None
    assert (chaos.condition, chaos.band) == (Condition.ANY_AT_LEAST, "started")
    assert institution.condition is Condition.ALL_DRIVERS
    assert set(chaos.subfactors) == set(institution.subfactors) == set(FORMAL_RULES)


def test_index_is_a_weighted_mean_with_equal_weights(shipped_kb: KnowledgeBase) -> None:
    assert shipped_kb.index_method == "weighted_mean"
    assert set(shipped_kb.index_weights.values()) == {1.0}


def test_bands_are_absent_started_partly_established(shipped_kb: KnowledgeBase) -> None:
    assert [(b.key, b.min_score) for b in shipped_kb.bands] == [
        ("absent", 0),
        ("started", 25),
        ("partly", 50),
        ("established", 75),
    ]


def test_question_ids_are_unique(shipped_kb: KnowledgeBase) -> None:
    ids = [q.id for sf in shipped_kb.subfactors for q in sf.questions]
    retired = [q.id for q in shipped_kb.retired_questions()]

    # The 50 asked and the 17 retired by the revision of issue 15: a key is never reused.
    assert len(ids) == len(set(ids)) == 50 + len(retired) == 67


def test_profile_offers_lists_for_sector_region_and_role(shipped_kb: KnowledgeBase) -> None:
    profile = shipped_kb.profile

    for choices in (profile.sectors, profile.regions, profile.roles):
        assert len(choices) >= 2
        assert len({c.key for c in choices}) == len(choices)
