"""Aggregated, anonymised statistics over completed assessments, computed in SQL.

Every published figure comes through disclosure.py: a group under k assessments or k people
is not published (nor listed), and every count and mean carries noise fixed by the secret
keys of the records it aggregates ("cell key" perturbation; docs/privacy.md), so that no
combination of published figures isolates one respondent. Answer counts and reliability are
published over releases only (releases.py). Nothing here returns a Telegram id, a name, or
text a respondent typed: organisations are grouped by their deep-link code.
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
    AnswerCounts,
    DropOff,
    Funnel,
    Reliability,
    get_completion_funnel,
    get_reliability,
    list_answer_counts,
)
from storage.stats.releases import cut_release, get_release

__all__ = [
    "MAX_DIMENSIONS",
    "AnswerCounts",
    "Dimension",
    "DropOff",
    "Funnel",
    "GroupStats",
    "Reliability",
    "SubFactorFigures",
    "count_stat_groups",
    "cut_release",
    "dimension_expression",
    "get_completion_funnel",
    "get_group_stats",
    "get_organisation_names",
    "get_peer_factor_means",
    "get_release",
    "get_reliability",
    "is_suppressed",
    "list_answer_counts",
    "month_expression",
    "parse_dimensions",
    "stream_group_stats",
]
