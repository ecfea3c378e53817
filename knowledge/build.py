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
    Retirement,
    Scale,
    ScaleOption,
    Stage,
    StageRequirement,
    SubFactor,
    Text,
)
from knowledge.platforms import Platform, Reach, fill_platforms
from knowledge.schema import KBDocument, StageRequiresDoc
from knowledge.steps import Horizon, Owner, Step, StepVariant, VariantCondition

__all__ = ["build_kb"]


def _text(doc: Any) -> Text:
    return Text(fa=doc.fa, en=doc.en)


def build_kb(doc: KBDocument, *, v1_stage_mins: Mapping[str, float] | None = None) -> KnowledgeBase:
    """The knowledge base of a valid document; `v1_stage_mins` marks one upgraded from version 1."""
    band_keys = [b.key for b in doc.bands]
    mins = v1_stage_mins or {}
    platforms = tuple(
        Platform(p.key, _text(p.name), Reach(p.reach), _text(p.note) if p.note else None)
        for p in doc.platforms
    )
    return KnowledgeBase(
        scale=_scale(doc.scale),
        scales=tuple((key, _scale(scale)) for key, scale in doc.scales.items()),
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
        steps=tuple(_step(s, platforms) for s in doc.steps),
        index_method=doc.index.method,
        platforms=platforms,
        version=1 if v1_stage_mins is not None else 2,
        block_reasons=tuple(BlockReason(r.key, _text(r.title)) for r in doc.block_reasons),
    )


def _scale(doc: Any) -> Scale:
    return Scale(
        options=tuple(ScaleOption(o.value, _text(o.label)) for o in doc.options),
        dont_know=_text(doc.dont_know),
    )


def _requirement(doc: StageRequiresDoc | None) -> StageRequirement | None:
    if doc is None:
        return None
    if doc.all_drivers is not None:
        return StageRequirement(Condition.ALL_DRIVERS, tuple(doc.all_drivers))
    return StageRequirement(Condition.ANY_AT_LEAST, tuple(doc.of or ()), doc.any_at_least)


def _filled(doc: Any, platforms: tuple[Platform, ...], keys: list[str]) -> tuple[Text, Text | None]:
    """A step text with the platforms' names put in, and the text as written if it changed."""
    written = _text(doc)
    by_key = {p.key: p for p in platforms}
    chosen = [by_key[key] for key in keys if key in by_key]
    filtered = [p for p in platforms if p.reach is Reach.FILTERED]
    text = Text(
        fa=fill_platforms(written.fa, "fa", chosen, filtered),
        en=fill_platforms(written.en, "en", chosen, filtered),
    )
    return text, (written if text != written else None)


def _step(doc: Any, platforms: tuple[Platform, ...]) -> Step:
    text, template = _filled(doc.text, platforms, doc.platforms)
    variants = []
    for v in doc.variants:
        v_text, v_template = _filled(v.text, platforms, doc.platforms)
        variants.append(
            StepVariant(
                when=VariantCondition(region=v.when.region, sectors=tuple(v.when.sector or ())),
                text=v_text,
                refs=tuple(v.refs) if v.refs else tuple(doc.refs),
                template=v_template,
            )
        )
    return Step(
        id=doc.id,
        text=text,
        refs=tuple(doc.refs),
        owner=doc.owner,
        horizon=Horizon(doc.horizon),
        requires=tuple(doc.requires),
        variants=tuple(variants),
        platforms=tuple(doc.platforms),
        template=template,
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
        retired=_retirement(doc.retired),
        scale=doc.scale,
    )


def _retirement(doc: Any) -> Retirement | None:
    if doc is None:
        return None
    reason = _text(doc.reason) if doc.reason else None
    return Retirement(replaced_by=tuple(doc.replaced_by), reason=reason)


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
