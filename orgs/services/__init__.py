"""Rules of the organisation, one module a story (tree, census, plans, cadres, establishing)."""

from .census import coverage, coverage_totals, create_round, due_uncovered, take_snapshot
from .employers import area_union_for, due_without_union, save_employer
from .tree import union_counts

__all__ = [
    "area_union_for",
    "coverage",
    "coverage_totals",
    "create_round",
    "due_uncovered",
    "due_without_union",
    "save_employer",
    "take_snapshot",
    "union_counts",
]
