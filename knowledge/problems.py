"""Validation problems of a knowledge base document, told in Persian or English.

A problem keeps its path (`factors[0].subfactors[3].key`, the same in every language), a
`code` naming the rule it breaks (pydantic's error type, or one of the loader's own rules)
and the values that rule needs (`params`). `message` is the English text for logs and the
command line; `describe(locale)` tells an administrator in their language. A code with no
text here (a pydantic error type not seen in this schema) falls back to pydantic's English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from knowledge.model import Locale, Text
from knowledge.schema import DOI_PATTERN, KEY_PATTERN, URL_PATTERN
from knowledge.text import to_persian_digits

__all__ = ["MESSAGES", "Problem", "pattern_code", "problem"]

# One entry per code; `{name}` placeholders are filled from the problem's params.
MESSAGES: Mapping[str, Text] = {
    # File and document
    "too_large": Text("حجم فایل بیش از ۱ مگابایت است", "file is larger than 1 MB"),
    "not_utf8": Text("فایل متن UTF-8 نیست", "file is not UTF-8 text"),
    "not_text": Text("فایل متنی نیست (نویسه NUL دارد)", "file is not text (it contains NUL bytes)"),
    "syntax": Text("YAML یا JSON معتبر نیست: {detail}", "not valid YAML or JSON: {detail}"),
    "aliases": Text(
        "لنگر و ارجاع YAML (&name و *name) پذیرفته نیست؛ هر مقدار را کامل بنویسید",
        "YAML anchors and aliases (&name, *name) are not accepted: write each value out in full",
    ),
    "too_many_nodes": Text(
        "سند بیش از {limit} مقدار دارد", "the document has more than {limit} values"
    ),
    "too_deep": Text(
        "تودرتویی سند بیش از {limit} سطح است",
        "the document is nested more than {limit} levels deep",
    ),
    "too_slow": Text("خواندن سند بیش از اندازه طول کشید", "reading the document took too long"),
    "not_mapping": Text(
        "سند باید در بالاترین سطح یک نگاشت (فیلدها با مقدارشان) باشد",
        "the document must be a mapping at the top level",
    ),
    # The loader's own rules
    "duplicate": Text(
        "{what} تکراری «{value}»؛ نخستین بار در {first}",
        "duplicate {what} '{value}' (first at {first})",
    ),
    "stage_zero": Text("یکی از مرحله‌ها باید از کمینه ۰ آغاز شود", "one stage must start at min 0"),
    "scale_zero": Text(
        "مقیاس باید مقدار ۰ (وجود ندارد) را داشته باشد", "the scale must include 0 (not in place)"
    ),
    "core_question": Text(
        "دست‌کم یک پرسش از مجموعه پایه (core) لازم است که کنار گذاشته نشده باشد",
        "needs at least one core question that is not retired",
    ),
    "unknown_reference": Text("کلید منبع ناشناخته «{ref}»", "unknown reference key '{ref}'"),
    # Rules of schema version 2 (bands, owners, steps, stage conditions, answer-level advice)
    "unknown_version": Text("نسخه سند باید ۱ یا ۲ باشد", "the document version must be 1 or 2"),
    "band_zero": Text("نخستین بازه باید از کمینه ۰ آغاز شود", "the first band must start at min 0"),
    "band_order": Text(
        "کمینه بازه‌ها باید صعودی باشد: این کمینه باید بیشتر از {previous} باشد",
        "band minimums must ascend: this one must be more than {previous}",
    ),
    "block_reason_other": Text(
        "فهرست دلیل‌های توقف باید دلیل «{key}» را داشته باشد (همان که توضیح می‌خواهد)",
        "the blocking reasons must include '{key}' (the one that asks for a note)",
    ),
    "unknown_owner": Text("نقش مسئول ناشناخته «{owner}»", "unknown owner '{owner}'"),
    "unknown_step": Text("شناسه گام ناشناخته «{step}»", "unknown step id '{step}'"),
    "step_cycle": Text(
        "پیش‌نیازهای گام‌ها دور می‌سازند: {cycle}", "step requirements form a cycle: {cycle}"
    ),
    "unknown_platform": Text(
        "کلید بستر ناشناخته «{platform}»", "unknown platform key '{platform}'"
    ),
    "filtered_platform": Text(
        "بستر «{platform}» در ایران فیلتر است؛ گامی نباید آن را برای ارائه خدمات توصیه کند",
        "platform '{platform}' is filtered in Iran: no step may recommend it for services",
    ),
    "platforms_unused": Text(
        "این گام بسترهایی را نام می‌برد، اما متن فارسی و انگلیسی آن هر دو باید {placeholder}"
        " را داشته باشند تا نام بسترها آنجا بیاید",
        "the step names platforms, so its Persian and English texts must both hold"
        " {placeholder} where their names go",
    ),
    "platforms_missing": Text(
        "متن {placeholder} دارد اما فهرستی برای آن نیست: بسترها را در platforms گام نام ببرید"
        " (برای {filtered} دست‌کم یک بستر فیلترشده در فهرست بسترها لازم است)",
        "the text holds {placeholder} but nothing fills it: name the step's platforms"
        " (for {filtered}, the KB's platforms need at least one filtered one)",
    ),
    "unknown_sector": Text("کلید بخش ناشناخته «{sector}»", "unknown sector key '{sector}'"),
    "variant_when": Text(
        "شرط این گزینه جایگزین خالی است: منطقه یا بخش را مشخص کنید",
        "the variant's condition is empty: give a region or a sector",
    ),
    "stage_first_requires": Text(
        "نخستین مرحله شرطی ندارد؛ شرط را بردارید",
        "the first stage has no condition; remove it",
    ),
    "stage_requires": Text(
        "هر مرحله جز نخستین باید شرط داشته باشد",
        "every stage but the first needs a condition (requires)",
    ),
    "requires_form": Text(
        "شرط مرحله باید یکی از این دو شکل باشد: any_at_least همراه با of، یا all_drivers",
        "a stage condition is either any_at_least with of, or all_drivers",
    ),
    "unknown_band": Text("کلید بازه ناشناخته «{band}»", "unknown band key '{band}'"),
    "unknown_subfactor": Text(
        "کلید زیرعامل ناشناخته «{subfactor}»", "unknown sub-factor key '{subfactor}'"
    ),
    "low_at_most": Text(
        "مقدار at_most باید کمتر از بیشترین مقدار مقیاس ({max}) باشد",
        "at_most must be below the highest scale value ({max})",
    ),
    "low_missing": Text(
        "هر پرسش پایه (core) باید یافته پاسخ پایین (low) داشته باشد",
        "every core question needs a low-answer finding (low)",
    ),
    "dont_know_missing": Text(
        "هر پرسش پایه (core) باید توصیه «نمی‌دانم» (dont_know) داشته باشد",
        "every core question needs don't-know advice (dont_know)",
    ),
    "unknown_scale": Text(
        "مقیاس «{scale}» در scales تعریف نشده است", "scale '{scale}' is not defined in scales"
    ),
    "scale_values": Text(
        "گزینه‌های این مقیاس باید همان مقدارهای مقیاس اصلی ({count} مقدار از {low} تا {top}) را"
        " داشته باشند",
        "this scale's options must have the main scale's values ({count} from {low} to {top})",
    ),
    "unknown_question": Text(
        "شناسه پرسش ناشناخته «{question}»", "unknown question id '{question}'"
    ),
    "replaced_by_retired": Text(
        "پرسش «{question}» خود کنار گذاشته شده است؛ جانشین باید پرسشی باشد که هنوز پرسیده می‌شود",
        "question '{question}' is retired itself: a replacement must be a question still asked",
    ),
    "band_step_is_low": Text(
        "گام «{step}» گام پاسخ پایینِ پرسش «{question}» از همین زیرعامل است؛ توصیه بازه"
        " نباید آن را بیاورد (فقط وقتی به آن پرسش پاسخ پایین داده شود افزوده می‌شود)",
        "step '{step}' is the low-answer step of question '{question}' of this sub-factor;"
        " a band's advice must not include it (it is added only when that question is"
        " answered low)",
    ),
    # Shapes and values (pydantic's error types)
    "missing": Text("لازم است، ولی نیامده است", "required, but missing"),
    "extra_forbidden": Text(
        "این فیلد شناخته نیست (نوشتار آن را بررسی کنید)", "not a known field (check its spelling)"
    ),
    "string_type": Text("باید متن باشد", "must be text"),
    "string_too_short": Text(
        "دست‌کم {min_length} نویسه لازم است (خالی نباشد)",
        "must have at least {min_length} character(s)",
    ),
    "string_too_long": Text(
        "حداکثر {max_length} نویسه مجاز است", "must have at most {max_length} characters"
    ),
    "key_pattern": Text(
        "باید از حروف کوچک لاتین، رقم و _ باشد و با حرف آغاز شود",
        "must be lowercase Latin letters, digits and _, starting with a letter",
    ),
    "doi_pattern": Text(
        "باید یک DOI مانند 10.1000/xyz123 یا خالی باشد",
        "must be a DOI such as 10.1000/xyz123, or empty",
    ),
    "url_pattern": Text(
        "باید نشانی‌ای با http:// یا https:// یا خالی باشد",
        "must be an http:// or https:// address, or empty",
    ),
    "string_pattern_mismatch": Text(
        "شکل درستی ندارد (الگوی {pattern})", "does not match the pattern {pattern}"
    ),
    "int_type": Text("باید عدد صحیح باشد", "must be a whole number"),
    "int_parsing": Text("باید عدد صحیح باشد", "must be a whole number"),
    "int_from_float": Text("باید عدد صحیح باشد", "must be a whole number"),
    "float_type": Text("باید عدد باشد", "must be a number"),
    "float_parsing": Text("باید عدد باشد", "must be a number"),
    "bool_type": Text("باید true یا false باشد", "must be true or false"),
    "bool_parsing": Text("باید true یا false باشد", "must be true or false"),
    "greater_than_equal": Text("باید دست‌کم {ge} باشد", "must be at least {ge}"),
    "greater_than": Text("باید بیشتر از {gt} باشد", "must be more than {gt}"),
    "less_than_equal": Text("باید حداکثر {le} باشد", "must be at most {le}"),
    "less_than": Text("باید کمتر از {lt} باشد", "must be less than {lt}"),
    "literal_error": Text("باید یکی از این‌ها باشد: {expected}", "must be {expected}"),
    "too_short": Text("دست‌کم {min_length} مورد لازم است", "needs at least {min_length} item(s)"),
    "too_long": Text("حداکثر {max_length} مورد مجاز است", "may have at most {max_length} items"),
    "list_type": Text("باید فهرست باشد", "must be a list"),
    "model_type": Text(
        "باید نگاشت (فیلدها با مقدارشان) باشد", "must be a mapping (fields with their values)"
    ),
    "dict_type": Text(
        "باید نگاشت (فیلدها با مقدارشان) باشد", "must be a mapping (fields with their values)"
    ),
}

# How a duplicate names what is repeated; the value of `what` in params.
_WHAT: Mapping[str, Text] = {
    "reference key": Text("کلید منبع", "reference key"),
    "stage key": Text("کلید مرحله", "stage key"),
    "stage minimum": Text("کمینه مرحله", "stage minimum"),
    "key": Text("کلید", "key"),
    "scale value": Text("مقدار مقیاس", "scale value"),
    "factor key": Text("کلید عامل", "factor key"),
    "sub-factor key": Text("کلید زیرعامل", "sub-factor key"),
    "question id": Text("شناسه پرسش", "question id"),
    "band key": Text("کلید بازه", "band key"),
    "owner key": Text("کلید نقش مسئول", "owner key"),
    "step id": Text("شناسه گام", "step id"),
    "block reason key": Text("کلید دلیل توقف", "blocking reason key"),
}


def pattern_code(pattern: object) -> str:
    """A code for a pattern mismatch that says what the pattern is for, where it is known."""
    codes = {KEY_PATTERN: "key_pattern", DOI_PATTERN: "doi_pattern", URL_PATTERN: "url_pattern"}
    return codes.get(str(pattern), "string_pattern_mismatch")


def _shown(name: str, value: Any, locale: Locale) -> str:
    if name == "what" and value in _WHAT:
        return _WHAT[value].get(locale)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return to_persian_digits(str(value)) if locale == "fa" else str(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation problem at a path such as `factors[0].subfactors[3].advice.fa`."""

    path: str
    message: str
    code: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def describe(self, locale: Locale) -> str:
        """What is wrong, in `locale` (without the path, which reads the same in both)."""
        text = MESSAGES.get(self.code)
        if text is None:
            return self.message
        values = {k: _shown(k, v, locale) for k, v in self.params}
        if locale == "fa" and "expected" in values:  # pydantic's "'a', 'b' or 'c'"
            values["expected"] = values["expected"].replace(" or ", " یا ")
        return text.get(locale).format(**values)


def problem(path: str, code: str, **params: Any) -> Problem:
    """A problem of one of the rules in MESSAGES, with its English message filled in."""
    message = MESSAGES[code].en.format(**{k: _shown(k, v, "en") for k, v in params.items()})
    return Problem(path, message, code, tuple(params.items()))
