"""A knowledge base as a plain document (the YAML/JSON shape the loader reads), and its counts.

The inverse of `knowledge.loader.load_kb`: `load_kb(to_document(kb)) == kb`. It is what a KB
revision stores and what an administrator exports, edits and imports again.
"""

from __future__ import annotations

from typing import Any

from knowledge.model import KnowledgeBase, Question, Scale, Stage, SubFactor, Text
from knowledge.platforms import Platform
from knowledge.steps import Step

__all__ = ["count_summary", "to_document"]


def _text_doc(text: Text) -> dict[str, str]:
    return {"fa": text.fa, "en": text.en}


def _scale_doc(scale: Scale) -> dict[str, Any]:
    return {
        "options": [{"value": o.value, "label": _text_doc(o.label)} for o in scale.options],
        "dont_know": _text_doc(scale.dont_know),
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
    if q.low is not None:
        doc["low"] = {
            "at_most": q.low.at_most,
            "finding": _text_doc(q.low.finding),
            "steps": list(q.low.steps),
        }
    if q.dont_know is not None:
        doc["dont_know"] = {"finding": _text_doc(q.dont_know.finding), "owner": q.dont_know.owner}
    if q.scale is not None:
        doc["scale"] = q.scale
    if q.retired is not None:
        retired: dict[str, Any] = {"replaced_by": list(q.retired.replaced_by)}
        if q.retired.reason is not None:
            retired["reason"] = _text_doc(q.retired.reason)
        doc["retired"] = retired
    return doc


def _subfactor_doc(kb: KnowledgeBase, sf: SubFactor) -> dict[str, Any]:
    doc: dict[str, Any] = {
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
    }
    if kb.version == 1:
        doc["advice"] = {
            case: {
                "summary": _text_doc(sf.advice.for_band(band).summary),
                "actions": [
                    {"text": _text_doc(kb.step(i).text), "refs": list(kb.step(i).refs)}
                    for i in sf.advice.for_band(band).steps
                ],
            }
            for case, band in (("obstacle", "absent"), ("driver", "partly"))
        }
    else:
        doc["advice"] = {
            "bands": {
                a.band: {"summary": _text_doc(a.summary), "steps": list(a.steps)}
                for a in sf.advice.bands
            }
        }
    return doc


def _step_doc(step: Step) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": step.id,
        "text": _text_doc(step.template or step.text),
        "refs": list(step.refs),
        "owner": step.owner,
        "horizon": step.horizon.value,
    }
    if step.requires:
        doc["requires"] = list(step.requires)
    if step.variants:
        doc["variants"] = [
            {
                "when": {
                    **({"region": v.when.region} if v.when.region else {}),
                    **({"sector": list(v.when.sectors)} if v.when.sectors else {}),
                },
                "text": _text_doc(v.template or v.text),
                "refs": list(v.refs),
            }
            for v in step.variants
        ]
    if step.platforms:
        doc["platforms"] = list(step.platforms)
    return doc


def _platform_doc(platform: Platform) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "key": platform.key,
        "name": _text_doc(platform.name),
        "reach": platform.reach.value,
    }
    if platform.note is not None:
        doc["note"] = _text_doc(platform.note)
    return doc


def _stage_doc(kb: KnowledgeBase, stage: Stage) -> dict[str, Any]:
    doc: dict[str, Any] = {"key": stage.key}
    if kb.version == 1:
        doc["min"] = stage.min_score
    doc["title"] = _text_doc(stage.title)
    doc["description"] = _text_doc(stage.description)
    requirement = stage.requires
    if kb.version != 1 and requirement is not None:
        if requirement.band is None:
            doc["requires"] = {"all_drivers": list(requirement.subfactors)}
        else:
            doc["requires"] = {"any_at_least": requirement.band, "of": list(requirement.subfactors)}
    return doc


def to_document(kb: KnowledgeBase) -> dict[str, Any]:
    """The KB as a plain document (the YAML/JSON shape); `load_kb(to_document(kb)) == kb`.

    A KB loaded from a version 1 document (an old revision) is written as version 1 again.
    """
    head: dict[str, Any] = {"version": kb.version}
    if kb.version != 1:
        head["index"] = {"method": kb.index_method}
    head["scale"] = _scale_doc(kb.scale)
    if kb.scales:
        head["scales"] = {key: _scale_doc(scale) for key, scale in kb.scales}
    head["thresholds"] = {"driver": kb.driver_threshold}
    if kb.version != 1:
        head["bands"] = [
            {"key": b.key, "min": b.min_score, "title": _text_doc(b.title)} for b in kb.bands
        ]
        head["owners"] = [{"key": o.key, "title": _text_doc(o.title)} for o in kb.owners]
        if kb.block_reasons:  # a revision from before the list has none
            head["block_reasons"] = [
                {"key": r.key, "title": _text_doc(r.title)} for r in kb.block_reasons
            ]
        head["steps"] = [_step_doc(step) for step in kb.steps]
        if kb.platforms:
            head["platforms"] = [_platform_doc(p) for p in kb.platforms]
    return {
        **head,
        "stages": [_stage_doc(kb, s) for s in kb.stages],
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
                "subfactors": [_subfactor_doc(kb, sf) for sf in f.subfactors],
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
    """Counts for a one-line summary: factors, sub-factors, asked questions, evidence, refs."""
    subfactors = kb.subfactors
    return {
        "factors": len(kb.factors),
        "subfactors": len(subfactors),
        "questions": sum(len(sf.asked_questions) for sf in subfactors),
        "evidence": sum(len(sf.evidence) for sf in subfactors),
        "references": len(kb.references),
    }
