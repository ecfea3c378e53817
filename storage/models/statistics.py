"""The statistics releases and the deployment's noise secret."""

# No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.columns import timestamp

__all__ = ["StatsRelease", "StatsSecret"]


class StatsRelease(SQLModel, table=True):
    """A cut of the completed assessments whose answer counts and reliability are published.

    Figures that would reveal one newcomer's answers by a before/after difference are only
    computed over released assessments; a release is cut once at least k new completions by
    k people have come in (storage/stats/releases.py). `follows` is the previous release
    (0 for the first): unique, so two concurrent cuts cannot both follow the same one.
    """

    __tablename__ = "stats_release"

    id: int | None = Field(default=None, primary_key=True)
    follows: int = Field(unique=True)
    cut_at: datetime = timestamp()


class StatsSecret(SQLModel, table=True):
    """The deployment's secret key for statistical noise: one row (id 1), made by migration
    0006. Never shown, never exported; with the record keys it fixes every figure's noise."""

    __tablename__ = "stats_secret"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    secret: str
