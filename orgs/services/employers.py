"""Rules about employers: codes, head counts by employment form, the area union and coverage."""

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from core.codes import normalise_uscc
from core.spreadsheets import count_problem

from ..choices import NEW_EMPLOYMENT_FORMS, EmploymentForm, UnionKind, UnionStatus
from ..models import Employer, Region, Union

# Unions that answer for the employers of an area, nearest first when several share a region.
AREA_KINDS = (UnionKind.TOWN_FEDERATION, UnionKind.FEDERATION)


def normalise_headcounts(raw: Mapping | None) -> dict[str, int]:
    """{employment form: workers} with known forms and whole numbers ≥ 0; zeros are dropped."""
    counts: dict[str, int] = {}
    for form, value in (raw or {}).items():
        if form not in EmploymentForm.values:
            raise ValidationError(
                {"headcounts": _("未知的就业形态：%(form)s") % {"form": form}}, code="unknown_form"
            )
        if wrong := count_problem(value):
            label = EmploymentForm(form).label
            raise ValidationError({"headcounts": f"{label}人数{wrong}"}, code="bad_count")
        if value:
            counts[form] = value
    # A stable key order keeps history entries from showing reordering as a change.
    return {form: counts[form] for form in EmploymentForm.values if form in counts}


def new_form_total(headcounts: Mapping[str, int]) -> int:
    return sum(n for form, n in headcounts.items() if form in NEW_EMPLOYMENT_FORMS)


def settle_counts(headcounts: Mapping | None, headcount: int | None) -> tuple[dict[str, int], int, int]:
    """(headcounts, total, new-form total). The total defaults to the sum by form and may not be less."""
    counts = normalise_headcounts(headcounts)
    by_form = sum(counts.values())
    total = by_form if headcount in (None, "") else headcount
    if total < by_form:
        raise ValidationError(
            {
                "headcount": _("职工总数（%(total)d）少于各就业形态人数之和（%(sum)d）")
                % {"total": total, "sum": by_form}
            },
            code="total_below_forms",
        )
    return counts, total, new_form_total(counts)


def area_union_for(region: Region, root: Union) -> Union | None:
    """The town (or county) federation inside `root`'s subtree answering for `region`, else None.

    The deepest region wins: a street's federation before the district's. One query.
    """
    codes, node = [], region
    while node is not None:
        codes.append(node.code)
        node = node.parent
    candidates = list(
        Union.objects.filter(path__subtree=root.path, region__code__in=codes, kind__in=AREA_KINDS).exclude(
            status=UnionStatus.DISSOLVED
        )
    )
    if not candidates:
        return root if root.region_id in codes else None
    # Deepest region first, then the union nearest the root (a town federation, not a unit below it).
    return min(candidates, key=lambda u: (codes.index(u.region_id), u.depth))


def save_employer(employer: Employer, *, headcounts=None, headcount=None) -> Employer:
    """Validate and save: the code normalised, the totals derived from the counts by form."""
    if employer.uscc:
        try:
            employer.uscc = normalise_uscc(employer.uscc)
        except ValidationError as error:
            raise ValidationError({"uscc": error.messages}) from None
    else:
        employer.uscc = None
    source = employer.headcounts if headcounts is None else headcounts
    total = employer.headcount if headcount is None and headcounts is None else headcount
    employer.headcounts, employer.headcount, employer.new_form_headcount = settle_counts(source, total)
    if employer.union_id and employer.union.status != UnionStatus.ACTIVE:
        raise ValidationError({"union": _("覆盖工会须为已建会的工会")}, code="union_not_active")
    employer.full_clean()
    employer.save()
    return employer


def covered_q(prefix: str = "") -> Q:
    """Covered: a union that is established (a union still preparing covers nobody yet)."""
    return Q(**{f"{prefix}union__status": UnionStatus.ACTIVE})


def due_without_union(queryset, threshold: int | None = None):
    """应建未建: employers with at least `threshold` workers and no established union."""
    threshold = settings.UNION_DUE_THRESHOLD if threshold is None else threshold
    return queryset.filter(headcount__gte=threshold).exclude(covered_q())


def region_prefix(code: str) -> str:
    """Region codes nest by prefix once the county-and-above trailing zeros go (330600 → 3306)."""
    return code.rstrip("0") if len(code) <= 6 else code


def regions_within(root: Union):
    """The root union's region and every region under it, for pickers and the template's list."""
    return Region.objects.filter(code__startswith=region_prefix(root.region_id)).order_by("code")
