"""Profile lists in the order a reader looks for them: provinces alphabetically, national first."""

from __future__ import annotations

from knowledge import KnowledgeBase, options_in_order


def test_provinces_are_in_persian_alphabetical_order_with_the_national_level_first(
    shipped_kb: KnowledgeBase,
) -> None:
    shown = [c.label.fa for c in options_in_order("region", shipped_kb.profile.regions, "fa")]
    assert shown[0].startswith("ستاد ملی")
    assert shown[1:4] == ["آذربایجان شرقی", "آذربایجان غربی", "اردبیل"]
    assert shown[-1] == "یزد"
    # پ چ ژ گ ک ی sort as Persian letters, not by their Unicode code points.
    assert shown.index("تهران") < shown.index("چهارمحال و بختیاری") < shown.index("خراسان جنوبی")
    assert shown.index("کرمان") < shown.index("گلستان") < shown.index("لرستان")
    assert len(shown) == len(shipped_kb.profile.regions)


def test_provinces_are_in_english_alphabetical_order_for_english_readers(
    shipped_kb: KnowledgeBase,
) -> None:
    shown = [c.label.en for c in options_in_order("region", shipped_kb.profile.regions, "en")]
    assert shown[0].startswith("National")
    assert shown[1:] == sorted(shown[1:], key=str.casefold)


def test_other_lists_keep_the_knowledge_base_order(shipped_kb: KnowledgeBase) -> None:
    assert (
        options_in_order("sector", shipped_kb.profile.sectors, "fa") == shipped_kb.profile.sectors
    )
