"""A knowledge base as a plain document (the YAML/JSON shape the loader reads), and its counts.

The inverse of `knowledge.loader.load_kb`: `load_kb(to_document(kb)) == kb`. It is what a KB
revision stores and what an administrator exports, edits and imports again.
"""

from __future__ import annotations

from typing import Any

from knowledge.model import AdviceCase, KnowledgeBase, Question, SubFactor, Text

__all__ = ["count_summary", "to_document"]


def _text_doc(text: Text) -> dict[str, str]:
    return {"fa": text.fa, "en": text.en}


def _case_doc(case: AdviceCase) -> dict[str, Any]:
    return {
        "summary": _text_doc(case.summary),
        "actions": [{"text": _text_doc(a.text), "refs": list(a.refs)} for a in case.actions],
    }


def _question_doc(q: Question) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": q.id,
        "profile": q.set.value,
        "weight": q.weight,
        "text": _text_doc(q.text),
    }
    if q.help is not None:
        doc["help"] = _text_doc(q.help)
    return doc


def _subfactor_doc(sf: SubFactor) -> dict[str, Any]:
    return {
        "key": sf.key,
        "title": _text_doc(sf.title),
        "description": _text_doc(sf.description),
        "baseline": sf.baseline.value,
        "weight": sf.weight,
        "questions": [_question_doc(q) for q in sf.questions],
        "evidence": [
            {"ref": e.ref, "effect": e.effect.value, "finding": _text_doc(e.finding)}
            for e in sf.evidence
        ],
        "advice": {
            "obstacle": _case_doc(sf.advice.obstacle),
            "driver": _case_doc(sf.advice.driver),
        },
    }


def to_document(kb: KnowledgeBase) -> dict[str, Any]:
    """The KB as a plain document (the YAML/JSON shape); `load_kb(to_document(kb)) == kb`."""
    return {
        "version": 1,
        "scale": {
            "options": [{"value": o.value, "label": _text_doc(o.label)} for o in kb.scale.options],
            "dont_know": _text_doc(kb.scale.dont_know),
        },
        "thresholds": {"driver": kb.driver_threshold},
        "stages": [
            {
                "key": s.key,
                "min": s.min_score,
                "title": _text_doc(s.title),
                "description": _text_doc(s.description),
            }
            for s in kb.stages
        ],
        "profile": {
            name: [{"key": c.key, "label": _text_doc(c.label)} for c in choices]
            for name, choices in (
                ("sectors", kb.profile.sectors),
                ("regions", kb.profile.regions),
                ("roles", kb.profile.roles),
            )
        },
        "factors": [
            {
                "key": f.key,
                "title": _text_doc(f.title),
                "description": _text_doc(f.description),
                "subfactors": [_subfactor_doc(sf) for sf in f.subfactors],
            }
            for f in kb.factors
        ],
        "references": [
            {
                "key": r.key,
                "authors": list(r.authors),
                "year": r.year,
                "title": r.title,
                "venue": r.venue,
                "volume": r.volume,
                "issue": r.issue,
                "pages": r.pages,
                "doi": r.doi,
                "url": r.url,
            }
            for r in kb.references
        ],
    }


def count_summary(kb: KnowledgeBase) -> dict[str, int]:
    """Counts for a one-line summary: factors, sub-factors, questions, evidence, references."""
    subfactors = kb.subfactors
    return {
        "factors": len(kb.factors),
        "subfactors": len(subfactors),
        "questions": sum(len(sf.questions) for sf in subfactors),
        "evidence": sum(len(sf.evidence) for sf in subfactors),
        "references": len(kb.references),
    }
