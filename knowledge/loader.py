"""Load and validate a knowledge base from YAML or JSON; every error names its exact path."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.model import (
    Action,
    Advice,
    AdviceCase,
    Choice,
    Effect,
    Evidence,
    EvidenceEffect,
    Factor,
    KnowledgeBase,
    ProfileOptions,
    Question,
    QuestionSet,
    Reference,
    Scale,
    ScaleOption,
    Stage,
    SubFactor,
    Text,
)
from knowledge.problems import Problem, pattern_code, problem
from knowledge.schema import KBDocument

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "KBValidationError",
    "Problem",
    "load_kb",
    "load_shipped_kb",
    "parse_document",
    "read_document",
    "shipped_kb_path",
    "validate_document",
]

MAX_DOCUMENT_BYTES = 1_000_000
# libyaml's safe loader when PyYAML was built with it: five times faster on the shipped KB.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KBValidationError(ValueError):
    """A knowledge base document is not valid; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def shipped_kb_path() -> Path:
    """The path of the knowledge base shipped with the package (revision 1)."""
    return Path(str(resources.files("knowledge") / "data" / "kb.yaml"))


def parse_document(raw: bytes | str, *, suffix: str = ".yaml") -> dict[str, Any]:
    """Parse YAML (safe loader) or JSON text into a plain document, or raise KBValidationError."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise KBValidationError([problem("", "too_large")])
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KBValidationError([problem("", "not_utf8")]) from None
    if "\x00" in raw:
        raise KBValidationError([problem("", "not_text")])
    try:
        data = json.loads(raw) if suffix.lower() == ".json" else yaml.load(raw, _SafeLoader)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise KBValidationError([problem("", "syntax", detail=str(exc))]) from None
    if not isinstance(data, dict):
        raise KBValidationError([problem("", "not_mapping")])
    return data


def read_document(path: Path) -> dict[str, Any]:
    """Read and parse a KB file (JSON by its `.json` suffix, YAML otherwise)."""
    return parse_document(path.read_bytes(), suffix=path.suffix)


def validate_document(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem in a KB document; an empty list means it is valid."""
    if not isinstance(data, Mapping):
        return [problem("", "not_mapping")]
    problems: list[Problem] = []
    try:
        KBDocument.model_validate(data)
    except ValidationError as exc:
        problems.extend(_schema_problem(err) for err in exc.errors())
    problems.extend(_cross_checks(data))
    return problems


def load_kb(data: Mapping[str, Any]) -> KnowledgeBase:
    """Validate a document and build the immutable knowledge base, or raise KBValidationError."""
    problems = validate_document(data)
    if problems:
        raise KBValidationError(problems)
    return _build(KBDocument.model_validate(data))


@functools.cache  # immutable, and its file does not change while the process runs
def load_shipped_kb() -> KnowledgeBase:
    """The knowledge base shipped with the package, read and validated once per process."""
    return load_kb(read_document(shipped_kb_path()))


def _path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_problem(error: Any) -> Problem:
    """A pydantic error as a problem: its type is the code, its context the params."""
    code, context = error["type"], error.get("ctx") or {}
    if code == "string_pattern_mismatch":
        code = pattern_code(context.get("pattern"))
    params = tuple(
        (name, value if isinstance(value, int | float | str) else str(value))
        for name, value in context.items()
    )
    return Problem(_path(error["loc"]), error["msg"], code, params)


def _items(data: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _duplicates(pairs: Iterable[tuple[str, Any]], what: str) -> Iterator[Problem]:
    seen: dict[Any, str] = {}
    for path, value in pairs:
        if not isinstance(value, str | int) or isinstance(value, bool):
            continue
        if value in seen:
            yield problem(path, "duplicate", what=what, value=value, first=seen[value])
        else:
            seen[value] = path


def _cross_checks(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Rules that span the document: unique ids and keys, known references, question sets."""
    yield from _duplicates(
        ((f"references[{i}].key", r.get("key")) for i, r in _items(data, "references")),
        "reference key",
    )
    yield from _duplicates(
        ((f"stages[{i}].key", s.get("key")) for i, s in _items(data, "stages")), "stage key"
    )
    yield from _duplicates(
        ((f"stages[{i}].min", s.get("min")) for i, s in _items(data, "stages")), "stage minimum"
    )
    stage_mins = [s.get("min") for _, s in _items(data, "stages")]
    if stage_mins and 0 not in stage_mins:
        yield problem("stages", "stage_zero")
    profile = data.get("profile")
    for name in ("sectors", "regions", "roles"):
        yield from _duplicates(
            ((f"profile.{name}[{i}].key", c.get("key")) for i, c in _items(profile, name)),
            "key",
        )
    scale = data.get("scale")
    yield from _duplicates(
        ((f"scale.options[{i}].value", o.get("value")) for i, o in _items(scale, "options")),
        "scale value",
    )
    if _items(scale, "options") and 0 not in [o.get("value") for _, o in _items(scale, "options")]:
        yield problem("scale.options", "scale_zero")

    known_refs = {
        r.get("key") for _, r in _items(data, "references") if isinstance(r.get("key"), str)
    }
    factors = _items(data, "factors")
    yield from _duplicates(((f"factors[{i}].key", f.get("key")) for i, f in factors), "factor key")
    subfactors = [
        (f"factors[{i}].subfactors[{j}]", sf)
        for i, f in factors
        for j, sf in _items(f, "subfactors")
    ]
    yield from _duplicates(((f"{p}.key", sf.get("key")) for p, sf in subfactors), "sub-factor key")
    yield from _duplicates(
        (
            (f"{p}.questions[{k}].id", q.get("id"))
            for p, sf in subfactors
            for k, q in _items(sf, "questions")
        ),
        "question id",
    )
    for path, sf in subfactors:
        yield from _check_subfactor(path, sf, known_refs)


def _check_subfactor(path: str, sf: Mapping[str, Any], known_refs: set[Any]) -> Iterator[Problem]:
    questions = _items(sf, "questions")
    if questions and not any(q.get("profile") == "core" for _, q in questions):
        yield problem(f"{path}.questions", "core_question")
    for k, ev in _items(sf, "evidence"):
        # A ref that is not a string at all is reported by the schema, not here.
        if isinstance(ev.get("ref"), str) and ev["ref"] not in known_refs:
            yield problem(f"{path}.evidence[{k}].ref", "unknown_reference", ref=ev["ref"])
    advice = sf.get("advice")
    for case in ("obstacle", "driver"):
        case_doc = advice.get(case) if isinstance(advice, Mapping) else None
        for a, action in _items(case_doc, "actions"):
            refs = action.get("refs")
            for r, ref in enumerate(refs if isinstance(refs, list) else []):
                if isinstance(ref, str) and ref not in known_refs:
                    yield problem(
                        f"{path}.advice.{case}.actions[{a}].refs[{r}]", "unknown_reference", ref=ref
                    )


def _text(doc: Any) -> Text:
    return Text(fa=doc.fa, en=doc.en)


def _build(doc: KBDocument) -> KnowledgeBase:
    return KnowledgeBase(
        scale=Scale(
            options=tuple(ScaleOption(o.value, _text(o.label)) for o in doc.scale.options),
            dont_know=_text(doc.scale.dont_know),
        ),
        driver_threshold=doc.thresholds.driver,
        stages=tuple(
            sorted(
                (Stage(s.key, s.min, _text(s.title), _text(s.description)) for s in doc.stages),
                key=lambda s: s.min_score,
            )
        ),
        profile=ProfileOptions(
            sectors=tuple(Choice(c.key, _text(c.label)) for c in doc.profile.sectors),
            regions=tuple(Choice(c.key, _text(c.label)) for c in doc.profile.regions),
            roles=tuple(Choice(c.key, _text(c.label)) for c in doc.profile.roles),
        ),
        factors=tuple(
            Factor(
                key=f.key,
                title=_text(f.title),
                description=_text(f.description),
                subfactors=tuple(_build_subfactor(f.key, sf) for sf in f.subfactors),
            )
            for f in doc.factors
        ),
        references=tuple(
            Reference(
                key=r.key,
                authors=tuple(r.authors),
                year=r.year,
                title=r.title,
                venue=r.venue,
                volume=r.volume,
                issue=r.issue,
                pages=r.pages,
                doi=r.doi,
                url=r.url,
            )
            for r in doc.references
        ),
    )


def _build_case(doc: Any) -> AdviceCase:
    return AdviceCase(
        summary=_text(doc.summary),
        actions=tuple(Action(_text(a.text), tuple(a.refs)) for a in doc.actions),
    )


def _build_subfactor(factor_key: str, sf: Any) -> SubFactor:
    return SubFactor(
        key=sf.key,
        factor_key=factor_key,
        title=_text(sf.title),
        description=_text(sf.description),
        baseline=Effect(sf.baseline),
        weight=sf.weight,
        questions=tuple(
            Question(
                id=q.id,
                text=_text(q.text),
                weight=q.weight,
                set=QuestionSet(q.profile),
                help=_text(q.help) if q.help else None,
            )
            for q in sf.questions
        ),
        evidence=tuple(
            Evidence(e.ref, _text(e.finding), EvidenceEffect(e.effect)) for e in sf.evidence
        ),
        advice=Advice(
            obstacle=_build_case(sf.advice.obstacle), driver=_build_case(sf.advice.driver)
        ),
    )
