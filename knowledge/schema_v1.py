"""The version 1 KB document (stored revisions before schema 2): the classes that differ.

A version 1 document is checked against this shape, then upgraded in memory to version 2
(knowledge/upgrade.py). Version 1 had one advice text per case (obstacle, driver) with its
actions, stages placed by a minimum of the readiness index, and no step catalogue.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from knowledge.schema import (
    DescriptionText,
    EvidenceDoc,
    HelpText,
    Key,
    MediumText,
    ProfileDoc,
    QuestionId,
    ReferenceDoc,
    ScaleDoc,
    ThresholdsDoc,
    TitleText,
    _Strict,
)

__all__ = ["KBDocumentV1"]


class StageDocV1(_Strict):
    key: Key
    min: Annotated[float, Field(ge=0, le=100)]
    title: TitleText
    description: DescriptionText


class QuestionDocV1(_Strict):
    id: QuestionId
    profile: Literal["core", "detailed"]
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    text: MediumText
    help: HelpText | None = None


class ActionDoc(_Strict):
    text: MediumText
    refs: Annotated[list[Key], Field(min_length=1, max_length=5)]


class AdviceCaseDoc(_Strict):
    summary: MediumText
    actions: Annotated[list[ActionDoc], Field(min_length=2, max_length=5)]


class AdviceDocV1(_Strict):
    obstacle: AdviceCaseDoc
    driver: AdviceCaseDoc


class SubFactorDocV1(_Strict):
    key: Key
    title: TitleText
    description: DescriptionText
    baseline: Literal["driver", "obstacle"]
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    questions: Annotated[list[QuestionDocV1], Field(min_length=1)]
    evidence: Annotated[list[EvidenceDoc], Field(min_length=1)]
    advice: AdviceDocV1


class FactorDocV1(_Strict):
    key: Key
    title: TitleText
    description: DescriptionText
    subfactors: Annotated[list[SubFactorDocV1], Field(min_length=1)]


class KBDocumentV1(_Strict):
    version: Literal[1] = 1
    scale: ScaleDoc
    thresholds: ThresholdsDoc
    stages: Annotated[list[StageDocV1], Field(min_length=1)]
    profile: ProfileDoc
    factors: Annotated[list[FactorDocV1], Field(min_length=1)]
    references: Annotated[list[ReferenceDoc], Field(min_length=1)]
