"""Free-text search of sub-factors and their evidence, in Persian and English at once."""

from __future__ import annotations

from knowledge.search.index import SearchHit, SearchIndex, search
from knowledge.search.step_index import StepHit

__all__ = ["SearchHit", "SearchIndex", "StepHit", "search"]
