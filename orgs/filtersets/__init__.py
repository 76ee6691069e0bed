from .tree import RegionFilterSet, UnionFilterSet

__all__ = ["RegionFilterSet", "UnionFilterSet"]
