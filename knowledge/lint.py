"""Content rules a valid knowledge base must also meet: `pishran kb lint`, `kb validate --strict`.

The validator (knowledge.loader) checks that a KB is well formed; the linter checks what an
e-government researcher and a Persian reader would: every sub-factor rests on enough evidence
from confirmed studies about it, nothing cites an unconfirmed record, a step cites studies about
a sub-factor that advises it, no link points at a document-sharing copy, and the Persian texts
keep the glossary's words and the writing rules
(Persian ی/ک, digits and punctuation, half-spaces, the decimal separator «٫», no ezafe mark
«هٔ»: the project writes the ezafe after ه nowhere; no middle dot, which reads like «۰»; no stray
Latin words). `catalog_problems` holds the bot's Persian catalogs to the same rules. Each
problem keeps its path and a code, and is told in Persian or English like the validator's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from knowledge.lint_data import (
    CONFIRMED,
    GLOSSARY_PAIRS,
    LATIN_ALLOWED,
    LINT_MESSAGES,
    MIRROR_DOMAINS,
)
from knowledge.model import Locale
from knowledge.platforms import PLACEHOLDERS
from knowledge.problems import Problem
from knowledge.text import to_persian_digits

__all__ = [
    "LINT_MESSAGES",
    "Coverage",
    "LintProblem",
    "LintSettings",
    "advising_subfactors",
    "catalog_problems",
    "confirmed_from_records",
    "coverage",
    "lint_document",
]

_LETTER = "\u0600-\u06ff"  # the Arabic-script block, Persian letters included
_WORD_EDGE = f"[{_LETTER}\u200c]"
_ARABIC = {"ي": "ی", "ك": "ک"}
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("arabic_letter", re.compile("[يك]")),
    ("zwnj_prefix", re.compile(f"(?<!{_WORD_EDGE})(ن?می) (?=[{_LETTER}])")),
    (
        "zwnj_suffix",
        re.compile(
            f"(?<=[{_LETTER}])(?: (?P<spaced>ها|های|هایی|تر|ترین)|ه(?P<joined>ها|های))"
            f"(?!{_WORD_EDGE})"
        ),
    ),
    ("arabic_digit", re.compile("[\u0660-\u0669]")),
    ("ezafe_mark", re.compile("\u0647\u0654|\u06c0")),
    ("latin_punctuation", re.compile(f"(?<=[{_LETTER}\u200c]) ?[,;?]|[,;?](?= ?[{_LETTER}])")),
    # Between two words or numbers a middle dot reads like the Persian zero «۰»: «۷۵ · ۳».
    ("middle_dot", re.compile("(?<=[^\\s]) ?[\u00b7\u22c5\u2219] ?(?=[^\\s])")),
    ("latin_decimal", re.compile("[0-9۰-۹]+[.][0-9۰-۹]+")),
    ("latin_word", re.compile("[A-Za-z][A-Za-z0-9-]*")),
)
_PERSIAN_PUNCTUATION = {",": "،", ";": "؛", "?": "؟"}
# What a catalog text holds besides its words: HTML tags and what <code> shows as is,
# {placeholders}, character references, links and /commands.
_MARKUP = re.compile(
    r"<code>.*?</code>|<[^>]+>|\{[^{}]*\}|&#?\w+;|https?://\S+|(?<![\w/])/[a-z_]+",
    re.S,
)
# A glossary word also in its inflected forms: مجرای، مجراها، دیدگاه‌های، نمره‌ای.
_INFLECTION = "(?:\u200c?(?:هایی|های|ها|ای|ی))?"
_GLOSSARY = tuple(
    (re.compile(f"(?<!{_WORD_EDGE}){re.escape(found)}{_INFLECTION}(?!{_WORD_EDGE})"), found, use)
    for found, use in GLOSSARY_PAIRS
)


@dataclass(frozen=True, slots=True)
class LintProblem(Problem):
    """A linter problem: told from LINT_MESSAGES, with numbers in Persian digits in Persian."""

    def describe(self, locale: Locale) -> str:
        """What is wrong, in `locale` (without the path, which reads the same in both)."""
        values = {
            name: to_persian_digits(str(value))
            if locale == "fa" and isinstance(value, int)
            else str(value)
            for name, value in self.params
        }
        return LINT_MESSAGES[self.code].get(locale).format(**values)


def _problem(path: str, code: str, **params: Any) -> LintProblem:
    message = LINT_MESSAGES[code].en.format(**params)
    return LintProblem(path, message, code, tuple(params.items()))


@dataclass(frozen=True, slots=True)
class LintSettings:
    """What the linter checks against; the defaults are the project's records and rules."""

    confirmed: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(CONFIRMED))
    mirror_domains: tuple[str, ...] = MIRROR_DOMAINS
    min_items: int = 4
    min_studies: int = 3


@dataclass(frozen=True, slots=True)
class Coverage:
    """The evidence of one sub-factor: its items and the confirmed studies about it."""

    subfactor: str
    path: str
    items: int
    studies: frozenset[str]


def confirmed_from_records(records: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The confirmed keys (and the sub-factors each supports) of a research-records document."""
    confirmed: dict[str, tuple[str, ...]] = {}
    for record in records.get("references") or []:
        if isinstance(record, Mapping) and record.get("confirmed") is True:
            supports = record.get("supports") or []
            confirmed[str(record["key"])] = tuple(
                str(item["subfactor"]) for item in supports if isinstance(item, Mapping)
            )
    return confirmed


def _subfactors(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for i, factor in enumerate(document.get("factors") or []):
        for j, subfactor in enumerate(factor.get("subfactors") or []):
            yield f"factors[{i}].subfactors[{j}]", subfactor


def coverage(document: Mapping[str, Any], settings: LintSettings | None = None) -> list[Coverage]:
    """Per sub-factor, in KB order: evidence items and distinct confirmed studies about it."""
    settings = settings or LintSettings()
    result = []
    for path, subfactor in _subfactors(document):
        key = str(subfactor.get("key", ""))
        refs = [str(item.get("ref", "")) for item in subfactor.get("evidence") or []]
        about = frozenset(r for r in refs if key in settings.confirmed.get(r, ()))
        result.append(Coverage(key, path, len(refs), about))
    return result


def _evidence_problems(document: Mapping[str, Any], settings: LintSettings) -> list[LintProblem]:
    problems = []
    for row in coverage(document, settings):
        if row.items < settings.min_items:
            problems.append(
                _problem(
                    f"{row.path}.evidence",
                    "coverage_items",
                    subfactor=row.subfactor,
                    count=row.items,
                    minimum=settings.min_items,
                )
            )
        if len(row.studies) < settings.min_studies:
            problems.append(
                _problem(
                    f"{row.path}.evidence",
                    "coverage_studies",
                    subfactor=row.subfactor,
                    count=len(row.studies),
                    minimum=settings.min_studies,
                )
            )
    for path, subfactor in _subfactors(document):
        for k, item in enumerate(subfactor.get("evidence") or []):
            ref, key = str(item.get("ref", "")), str(subfactor.get("key", ""))
            where = f"{path}.evidence[{k}].ref"
            if ref not in settings.confirmed:
                problems.append(_problem(where, "unconfirmed_ref", ref=ref))
            elif key not in settings.confirmed[ref]:
                problems.append(_problem(where, "evidence_off_topic", ref=ref, subfactor=key))
    return problems


def advising_subfactors(document: Mapping[str, Any]) -> dict[str, list[str]]:
    """Step id -> the sub-factors whose band or low-answer advice names it, in KB order."""
    advising: dict[str, list[str]] = {}
    for _, subfactor in _subfactors(document):
        named: list[str] = []
        for band in ((subfactor.get("advice") or {}).get("bands") or {}).values():
            named += (band or {}).get("steps") or []
        for question in subfactor.get("questions") or []:
            named += (question.get("low") or {}).get("steps") or []
        for step in dict.fromkeys(named):
            advising.setdefault(str(step), []).append(str(subfactor.get("key", "")))
    return advising


def _step_problems(document: Mapping[str, Any], settings: LintSettings) -> list[LintProblem]:
    problems: list[LintProblem] = []
    advising = advising_subfactors(document)
    for i, step in enumerate(document.get("steps") or []):
        about = advising.get(str(step.get("id", "")), [])
        cited = [(f"steps[{i}].refs", step.get("refs") or [])]
        for v, variant in enumerate(step.get("variants") or []):
            cited.append((f"steps[{i}].variants[{v}].refs", variant.get("refs") or []))
        for path, refs in cited:
            for k, ref in enumerate(refs):
                if ref not in settings.confirmed:
                    problems.append(_problem(f"{path}[{k}]", "unconfirmed_ref", ref=ref))
                elif about and not set(about) & set(settings.confirmed[ref]):
                    problems.append(
                        _problem(
                            f"{path}[{k}]", "step_off_topic", ref=ref, subfactors=", ".join(about)
                        )
                    )
    return problems


def _link_problems(document: Mapping[str, Any], settings: LintSettings) -> list[LintProblem]:
    problems = []
    for i, reference in enumerate(document.get("references") or []):
        host = (urlsplit(str(reference.get("url") or "")).hostname or "").lower()
        for domain in settings.mirror_domains:
            if host == domain or host.endswith(f".{domain}"):
                problems.append(_problem(f"references[{i}].url", "mirror_link", domain=domain))
    return problems


def _persian_texts(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every Persian text (a string under `fa`) outside the bibliographic references."""
    if isinstance(node, Mapping):
        for key, child in node.items():
            child_path = f"{path}.{key}" if path else str(key)
            if key == "fa" and isinstance(child, str):
                yield child_path, child
            elif key != "references":
                yield from _persian_texts(child, child_path)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _persian_texts(child, f"{path}[{i}]")


def _around(text: str, match: re.Match[str]) -> str:
    """The word(s) around a match, to show where it is."""
    start = text.rfind(" ", 0, max(match.start() - 1, 0)) + 1
    end = text.find(" ", match.end() + 1)
    return text[start : end if end >= 0 else len(text)].strip(" ،.:؛")


def persian_problems(path: str, text: str) -> list[LintProblem]:
    """The Persian writing problems of one text at `path`."""
    problems = []
    for code, pattern in _RULES:
        for match in pattern.finditer(text):
            found, shown = match.group(0), _around(text, match)
            if code == "arabic_letter":
                params = {"letter": found, "persian": _ARABIC[found], "text": shown}
            elif code == "zwnj_prefix":
                params = {"prefix": match.group(1), "text": shown}
            elif code == "zwnj_suffix":
                params = {"suffix": match.group("spaced") or match.group("joined"), "text": shown}
            elif code == "latin_punctuation":
                mark = found.strip()
                params = {"mark": mark, "persian": _PERSIAN_PUNCTUATION[mark], "text": shown}
            elif code == "latin_word":
                if found in LATIN_ALLOWED:
                    continue
                params = {"word": found}
            else:
                params = {"text": shown}
            problems.append(_problem(path, code, **params))
    for pattern, _word, use in _GLOSSARY:
        problems.extend(
            _problem(path, "glossary", found=match.group(0), use=use)
            for match in pattern.finditer(text)
        )
    return problems


def catalog_problems(
    path: str, text: str, allowed: frozenset[str] = frozenset()
) -> list[LintProblem]:
    """The Persian writing problems of a catalog text, its markup, placeholders and commands aside.

    `allowed` adds Latin words this catalog may show (a format name an administrator reads).
    """
    masked = _MARKUP.sub("\u25a1", text)
    return [
        problem
        for problem in persian_problems(path, masked)
        if not (problem.code == "latin_word" and dict(problem.params)["word"] in allowed)
    ]


def lint_document(
    document: Mapping[str, Any], settings: LintSettings | None = None
) -> list[LintProblem]:
    """Every content problem of a valid KB document; an empty list means it passes."""
    settings = settings or LintSettings()
    problems = _evidence_problems(document, settings)
    problems += _step_problems(document, settings)
    problems += _link_problems(document, settings)
    for path, text in _persian_texts(document):
        for placeholder in PLACEHOLDERS:  # a step's platform names, checked where they are
            text = text.replace(placeholder, "\u25a1")
        problems += persian_problems(path, text)
    return problems
