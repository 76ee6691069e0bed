"""Census rounds: taking a snapshot of the employers of an area, and coverage figures for any round.

Members are counted by the members app, which sits above orgs: it registers a counter here
(`count_members_with`) in its AppConfig.ready(), as modules register union-page figures in core.counters.
"""

import datetime
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.history import record_action, record_bulk_created

from ..choices import Sector
from ..models import CensusEntry, CensusRound, Employer, Union
from .employers import covered_q

# (union ids) -> {union id: members}; None until the members app registers one.
_member_counter: list[Callable[[Iterable[int]], dict[int, int]]] = []

GROUPS = ("region", "sector", "brand")
_GROUP_FIELDS = {
    "region": ("employer__region", "employer__region__name"),
    "sector": ("employer__sector", None),
    "brand": ("employer__brand", "employer__brand__name"),
}


def count_members_with(counter: Callable[[Iterable[int]], dict[int, int]]) -> None:
    _member_counter[:] = [counter]


def members_by_union(union_ids: Iterable[int]) -> dict[int, int]:
    return _member_counter[0](union_ids) if _member_counter else {}


def employers_of(union: Union):
    """Every employer whose area union is in `union`'s subtree: what a round of `union` surveys."""
    return Employer.objects.filter(area_union__path__subtree=union.path)


def create_round(
    union: Union,
    name: str,
    taken_on: datetime.date | None = None,
    threshold: int | None = None,
    note: str = "",
    snapshot: bool = False,
) -> CensusRound:
    census = CensusRound(union=union, name=name, note=note)
    if taken_on is not None:
        census.taken_on = taken_on
    if threshold is not None:
        census.threshold = threshold
    census.full_clean()
    census.save()
    if snapshot:
        take_snapshot(census)
    return census


@transaction.atomic
def take_snapshot(census: CensusRound, members: dict[int, int] | None = None) -> int:
    """Record every employer of the round's area as it stands now; returns the number of entries.

    `members` maps employer id to its members; by default an employer's own union (one that covers
    no other employer) gives its active members, and an employer sharing an industry or joint union
    counts none, since such a union's members cannot be told apart by employer.
    """
    employers = list(employers_of(census.union).select_related("union"))
    if members is None:
        members = _members_of_own_unions(employers)
    existing = {e.employer_id: e for e in CensusEntry.objects.filter(census=census)}
    new = []
    for employer in employers:
        values = _entry_values(employer, members.get(employer.pk, 0))
        entry = existing.get(employer.pk)
        if entry is None:
            new.append(CensusEntry(census=census, employer=employer, **values))
        elif any(getattr(entry, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(entry, key, value)
            entry.save()
    CensusEntry.objects.bulk_create(new, batch_size=1000)
    record_bulk_created(new)
    record_action(census, _("生成普查快照"), data={"employers": len(employers)})
    return len(employers)


def _entry_values(employer: Employer, members: int) -> dict:
    covering = employer.union if employer.union_id and employer.union.status == "active" else None
    return {
        "headcounts": dict(employer.headcounts),
        "headcount": employer.headcount,
        "new_form_headcount": employer.new_form_headcount,
        "members": members,
        "union": covering,
    }


def _members_of_own_unions(employers: list[Employer]) -> dict[int, int]:
    by_union: dict[int, list[int]] = {}
    for employer in employers:
        if employer.union_id:
            by_union.setdefault(employer.union_id, []).append(employer.pk)
    # A union covering employers outside this round is shared too: count them all, in one query.
    sharing = dict(
        Employer.objects.filter(union_id__in=by_union)
        .values_list("union_id")
        .annotate(n=Count("id"))
        .values_list("union_id", "n")
    )
    own = {union_id: ids[0] for union_id, ids in by_union.items() if sharing.get(union_id) == 1}
    counts = members_by_union(own)
    return {own[union_id]: counts.get(union_id, 0) for union_id in own}


def _sum(field: str, condition: Q | None = None):
    return Coalesce(Sum(field, filter=condition), Value(0), output_field=IntegerField())


def _figures(threshold: int) -> dict:
    due = Q(headcount__gte=threshold)
    covered = Q(union__isnull=False)
    return {
        "employers": Count("id"),
        "due": Count("id", filter=due),
        "due_covered": Count("id", filter=due & covered),
        "covered": Count("id", filter=covered),
        "workers": _sum("headcount"),
        "workers_covered": _sum("headcount", covered),
        "new_form": _sum("new_form_headcount"),
        "new_form_covered": _sum("new_form_headcount", covered),
        "members": _sum("members"),
    }


def _rates(row: dict) -> dict:
    def share(part, whole):
        return round(part * 100 / whole, 1) if whole else None

    row["due_uncovered"] = row["due"] - row["due_covered"]
    row["employer_rate"] = share(row["due_covered"], row["due"])
    row["worker_rate"] = share(row["workers_covered"], row["workers"])
    row["new_form_rate"] = share(row["new_form_covered"], row["new_form"])
    return row


def coverage_totals(census: CensusRound) -> dict:
    """The round's figures in one aggregate query (an entry is covered when its snapshot has a union)."""
    return _rates(CensusEntry.objects.filter(census=census).aggregate(**_figures(census.threshold)))


def coverage(census: CensusRound, by: str) -> list[dict]:
    """Figures grouped by region, sector or brand: one GROUP BY query, largest groups first."""
    key, name = _GROUP_FIELDS[by]
    columns = [key] + ([name] if name else [])
    rows = (
        CensusEntry.objects.filter(census=census)
        .values(*columns)
        .annotate(**_figures(census.threshold))
        .order_by("-workers", key)
    )
    sectors = dict(Sector.choices)
    result = []
    for row in rows:
        code = row.pop(key)
        label = row.pop(name) if name else sectors.get(code, code)
        result.append(_rates({"key": code, "label": label or _("（无品牌）"), **row}))
    return result


def due_uncovered(census: CensusRound):
    """应建未建 in a round: entries at or above its threshold without a covering union, by region,
    sector and brand."""
    return (
        CensusEntry.objects.filter(census=census, headcount__gte=census.threshold, union__isnull=True)
        .select_related("employer__region", "employer__brand")
        .order_by("employer__region_id", "employer__sector", "employer__brand__name", "employer__name")
    )


def covered_employers(queryset):
    return queryset.filter(covered_q())
