"""Persian-aware normalisation: letters, digits, invisibles, spaces and search folding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.text import fold_for_search, normalise_digits, normalise_text, to_persian_digits

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("كتاب علي", "کتاب علی"),
        ("مصطفى", "مصطفی"),
        ("ارائۀ خدمات", "ارائه خدمات"),
        ("مدرسة", "مدرسه"),
        ("سال ۱۴۰۲ و ٢٠٢٤", "سال 1402 و 2024"),
        ("\u200fسلام\u200e", "سلام"),
        ("\u061cسلام", "سلام"),
        ("\u202bمتن\u202c", "متن"),
        ("\u2067Tehran\u2069", "Tehran"),
        ("\ufeffسلام", "سلام"),
        ("zero\u200bwidth", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("a\x00b\x07c", "a b c"),
        ("a\x7fb\x85c", "a b c"),
        ("  a\t\tb\n\nc  ", "a b c"),
        ("a\u00a0b\u202fc", "a b c"),
        (f"رسانه{ZWNJ}های", f"رسانه{ZWNJ}های"),
        (f"رسانه{ZWNJ}{ZWNJ}های", f"رسانه{ZWNJ}های"),
        (f"مقاومت{ZWNJ} کاربران", "مقاومت کاربران"),
        (f"مقاومت {ZWNJ} {ZWNJ}کاربران", "مقاومت کاربران"),
        (f"{ZWNJ}سلام{ZWNJ}", "سلام"),
        ("e\u0301", "é"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۱۲/٣٤ abc 56", "12/34 abc 56"),
        ("بدون عدد", "بدون عدد"),
    ],
)
def test_normalise_digits(raw: str, expected: str) -> None:
    assert normalise_digits(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0123456789", "۰۱۲۳۴۵۶۷۸۹"), ("۳ از 5", "۳ از ۵"), ("no digits", "no digits")],
)
def test_to_persian_digits(raw: str, expected: str) -> None:
    assert to_persian_digits(raw) == expected


@given(st.text())
def test_to_persian_digits_changes_ascii_digits_and_nothing_else(text: str) -> None:
    table = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    assert to_persian_digits(text) == text.translate(table)


@given(st.text(alphabet="0123456789 /-:"))
def test_digits_round_trip(text: str) -> None:
    assert normalise_digits(to_persian_digits(text)) == text


@pytest.mark.parametrize(
    "variant",
    [
        f"رسانه{ZWNJ}های اجتماعی",
        "رسانه های اجتماعی",
        f"رسانه{ZWNJ} های اجتماعی",
        f"رسانه{ZWNJ}{ZWNJ}های  اجتماعی",
        "رسانه‌هاي اجتماعي",
        "\u200fرسانه‌های اجتماعی\u200f",
    ],
)
def test_fold_for_search_treats_zwnj_and_spacing_variants_alike(variant: str) -> None:
    assert fold_for_search(variant) == "رسانه های اجتماعی"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("?!…«»", ""),
        ("User-Resistance!", "user resistance"),
        ("user_resistance", "user resistance"),
        ("مُقاوَمَت", "مقاومت"),
        ("کتــــاب", "کتاب"),
        ("آموزش", "اموزش"),
        ("أإٱا", "اااا"),
        ("ارائه", "ارایه"),
        ("مسئول", "مسیول"),
        ("مؤسسه", "موسسه"),
        ("ارائۀ", "ارایه"),
        ("Café ÉTÉ", "cafe ete"),
        ("ﬁle ﻻ", "file لا"),
        ("سال ۱۴۰۲", "سال 1402"),
        ("«شفافیت»؟", "شفافیت"),
        ("رسانه\u200dها", "رسانهها"),
    ],
)
def test_fold_for_search(raw: str, expected: str) -> None:
    assert fold_for_search(raw) == expected


@given(st.text())
def test_normalise_text_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


@given(st.text())
def test_fold_for_search_is_idempotent(text: str) -> None:
    once = fold_for_search(text)
    assert fold_for_search(once) == once
