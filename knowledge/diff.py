"""What changed between two knowledge bases: items by key, and a line diff of the documents."""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from knowledge.model import KnowledgeBase, SubFactor

__all__ = ["KBDiff", "SectionDiff", "canonical_yaml", "diff_kb", "document_diff"]

# A YAML line never wraps, so that one changed text is one changed line in a diff.
_NO_WRAP = 1_000_000
# libyaml's emitter writes the same text as the pure-Python one, several times faster.
_BASE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BASE_DUMPER):  # type: ignore[misc]
    """Writes a value used twice out twice: uploads refuse anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class SectionDiff:
    """The keys added, removed and changed in one section, each in document order."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether nothing was added, removed or changed."""
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True, slots=True)
class KBDiff:
    """Changes by section; `settings` names changed top-level parts, `reordered` moved items.

    Keys: a sub-factor's and a reference's `key`, a question's `id`, evidence as
    `<sub-factor>/<reference>`, advice as `<sub-factor>.<band>` and a step by its `id`. A
    sub-factor is "changed" when one of its own fields differs (title, description, baseline,
    weight, factor); its questions, evidence and advice are counted in their own sections.
    """

    factors: SectionDiff
    subfactors: SectionDiff
    questions: SectionDiff
    evidence: SectionDiff
    advice: SectionDiff
    references: SectionDiff
    steps: SectionDiff = SectionDiff()
    settings: tuple[str, ...] = ()
    reordered: tuple[str, ...] = ()

    @property
    def sections(self) -> tuple[tuple[str, SectionDiff], ...]:
        """The item sections with their names, in a fixed order."""
        return (
            ("factors", self.factors),
            ("subfactors", self.subfactors),
            ("questions", self.questions),
            ("evidence", self.evidence),
            ("advice", self.advice),
            ("steps", self.steps),
            ("references", self.references),
        )

    @property
    def is_empty(self) -> bool:
        """Whether the two knowledge bases are the same."""
        return (
            all(section.is_empty for _, section in self.sections)
            and not self.settings
            and not self.reordered
        )


def _section(old: Mapping[str, Hashable], new: Mapping[str, Hashable]) -> SectionDiff:
    return SectionDiff(
        added=tuple(key for key in new if key not in old),
        removed=tuple(key for key in old if key not in new),
        changed=tuple(key for key in new if key in old and old[key] != new[key]),
    )


def _reordered(old: Iterable[str], new: Iterable[str]) -> bool:
    """Whether the items present in both appear in a different order."""
    old_list, new_list = list(old), list(new)
    common = set(old_list) & set(new_list)
    return [k for k in old_list if k in common] != [k for k in new_list if k in common]


def _own_fields(sf: SubFactor) -> Hashable:
    return (sf.factor_key, sf.title, sf.description, sf.baseline, sf.weight)


def _evidence(kb: KnowledgeBase) -> dict[str, Hashable]:
    items: dict[str, Hashable] = {}
    for sf in kb.subfactors:
        for ev in sf.evidence:
            key, n = f"{sf.key}/{ev.ref}", 1
            while key in items:  # the same study cited twice for one sub-factor
                n += 1
                key = f"{sf.key}/{ev.ref}#{n}"
            items[key] = ev
    return items


def _maps(kb: KnowledgeBase) -> dict[str, dict[str, Hashable]]:
    subfactors = kb.subfactors
    return {
        "factors": {f.key: (f.title, f.description) for f in kb.factors},
        "subfactors": {sf.key: _own_fields(sf) for sf in subfactors},
        "questions": {q.id: (sf.key, q) for sf in subfactors for q in sf.questions},
        "evidence": _evidence(kb),
        "advice": {f"{sf.key}.{a.band}": a for sf in subfactors for a in sf.advice.bands},
        "steps": {step.id: step for step in kb.steps},
        "references": {r.key: r for r in kb.references},
    }


def diff_kb(old: KnowledgeBase, new: KnowledgeBase) -> KBDiff:
    """Summarise what `new` adds, removes and changes relative to `old`."""
    old_maps, new_maps = _maps(old), _maps(new)
    sections = {name: _section(old_maps[name], new_maps[name]) for name in old_maps}
    settings = tuple(
        name
        for name, before, after in (
            ("scale", old.scale, new.scale),
            ("scales", old.scales, new.scales),
            ("thresholds", old.driver_threshold, new.driver_threshold),
            ("stages", old.stages, new.stages),
            ("bands", old.bands, new.bands),
            ("owners", old.owners, new.owners),
            ("platforms", old.platforms, new.platforms),
            ("block_reasons", old.block_reasons, new.block_reasons),
            ("index", old.index_method, new.index_method),
            ("profile", old.profile, new.profile),
        )
        if before != after
    )
    reordered = tuple(
        name
        for name in ("factors", "subfactors", "questions", "steps", "references")
        if _reordered(old_maps[name], new_maps[name])
    )
    return KBDiff(
        factors=sections["factors"],
        subfactors=sections["subfactors"],
        questions=sections["questions"],
        evidence=sections["evidence"],
        advice=sections["advice"],
        references=sections["references"],
        steps=sections["steps"],
        settings=settings,
        reordered=reordered,
    )


def canonical_yaml(document: Mapping[str, Any]) -> str:
    """A KB document as YAML in document order, Unicode kept, one line per scalar."""
    return yaml.dump(
        dict(document),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=_NO_WRAP,
        indent=2,
    )


def document_diff(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    old_name: str = "old",
    new_name: str = "new",
    context: int = 3,
) -> list[str]:
    """A unified line diff of two KB documents' canonical YAML (empty when they are equal)."""
    return list(
        difflib.unified_diff(
            canonical_yaml(old).splitlines(),
            canonical_yaml(new).splitlines(),
            fromfile=old_name,
            tofile=new_name,
            n=context,
            lineterm="",
        )
    )
