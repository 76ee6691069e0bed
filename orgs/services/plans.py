"""Coverage plans: yearly targets per region and sector, and progress against them.

Members are counted by the members app, which sits above orgs: it registers its counter here
(`count_new_members_with`) in its AppConfig.ready(), so this module never imports members.
"""

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import RegionLevel, UnionStatus
from ..models import CoveragePlan, PlanTarget, Region, Union
from .employers import region_prefix

# (union path, first day, last day, region code or None, sector or "") -> (new members, of them new-form)
NewMemberCounter = Callable[[str, datetime.date, datetime.date, str | None, str], tuple[int, int]]
_new_member_counter: list[NewMemberCounter] = []


def count_new_members_with(counter: NewMemberCounter) -> None:
    _new_member_counter[:] = [counter]


def new_members(
    path: str, start: datetime.date, end: datetime.date, region: str | None = None, sector: str = ""
) -> tuple[int, int]:
    """(members who joined in [start, end], of them new-employment-form workers) in the subtree."""
    if not _new_member_counter:
        return 0, 0
    return _new_member_counter[0](path, start, end, region, sector)


def unions_established(
    path: str, start: datetime.date, end: datetime.date, region: str | None = None, sector: str = ""
) -> int:
    """Unions of the subtree established in [start, end] (a dissolved one was still established then)."""
    unions = Union.objects.filter(path__subtree=path, established_on__range=(start, end)).exclude(
        status=UnionStatus.PREPARING
    )
    if region:
        unions = unions.filter(region__code__startswith=region_prefix(region))
    if sector:
        unions = unions.filter(sector=sector)
    return unions.count()


@dataclass(frozen=True)
class YearWindow:
    """How much of a year has passed on `as_of`: the basis of the linear projection."""

    year: int
    start: datetime.date
    end: datetime.date  # the last day counted so far (the year's last day once it is over)
    elapsed_days: int
    days_in_year: int

    @property
    def started(self) -> bool:
        return self.elapsed_days > 0

    @property
    def over(self) -> bool:
        return self.elapsed_days >= self.days_in_year


def year_window(year: int, today: datetime.date | None = None) -> YearWindow:
    today = today or timezone.localdate()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    days = 366 if calendar.isleap(year) else 365
    if today < first:
        return YearWindow(year, first, first - datetime.timedelta(days=1), 0, days)
    end = min(today, last)
    return YearWindow(year, first, end, (end - first).days + 1, days)


def project(to_date: int, window: YearWindow) -> int | None:
    """Linear year-end projection: to-date ÷ elapsed days × days in the year (None before it starts)."""
    if not window.started:
        return None
    exact = Decimal(to_date * window.days_in_year) / window.elapsed_days
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Figure:
    target: int
    to_date: int
    projected: int | None

    @property
    def on_track(self) -> bool | None:
        if self.projected is None:
            return None
        return self.projected >= self.target

    @property
    def percent(self) -> float | None:
        return round(self.to_date * 100 / self.target, 1) if self.target else None


@dataclass(frozen=True)
class ShareFigure:
    target: Decimal
    to_date: Decimal | None  # None when nobody has joined yet

    @property
    def on_track(self) -> bool | None:
        if self.to_date is None:
            return None
        return self.to_date >= self.target


@dataclass(frozen=True)
class TargetProgress:
    target: PlanTarget
    window: YearWindow
    unions: Figure
    members: Figure
    new_form_share: ShareFigure

    @property
    def on_track(self) -> bool | None:
        flags = [
            f.on_track for f in (self.unions, self.members, self.new_form_share) if f.on_track is not None
        ]
        return all(flags) if flags else None


def share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001")) if whole else None


def target_progress(target: PlanTarget, today: datetime.date | None = None) -> TargetProgress:
    window = year_window(target.year, today)
    path = target.plan.union.path
    region = target.region_id
    if window.started:
        unions = unions_established(path, window.start, window.end, region, target.sector)
        members, new_form = new_members(path, window.start, window.end, region, target.sector)
    else:
        unions = members = new_form = 0
    return TargetProgress(
        target=target,
        window=window,
        unions=Figure(target.unions_to_establish, unions, project(unions, window)),
        members=Figure(target.members_to_enrol, members, project(members, window)),
        new_form_share=ShareFigure(target.new_form_share, share(new_form, members)),
    )


def plan_progress(plan: CoveragePlan, year: int, today: datetime.date | None = None) -> list[TargetProgress]:
    targets = plan.targets.filter(year=year).select_related("plan__union", "region")
    return [target_progress(target, today) for target in targets]


def plan_years(plan: CoveragePlan) -> list[int]:
    return list(range(plan.start_year, plan.end_year + 1))


def default_year(plan: CoveragePlan, today: datetime.date | None = None) -> int:
    """This year when the plan runs through it, else the plan's nearest year."""
    year = (today or timezone.localdate()).year
    return min(max(year, plan.start_year), plan.end_year)


def regions_for(user):
    """County and town regions under the regions of the unions the user's roles start from (pickers)."""
    regions = Region.objects.filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWN]).order_by("code")
    if user.is_superuser:
        return regions
    codes = Union.objects.filter(pk__in=user.top_unions()).values_list("region_id", flat=True)
    condition = Q(pk__in=[])
    for code in set(codes):
        condition |= Q(code__startswith=region_prefix(code))
    return regions.filter(condition)


def target_errors(target: PlanTarget) -> dict[str, str]:
    """Rules the form, the API and the service share: the year inside the plan, one target per cell."""
    errors = {}
    plan = target.plan if target.plan_id else None
    if plan is not None and target.year is not None and not plan.start_year <= target.year <= plan.end_year:
        errors["year"] = _("年度应在计划的 %(start)s—%(end)s 年之间") % {
            "start": plan.start_year,
            "end": plan.end_year,
        }
    if plan is not None and target.year is not None:
        # The unique constraint lets NULL regions repeat; "all regions" is one cell too.
        clash = PlanTarget.objects.filter(
            plan=plan, year=target.year, region=target.region, sector=target.sector or ""
        ).exclude(pk=target.pk)
        if clash.exists():
            errors["year"] = _("该年度、区划和行业已有目标")
    return errors


def save_target(target: PlanTarget) -> PlanTarget:
    errors = target_errors(target)
    if errors:
        raise ValidationError(errors)
    target.sector = target.sector or ""
    target.save()
    return target
