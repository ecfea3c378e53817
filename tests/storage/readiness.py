"""A small, hand-made readiness result in the shape knowledge.assessment produces."""

from __future__ import annotations

from knowledge import assessment as scoring
from knowledge.model import Effect, Stage, Text


def _subfactor(
    key: str, factor_key: str, score: float | None, effect: Effect | None
) -> scoring.SubFactorResult:
    return scoring.SubFactorResult(
        key=key,
        factor_key=factor_key,
        score=score,
        confidence=0.0 if score is None else 1.0,
        effect=effect,
        baseline=Effect.OBSTACLE,
        answered=0 if score is None else 1,
        asked=1,
    )


def sample_readiness() -> scoring.Readiness:
    """Two factors: one scored (a driver and an obstacle), one with nothing answered."""
    managerial = scoring.FactorResult(
        key="managerial",
        score=50.0,
        subfactors=(
            _subfactor("transparency", "managerial", 75.0, Effect.DRIVER),
            _subfactor("capital_budgeting", "managerial", 25.0, Effect.OBSTACLE),
        ),
    )
    human = scoring.FactorResult(
        key="human",
        score=None,
        subfactors=(_subfactor("user_training", "human", None, None),),
    )
    stage = Stage(
        key="experimentation",
        min_score=25.0,
        title=Text(fa="آزمایش", en="Experimentation"),
        description=Text(fa="آزمایش", en="Experimentation"),
    )
    return scoring.Readiness(index=50.0, stage=stage, factors=(managerial, human), priorities=())
