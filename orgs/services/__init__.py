"""Rules of the organisation, one module a story (tree, census, plans, cadres, establishing)."""

from .cadres import assign_cadre, results_by_cadre, results_by_town, save_visit
from .census import coverage, coverage_totals, create_round, due_uncovered, take_snapshot
from .employers import area_union_for, due_without_union, save_employer
from .plans import plan_progress, save_target, target_progress
from .tree import union_counts

# Establishing a union: establishment.start / advance / approve / abandon / add_document.

__all__ = [
    "area_union_for",
    "assign_cadre",
    "coverage",
    "coverage_totals",
    "create_round",
    "due_uncovered",
    "due_without_union",
    "plan_progress",
    "results_by_cadre",
    "results_by_town",
    "save_employer",
    "save_target",
    "save_visit",
    "take_snapshot",
    "target_progress",
    "union_counts",
]
