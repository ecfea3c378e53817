"""A validated version 2 document (knowledge/schema.py) -> the immutable KnowledgeBase."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from knowledge.block_reasons import BlockReason
from knowledge.model import (
    Advice,
    Band,
    BandAdvice,
    Choice,
    Condition,
    DontKnowAdvice,
    Effect,
    Evidence,
    EvidenceEffect,
    Factor,
    KnowledgeBase,
    LowAnswer,
    ProfileOptions,
    Question,
    QuestionSet,
    Reference,
    Scale,
    ScaleOption,
    Stage,
    StageRequirement,
    SubFactor,
    Text,
)
from knowledge.schema import KBDocument, StageRequiresDoc
from knowledge.steps import Horizon, Owner, Step, StepVariant, VariantCondition

__all__ = ["build_kb"]


def _text(doc: Any) -> Text:
    return Text(fa=doc.fa, en=doc.en)


def build_kb(doc: KBDocument, *, v1_stage_mins: Mapping[str, float] | None = None) -> KnowledgeBase:
    """The knowledge base of a valid document; `v1_stage_mins` marks one upgraded from version 1."""
    band_keys = [b.key for b in doc.bands]
    mins = v1_stage_mins or {}
    return KnowledgeBase(
        scale=Scale(
            options=tuple(ScaleOption(o.value, _text(o.label)) for o in doc.scale.options),
            dont_know=_text(doc.scale.dont_know),
        ),
        driver_threshold=doc.thresholds.driver,
        stages=tuple(
            Stage(
                key=s.key,
                title=_text(s.title),
                description=_text(s.description),
                requires=_requirement(s.requires),
                min_score=mins.get(s.key),
            )
            for s in doc.stages
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
                subfactors=tuple(_subfactor(f.key, sf, band_keys) for sf in f.subfactors),
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
        bands=tuple(Band(b.key, b.min, _text(b.title)) for b in doc.bands),
        owners=tuple(Owner(o.key, _text(o.title)) for o in doc.owners),
        steps=tuple(_step(s) for s in doc.steps),
        index_method=doc.index.method,
        version=1 if v1_stage_mins is not None else 2,
        block_reasons=tuple(BlockReason(r.key, _text(r.title)) for r in doc.block_reasons),
    )


def _requirement(doc: StageRequiresDoc | None) -> StageRequirement | None:
    if doc is None:
        return None
    if doc.all_drivers is not None:
        return StageRequirement(Condition.ALL_DRIVERS, tuple(doc.all_drivers))
    return StageRequirement(Condition.ANY_AT_LEAST, tuple(doc.of or ()), doc.any_at_least)


def _step(doc: Any) -> Step:
    return Step(
        id=doc.id,
        text=_text(doc.text),
        refs=tuple(doc.refs),
        owner=doc.owner,
        horizon=Horizon(doc.horizon),
        requires=tuple(doc.requires),
        variants=tuple(
            StepVariant(
                when=VariantCondition(region=v.when.region, sectors=tuple(v.when.sector or ())),
                text=_text(v.text),
                refs=tuple(v.refs) if v.refs else tuple(doc.refs),
            )
            for v in doc.variants
        ),
    )


def _question(doc: Any) -> Question:
    low, dont_know = doc.low, doc.dont_know
    return Question(
        id=doc.id,
        text=_text(doc.text),
        weight=doc.weight,
        set=QuestionSet(doc.profile),
        help=_text(doc.help) if doc.help else None,
        low=LowAnswer(low.at_most, _text(low.finding), tuple(low.steps)) if low else None,
        dont_know=DontKnowAdvice(_text(dont_know.finding), dont_know.owner) if dont_know else None,
    )


def _subfactor(factor_key: str, sf: Any, band_keys: list[str]) -> SubFactor:
    return SubFactor(
        key=sf.key,
        factor_key=factor_key,
        title=_text(sf.title),
        description=_text(sf.description),
        baseline=Effect(sf.baseline),
        weight=sf.weight,
        questions=tuple(_question(q) for q in sf.questions),
        evidence=tuple(
            Evidence(e.ref, _text(e.finding), EvidenceEffect(e.effect)) for e in sf.evidence
        ),
        advice=Advice(
            bands=tuple(
                BandAdvice(
                    band=key,
                    summary=_text(sf.advice.bands[key].summary),
                    steps=tuple(sf.advice.bands[key].steps),
                )
                for key in band_keys
            )
        ),
    )
