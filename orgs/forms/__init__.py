from .tree import UnionForm

__all__ = ["UnionForm"]
