from .people import MembershipFilterSet, PersonFilterSet

__all__ = ["MembershipFilterSet", "PersonFilterSet"]
