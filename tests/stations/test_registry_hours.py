"""Open now: weekly hours with dated closures, for one station and for many with one query."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stations import hours as rules
from stations.models import StationClosure
from stations.services import hours as hours_service

from .helpers import station

# 2026-06-01 is a Monday.
MONDAY = datetime.date(2026, 6, 1)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def week(*days: str) -> list:
    return hours_service.parse_week(list(days))[0]


def test_parse_week_reports_each_bad_day():
    hours, errors = hours_service.parse_week(
        ["08:30-17:00", "24小时", "休息", "8点到5点", "08:00-12:00，14:00-20:00", "25:00-26:00", ""]
    )
    assert hours[0] == [[510, 1020]]
    assert hours[1] == [[0, 1440]]
    assert hours[2] == []
    assert hours[4] == [[480, 720], [840, 1200]]
    assert sorted(errors) == [3, 5]
    assert "8点到5点" in errors[3]


def test_open_now_follows_hours_closures_and_active(tree):
    made = station(tree["town_a"], hours=week(*(["08:30-17:00"] * 5), "休息", "休息"))
    assert hours_service.open_now(made, at(MONDAY, 9)) is True
    assert hours_service.open_now(made, at(MONDAY, 8, 29)) is False
    assert hours_service.open_now(made, at(MONDAY, 17)) is False
    assert hours_service.open_now(made, at(MONDAY + datetime.timedelta(days=5), 10)) is False  # Saturday
    StationClosure.objects.create(station=made, starts_on=MONDAY, ends_on=MONDAY, reason="端午")
    assert hours_service.open_now(made, at(MONDAY, 9)) is False
    assert hours_service.open_now(made, at(MONDAY + datetime.timedelta(days=1), 9)) is True
    made.active = False
    assert hours_service.open_now(made, at(MONDAY + datetime.timedelta(days=1), 9)) is False


def test_hours_past_midnight(tree):
    made = station(tree["town_a"], hours=week("20:00-02:00", "休息", "休息", "休息", "休息", "休息", "休息"))
    assert hours_service.open_now(made, at(MONDAY, 23)) is True
    # Tuesday 01:00 is still Monday evening's opening.
    assert hours_service.open_now(made, at(MONDAY + datetime.timedelta(days=1), 1)) is True
    assert hours_service.open_now(made, at(MONDAY + datetime.timedelta(days=1), 3)) is False


def test_open_flags_reads_closures_with_one_query(tree):
    stations = [station(tree["town_a"], f"站{n}", hours=rules.always_open()) for n in range(12)]
    closed = stations[:4]
    for s in closed:
        StationClosure.objects.create(
            station=s, starts_on=MONDAY, ends_on=MONDAY + datetime.timedelta(days=6)
        )
    with CaptureQueriesContext(connection) as queries:
        flags = hours_service.open_flags(stations, at(MONDAY, 12))
    assert len(queries) == 1
    assert {pk for pk, is_open in flags.items() if not is_open} == {s.pk for s in closed}
    assert len(flags) == 12


def test_open_ids_and_week_text(tree):
    always = station(tree["town_a"], "全天站", hours=rules.always_open())
    station(tree["town_a"], "未设置站")
    from stations.models import Station

    assert hours_service.open_ids(Station.objects.all(), at(MONDAY, 3)) == [always.pk]
    assert hours_service.week_text(rules.always_open()) == "每天24小时"
    assert hours_service.week_text(week(*(["08:00-20:00"] * 7))) == "每天 08:00-20:00"
    text = hours_service.week_text(week("08:30-17:00", "08:30-17:00", "", "", "", "", ""))
    assert text.startswith("周一 08:30-17:00；周二 08:30-17:00；周三 休息")


@pytest.mark.parametrize("naive", [True, False])
def test_local_time_is_shanghai(naive):
    moment = datetime.datetime(2026, 6, 1, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Shanghai
    local = hours_service.local(moment.replace(tzinfo=None) if naive else moment)
    assert local.hour == (1 if naive else 9)


@pytest.mark.parametrize("interval", [[True, 600], [480, False], [480.0, 600], ["480", 600]])
def test_hours_are_minutes_not_booleans_or_text(interval):
    week = [[[480, 1200]]] * 7
    rules.validate(week)
    with pytest.raises(ValidationError, match="开放时间格式有误"):
        rules.validate([[interval], *week[1:]])
