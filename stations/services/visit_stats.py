"""Person-times (服务人次) of a station or of every station in a scope, over a period.

Person-times are visits (check-ins) plus the counts of services keepers recorded. Every figure is
one aggregate query (GROUP BY in the database); Python only merges the few grouped rows, so the
cost does not grow with the number of visits.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import range_problem
from orgs.choices import EmploymentForm

from .. import hours as hours_rules
from ..models import ServiceRecord, Station, Visit

# How many stations the scope table ranks (a province has thousands; the export has them all).
TOP_STATIONS = 20


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This month so far: the 1st to today, both included."""
    today = today or timezone.localdate()
    return today.replace(day=1), today


# A period is for a month or a quarter (the export for up to a year), within the system's years.
LONGEST_PERIOD = datetime.timedelta(days=366)


def period_problems(start: datetime.date, end: datetime.date) -> dict[str, str]:
    """What is wrong with a period, by field (start, end); empty when it can be counted."""
    for name, day in (("start", start), ("end", end)):
        if problem := range_problem(day):
            return {name: problem}
    if end < start:
        return {"end": _("结束日期不能早于开始日期")}
    if end - start > LONGEST_PERIOD:
        return {"end": _("统计期间不能超过一年")}
    return {}


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Local midnight at `start` and after `end`: the period's instants, end day included."""
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return first, after


@dataclass
class Figures:
    """What the statistics pages, the summary and the API show."""

    start: datetime.date
    end: datetime.date
    visits: int = 0
    services: int = 0
    # (code, label, visits, services, both); only forms with any person-times, most first.
    by_form: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    # (code, name, person-times), most first.
    by_kind: list[tuple[str, str, int]] = field(default_factory=list)
    # 24 visit counts, hour 0 first (local time).
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    # 7 rows (Monday first) of 24 visit counts.
    by_weekday_hour: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    # (station id, name, visits, services, both) of the busiest stations, most first.
    stations: list[tuple[int, str, int, int, int]] = field(default_factory=list)
    station_count: int = 0

    @property
    def person_times(self) -> int:
        return self.visits + self.services

    @property
    def busiest_hour(self) -> int | None:
        peak = max(self.by_hour)
        return self.by_hour.index(peak) if peak else None

    def hour_bars(self) -> list[tuple[str, int, int]]:
        """(label "08:00", visits, bar width in percent of the busiest hour)."""
        peak = max(self.by_hour) or 1
        return [(f"{hour:02d}:00", n, round(100 * n / peak)) for hour, n in enumerate(self.by_hour)]

    def week_grid(self) -> list[tuple[str, list[tuple[int, int]]]]:
        """(weekday, [(visits, shade 0–100)] × 24) for the 7×24 table."""
        peak = max(max(row) for row in self.by_weekday_hour) or 1
        return [
            (str(hours_rules.WEEKDAYS[day]), [(n, round(100 * n / peak)) for n in row])
            for day, row in enumerate(self.by_weekday_hour)
        ]

    def as_dict(self) -> dict:
        """The API's shape."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "station_count": self.station_count,
            "visits": self.visits,
            "services": self.services,
            "person_times": self.person_times,
            "by_employment_form": [
                {"code": code, "label": label, "visits": v, "services": s, "person_times": both}
                for code, label, v, s, both in self.by_form
            ],
            "by_service_kind": [{"code": code, "name": name, "count": n} for code, name, n in self.by_kind],
            "by_hour": self.by_hour,
            "by_weekday_hour": self.by_weekday_hour,
            "busiest_hour": self.busiest_hour,
            "stations": [
                {"id": pk, "name": name, "visits": v, "services": s, "person_times": both}
                for pk, name, v, s, both in self.stations
            ],
        }


def figures(stations, start: datetime.date, end: datetime.date) -> Figures:
    """The figures of every station in `stations` (a Station queryset, already restricted)."""
    station_ids = stations.values("pk")
    first, after = _bounds(start, end)
    visits = Visit.objects.filter(station__in=station_ids, at__gte=first, at__lt=after)
    services = ServiceRecord.objects.filter(station__in=station_ids, served_on__gte=start, served_on__lte=end)
    result = Figures(start=start, end=end, station_count=stations.count())

    forms_visits = dict(visits.order_by().values_list("employment_form").annotate(n=Count("id")))
    forms_services = dict(services.order_by().values_list("employment_form").annotate(n=Sum("count")))
    result.visits = sum(forms_visits.values())
    result.services = sum(forms_services.values())
    labels = dict(EmploymentForm.choices)
    rows = []
    for code in set(forms_visits) | set(forms_services):
        v, s = forms_visits.get(code, 0), forms_services.get(code, 0)
        rows.append((code, str(labels.get(code, _("未填写"))), v, s, v + s))
    result.by_form = sorted(rows, key=lambda row: (-row[4], row[0]))

    result.by_kind = [
        (code, name, n)
        for code, name, n in services.order_by()
        .values_list("kind__code", "kind__name")
        .annotate(n=Sum("count"))
        .order_by("-n", "kind__code")
    ]

    grid = (
        visits.order_by()
        .annotate(day=ExtractIsoWeekDay("at"), hour=ExtractHour("at"))
        .values_list("day", "hour")
        .annotate(n=Count("id"))
    )
    for day, hour, n in grid:
        result.by_weekday_hour[day - 1][hour] += n
        result.by_hour[hour] += n

    per_visits = dict(visits.order_by().values_list("station").annotate(n=Count("id")))
    per_services = dict(services.order_by().values_list("station").annotate(n=Sum("count")))
    busiest = sorted(
        set(per_visits) | set(per_services),
        key=lambda pk: (-(per_visits.get(pk, 0) + per_services.get(pk, 0)), pk),
    )[:TOP_STATIONS]
    names = dict(Station.objects.filter(pk__in=busiest).values_list("pk", "name"))
    result.stations = [
        (
            pk,
            names[pk],
            per_visits.get(pk, 0),
            per_services.get(pk, 0),
            per_visits.get(pk, 0) + per_services.get(pk, 0),
        )
        for pk in busiest
    ]
    return result


def station_figures(station: Station, start: datetime.date, end: datetime.date) -> Figures:
    return figures(Station.objects.filter(pk=station.pk), start, end)
