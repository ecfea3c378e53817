"""Aggregated, anonymised statistics over completed assessments, computed in SQL.

Every figure is an aggregate of a group of at least k assessments from at least k people;
smaller groups are listed as suppressed, and so are the groups that would let one be worked
out by subtraction (suppression.py). Nothing here returns a Telegram id, a name, or text
a respondent typed: organisations are grouped by their deep-link code.
"""

from storage.stats.dimensions import (
    MAX_DIMENSIONS,
    Dimension,
    dimension_expression,
    get_organisation_names,
    month_expression,
    parse_dimensions,
)
from storage.stats.groups import (
    GroupStats,
    SubFactorFigures,
    count_stat_groups,
    get_group_stats,
    get_peer_factor_means,
    is_suppressed,
    stream_group_stats,
)
from storage.stats.instrument import (
    AnswerCount,
    DropOff,
    Funnel,
    get_completion_funnel,
    get_item_moments,
    list_answer_counts,
)

__all__ = [
    "MAX_DIMENSIONS",
    "AnswerCount",
    "Dimension",
    "DropOff",
    "Funnel",
    "GroupStats",
    "SubFactorFigures",
    "count_stat_groups",
    "dimension_expression",
    "get_completion_funnel",
    "get_group_stats",
    "get_item_moments",
    "get_organisation_names",
    "get_peer_factor_means",
    "is_suppressed",
    "list_answer_counts",
    "month_expression",
    "parse_dimensions",
    "stream_group_stats",
]
