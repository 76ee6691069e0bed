"""Members counted for the census, which orgs (below members) asks for through a registered counter."""

from collections.abc import Iterable

from django.db.models import Count

from ..choices import MembershipStatus
from ..models import Membership


def active_members_by_union(union_ids: Iterable[int]) -> dict[int, int]:
    """{union id: active members of that union itself}, in one grouped query."""
    ids = list(union_ids)
    if not ids:
        return {}
    return dict(
        Membership.objects.filter(union_id__in=ids, status=MembershipStatus.ACTIVE)
        .values_list("union_id")
        .annotate(n=Count("id"))
        .values_list("union_id", "n")
    )
