"""The KB document's shape, checked field by field (pydantic), before cross-checks in loader.py."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["DOI_PATTERN", "KEY_PATTERN", "URL_PATTERN", "KBDocument"]

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
DOI_PATTERN = r"^(10\.\S+/\S+)?$"
URL_PATTERN = r"^(https?://\S+)?$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Longest text each field may hold, in characters. Chosen so that the longest message the bot
# builds from them (a question with help and progress, or an evidence card) stays far below
# Telegram's 4096-character limit, that button labels stay readable on a phone, and that a
# question id fits in 64-byte callback data beside an assessment id.
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=48)]
QuestionId = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=24)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Long = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1500)]
Medium = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=700)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]


class LabelText(_Strict):
    fa: Label
    en: Label


class TitleText(_Strict):
    fa: Title
    en: Title


class DescriptionText(_Strict):
    fa: Long
    en: Long


class MediumText(_Strict):
    """Question texts, findings, advice summaries and actions."""

    fa: Medium
    en: Medium


class HelpText(_Strict):
    fa: Short
    en: Short


class ScaleOptionDoc(_Strict):
    value: Annotated[int, Field(ge=0, le=10)]
    label: LabelText


class ScaleDoc(_Strict):
    options: Annotated[list[ScaleOptionDoc], Field(min_length=2, max_length=8)]
    dont_know: LabelText


class ThresholdsDoc(_Strict):
    driver: Annotated[float, Field(ge=0, le=100)]


class StageDoc(_Strict):
    key: Key
    min: Annotated[float, Field(ge=0, le=100)]
    title: TitleText
    description: DescriptionText


class ChoiceDoc(_Strict):
    key: Key
    label: LabelText


class ProfileDoc(_Strict):
    sectors: Annotated[list[ChoiceDoc], Field(min_length=1, max_length=40)]
    regions: Annotated[list[ChoiceDoc], Field(min_length=1, max_length=40)]
    roles: Annotated[list[ChoiceDoc], Field(min_length=1, max_length=40)]


class QuestionDoc(_Strict):
    id: QuestionId
    profile: Literal["core", "detailed"]
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    text: MediumText
    help: HelpText | None = None


class EvidenceDoc(_Strict):
    ref: Key
    effect: Literal["driver", "obstacle", "mixed"]
    finding: MediumText


class ActionDoc(_Strict):
    text: MediumText
    refs: Annotated[list[Key], Field(min_length=1, max_length=5)]


class AdviceCaseDoc(_Strict):
    summary: MediumText
    actions: Annotated[list[ActionDoc], Field(min_length=2, max_length=5)]


class AdviceDoc(_Strict):
    obstacle: AdviceCaseDoc
    driver: AdviceCaseDoc


class SubFactorDoc(_Strict):
    key: Key
    title: TitleText
    description: DescriptionText
    baseline: Literal["driver", "obstacle"]
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    questions: Annotated[list[QuestionDoc], Field(min_length=1)]
    evidence: Annotated[list[EvidenceDoc], Field(min_length=1)]
    advice: AdviceDoc


class FactorDoc(_Strict):
    key: Key
    title: TitleText
    description: DescriptionText
    subfactors: Annotated[list[SubFactorDoc], Field(min_length=1)]


class ReferenceDoc(_Strict):
    key: Key
    authors: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = []
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: Annotated[str, StringConstraints(pattern=DOI_PATTERN)] = ""
    url: Annotated[str, StringConstraints(pattern=URL_PATTERN)] = ""


class KBDocument(_Strict):
    version: Literal[1] = 1
    scale: ScaleDoc
    thresholds: ThresholdsDoc
    stages: Annotated[list[StageDoc], Field(min_length=1)]
    profile: ProfileDoc
    factors: Annotated[list[FactorDoc], Field(min_length=1)]
    references: Annotated[list[ReferenceDoc], Field(min_length=1)]
