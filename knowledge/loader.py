"""Load and validate a knowledge base from YAML or JSON; every error names its exact path."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.build import build_kb
from knowledge.checks import check_v1, check_v2
from knowledge.model import KnowledgeBase
from knowledge.parsing import (
    MAX_DEPTH,
    TIME_LIMIT_SECONDS,
    DocumentLimitError,
    load_bounded_json,
    load_bounded_yaml,
)
from knowledge.problems import Problem, pattern_code, problem
from knowledge.schema import KBDocument
from knowledge.schema_v1 import KBDocumentV1
from knowledge.upgrade import upgrade_v1

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


class KBValidationError(ValueError):
    """A knowledge base document is not valid; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def shipped_kb_path() -> Path:
    """The path of the knowledge base shipped with the package (revision 1)."""
    return Path(str(resources.files("knowledge") / "data" / "kb.yaml"))


def parse_document(
    raw: bytes | str, *, suffix: str = ".yaml", time_limit: float = TIME_LIMIT_SECONDS
) -> dict[str, Any]:
    """Parse YAML (safe loader) or JSON text into a plain document, or raise KBValidationError.

    Bounded (see knowledge.parsing): YAML aliases, too many nodes, too deep a nesting, or
    more than `time_limit` seconds of parsing each give one problem, before objects are built.
    """
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
        if suffix.lower() == ".json":
            data = load_bounded_json(raw)
        else:
            data = load_bounded_yaml(raw, time_limit=time_limit)
    except DocumentLimitError as exc:
        raise KBValidationError([problem("", exc.code, **exc.params)]) from None
    except (yaml.YAMLError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        raise KBValidationError([problem("", "syntax", detail=str(exc))]) from None
    except RecursionError:  # a guard above missed a way to nest: still a refusal, not a crash
        raise KBValidationError([problem("", "too_deep", limit=MAX_DEPTH)]) from None
    if not isinstance(data, dict):
        raise KBValidationError([problem("", "not_mapping")])
    return data


def read_document(path: Path) -> dict[str, Any]:
    """Read and parse a KB file (JSON by its `.json` suffix, YAML otherwise)."""
    return parse_document(path.read_bytes(), suffix=path.suffix)


def validate_document(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem in a KB document (version 1 or 2); an empty list means it is valid."""
    if not isinstance(data, Mapping):
        return [problem("", "not_mapping")]
    version = _version(data)
    if version is None:
        return [problem("version", "unknown_version")]
    schema: type[KBDocument | KBDocumentV1] = KBDocument if version == 2 else KBDocumentV1
    problems: list[Problem] = []
    try:
        schema.model_validate(data)
    except ValidationError as exc:
        problems.extend(_schema_problem(err) for err in exc.errors())
    problems.extend(check_v2(data) if version == 2 else check_v1(data))
    return problems


def load_kb(data: Mapping[str, Any]) -> KnowledgeBase:
    """Validate a document and build the immutable knowledge base, or raise KBValidationError.

    A version 1 document is upgraded to version 2 in memory (knowledge/upgrade.py).
    """
    problems = validate_document(data)
    if problems:
        raise KBValidationError(problems)
    if _version(data) == 2:
        return build_kb(KBDocument.model_validate(data))
    v1 = KBDocumentV1.model_validate(data)
    try:
        upgraded = KBDocument.model_validate(upgrade_v1(data))
    except ValidationError as exc:  # a bug in the upgrade, never the document's fault
        raise KBValidationError(_schema_problem(err) for err in exc.errors()) from None
    return build_kb(upgraded, v1_stage_mins={s.key: s.min for s in v1.stages})


@functools.cache  # immutable, and its file does not change while the process runs
def load_shipped_kb() -> KnowledgeBase:
    """The knowledge base shipped with the package, read and validated once per process."""
    return load_kb(read_document(shipped_kb_path()))


def _version(data: Mapping[str, Any]) -> int | None:
    """1 or 2 (a document without `version` is version 1); None for anything else."""
    version = data.get("version", 1)
    return version if type(version) is int and version in (1, 2) else None


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
