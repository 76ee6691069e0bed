"""Rules of the organisation, one module a story (tree, census, plans, cadres, establishing)."""

from .tree import union_counts

__all__ = ["union_counts"]
