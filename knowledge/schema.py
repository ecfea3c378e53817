"""The KB document's shape (version 2), field by field; knowledge/checks/ checks the rest.

Version 1 (stored revisions) differs in a few classes, kept in knowledge/schema_v1.py.
"""

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
# A step id never goes into callback data; 64 leaves room for ids derived from v1 actions.
StepId = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=64)]
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


class StageRequiresDoc(_Strict):
    """Either `{any_at_least: <band>, of: [...]}` or `{all_drivers: [...]}` (checks.py)."""

    any_at_least: Key | None = None
    of: Annotated[list[Key], Field(min_length=1, max_length=100)] | None = None
    all_drivers: Annotated[list[Key], Field(min_length=1, max_length=100)] | None = None


class StageDoc(_Strict):
    key: Key
    title: TitleText
    description: DescriptionText
    requires: StageRequiresDoc | None = None


class BandDoc(_Strict):
    key: Key
    min: Annotated[float, Field(ge=0, le=100)]
    title: TitleText


class OwnerDoc(_Strict):
    key: Key
    title: TitleText


class BlockReasonDoc(_Strict):
    """Why a step is blocked (knowledge/block_reasons.py); the key goes into callback data."""

    key: QuestionId
    title: LabelText


class IndexDoc(_Strict):
    method: Literal["weighted_mean"]


Refs = Annotated[list[Key], Field(min_length=1, max_length=5)]


class VariantWhenDoc(_Strict):
    region: Literal["national", "province"] | None = None
    sector: Annotated[list[Key], Field(min_length=1, max_length=40)] | None = None


class PlatformDoc(_Strict):
    key: Key
    name: LabelText
    reach: Literal["domestic", "international", "filtered"]
    note: HelpText | None = None


class StepVariantDoc(_Strict):
    when: VariantWhenDoc
    text: MediumText
    refs: Refs | None = None


class StepDoc(_Strict):
    id: StepId
    text: MediumText
    refs: Refs
    owner: Key
    horizon: Literal["d30", "d90", "later"]
    requires: Annotated[list[StepId], Field(max_length=10)] = []
    variants: Annotated[list[StepVariantDoc], Field(max_length=10)] = []
    platforms: Annotated[list[Key], Field(max_length=10)] = []


class ChoiceDoc(_Strict):
    key: Key
    label: LabelText


class ProfileDoc(_Strict):
    sectors: Annotated[list[ChoiceDoc], Field(min_length=1, max_length=40)]
    regions: Annotated[list[ChoiceDoc], Field(min_length=1, max_length=40)]
    roles: Annotated[list[ChoiceDoc], Field(min_length=1, max_length=40)]


class LowDoc(_Strict):
    at_most: Annotated[int, Field(ge=0, le=10)] = 1
    finding: MediumText
    steps: Annotated[list[StepId], Field(min_length=1, max_length=4)]


class DontKnowDoc(_Strict):
    finding: MediumText
    owner: Key


class RetiredDoc(_Strict):
    """A question no longer asked; `replaced_by` names the questions that now ask its fact."""

    replaced_by: Annotated[list[QuestionId], Field(max_length=5)] = []
    reason: HelpText | None = None


class QuestionDoc(_Strict):
    id: QuestionId
    profile: Literal["core", "detailed"]
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    text: MediumText
    help: HelpText | None = None
    low: LowDoc | None = None
    dont_know: DontKnowDoc | None = None
    retired: RetiredDoc | None = None
    # A key of the document's `scales` (agreement, frequency…); none: the main `scale`.
    scale: Key | None = None


class EvidenceDoc(_Strict):
    ref: Key
    effect: Literal["driver", "obstacle", "mixed"]
    finding: MediumText


class BandAdviceDoc(_Strict):
    summary: MediumText
    # 1 to 4 steps, checked in checks.py (a version 1 case upgraded in memory may have 5).
    steps: Annotated[list[StepId], Field(min_length=1, max_length=10)]


class AdviceDoc(_Strict):
    # Keyed by band key; every band of the document must be there (checks.py).
    bands: dict[str, BandAdviceDoc]


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
    version: Literal[2]
    index: IndexDoc
    scale: ScaleDoc
    # Answer scales for question types other than practice (attitudes, frequencies), by key.
    scales: Annotated[dict[Key, ScaleDoc], Field(max_length=8)] = {}
    thresholds: ThresholdsDoc
    bands: Annotated[list[BandDoc], Field(min_length=2, max_length=10)]
    owners: Annotated[list[OwnerDoc], Field(min_length=1, max_length=30)]
    steps: Annotated[list[StepDoc], Field(min_length=1, max_length=500)]
    platforms: Annotated[list[PlatformDoc], Field(max_length=40)] = []
    stages: Annotated[list[StageDoc], Field(min_length=1)]
    profile: ProfileDoc
    factors: Annotated[list[FactorDoc], Field(min_length=1)]
    references: Annotated[list[ReferenceDoc], Field(min_length=1)]
    # Absent in revisions from before the list: knowledge/block_reasons.py's DEFAULT_KEYS.
    block_reasons: Annotated[list[BlockReasonDoc], Field(max_length=12)] = []
