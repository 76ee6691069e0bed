"""Open now: the weekly hours (stations/hours.py) together with the dated closures.

`open_now` answers for one station, `open_flags` for many at once (one query for the closures,
so a list or the nearest-station search does not ask once per station). Times are read in the
project's time zone (Asia/Shanghai), since that is the clock the hours are written in.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import hours as rules
from ..models import Station, StationClosure


def local(at: datetime.datetime | None = None) -> datetime.datetime:
    """`at` (default now) in local time; a naive datetime is taken as already local."""
    if at is None:
        return timezone.localtime()
    return timezone.localtime(at) if timezone.is_aware(at) else at


def closed_ids(station_ids, day: datetime.date) -> set[int]:
    """Which of these stations have a closure covering `day`: one query."""
    ids = list(station_ids)
    if not ids:
        return set()
    return set(
        StationClosure.objects.filter(station_id__in=ids, starts_on__lte=day, ends_on__gte=day).values_list(
            "station_id", flat=True
        )
    )


def open_flags(stations, at: datetime.datetime | None = None) -> dict[int, bool]:
    """{station id: open at `at`} for stations (objects, or dicts/rows with id, hours, active)."""
    at = local(at)
    rows = []
    for station in stations:
        if isinstance(station, dict):
            rows.append((station["id"], station.get("hours"), station.get("active", True)))
        else:
            rows.append((station.pk, station.hours, station.active))
    by_hours = {pk: bool(active) and rules.is_open(hours, at) for pk, hours, active in rows}
    closed = closed_ids([pk for pk, is_open in by_hours.items() if is_open], at.date())
    return {pk: is_open and pk not in closed for pk, is_open in by_hours.items()}


def open_now(station: Station, at: datetime.datetime | None = None) -> bool:
    """Whether the station is open at `at` (default now): active, within its hours, not closed that day."""
    return open_flags([station], at)[station.pk]


def open_ids(queryset, at: datetime.datetime | None = None) -> list[int]:
    """The ids of the stations in `queryset` open at `at` (reads only id, hours and active)."""
    rows = list(queryset.filter(active=True).values("id", "hours", "active"))
    return [pk for pk, is_open in open_flags(rows, at).items() if is_open]


def parse_week(texts: list[str]) -> tuple[rules.Hours, dict[int, str]]:
    """Seven day texts ("08:30-17:00", "24小时", "休息") as hours, and {weekday: message} for those wrong."""
    week, errors = [], {}
    for day, text in enumerate(texts):
        try:
            week.append(rules.parse_day(text))
        except ValidationError as error:
            errors[day] = " ".join(error.messages)
            week.append([])
    return week, errors


def week_table(hours) -> list[tuple[str, str]]:
    """[(周一, "08:30-17:00"), …] for a readable week."""
    hours = hours or [[] for _ in range(7)]
    return [(str(label), rules.format_day(day)) for label, day in zip(rules.WEEKDAYS, hours, strict=True)]


def week_text(hours) -> str:
    """The week in one line: "每天24小时", "每天 08:00-20:00" or "周一 08:30-17:00；周二 …"."""
    hours = hours or [[] for _ in range(7)]
    if rules.is_all_day(hours):
        return _("每天24小时")
    if all(day == hours[0] for day in hours):
        return _("每天 %(hours)s") % {"hours": rules.format_day(hours[0])} if hours[0] else _("暂无开放时间")
    return "；".join(f"{label} {text}" for label, text in week_table(hours))
