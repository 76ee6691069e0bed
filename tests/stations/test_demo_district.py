"""The stations' demo as the district's station keeper has it: 31 stations, four weeks of visits and
services, seeded once for the module (seconds: tests.module_data) with the keeper on the district and
its service official, as `seed_demo` does."""

import datetime
import random
from typing import NamedTuple

import pytest
from django.utils import timezone

from core.models import HistoryEntry
from stations import demo
from stations.models import Station
from tests.module_data import kept_for_module

from .. import factories
from .helpers import demo_stations, keeper

pytestmark = pytest.mark.django_db


class Seeded(NamedTuple):
    tree: dict
    keeper: object
    stations: list
    before: datetime.date  # the local date when the seed started


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with kept_for_module(django_db_blocker):
        tree = factories.tree()
        user = keeper("keeper", tree["district"])
        factories.official("svc-d", "service", tree["district"])
        before = timezone.localdate()
        yield Seeded(tree, user, demo_stations(tree, user), before)


def test_town_service_official_sees_the_rider_station_only(seeded):
    tree = seeded.tree
    official = factories.official("svc-a", "service", tree["town_a"])
    assert list(Station.objects.restrict(official).values_list("name", flat=True)) == [
        "柯迎社区小哥驿站（小哥驿家）"
    ]


def test_deterministic_and_idempotent(seeded):
    tree, user = seeded.tree, seeded.keeper
    first = [(s.pk, s.name, s.address, s.phone, s.latitude, s.longitude) for s in seeded.stations]
    history = HistoryEntry.objects.count()
    again = [(s.pk, s.name, s.address, s.phone, s.latitude, s.longitude) for s in demo_stations(tree, user)]
    assert again == first
    assert HistoryEntry.objects.count() == history
    assert user.roles.count() == 1
    assert demo._plans(random.Random(7)) == demo._plans(random.Random(7))
    assert demo._plans(random.Random(7)) != demo._plans(random.Random(8))


def test_hours_amenities_and_the_spring_festival(seeded):
    from stations import hours as hours_rules
    from stations.models import StationClosure

    bank = Station.objects.get(name="柯桥职工驿站·工商银行柯桥支行")
    assert [hours_rules.format_day(day) for day in bank.hours] == ["08:30-17:00"] * 5 + ["09:00-16:00"] * 2
    market = Station.objects.get(name="柯桥职工驿站·永辉超市柯岩店")
    assert {hours_rules.format_day(day) for day in market.hours} == {"08:00-22:00"}
    assert "8:00–22:00" in market.opening_note
    telecom = Station.objects.get(name=demo.KEEPER_SECOND)
    assert {hours_rules.format_day(day) for day in telecom.hours} == {"08:30-18:00"}
    rider = Station.objects.get(kind="rider")
    assert {hours_rules.format_day(day) for day in rider.hours} == {"07:00-22:00"}
    # Only the six banks close for the Spring Festival.
    closures = StationClosure.objects.select_related("station__partner")
    assert len(closures) == 6
    assert {c.station.partner.kind for c in closures} == {"bank"}
    assert {(c.starts_on.isoformat(), c.ends_on.isoformat()) for c in closures} == {
        ("2027-02-05", "2027-02-08")
    }
    for station in Station.objects.prefetch_related("amenities"):
        codes = {a.code for a in station.amenities.all()}
        assert {"drinking_water", "charging", "seats", "restroom"} <= codes, station.name
        assert ("screen_film" in codes) == (station.kind == "telecom_care"), station.name
    assert {"microwave", "first_aid", "books", "shower"} <= {a.code for a in rider.amenities.all()}


def test_four_weeks_of_visits_and_services(seeded):
    from django.db.models import Count, Sum

    from stations.models import ServiceRecord, Visit
    from stations.services import visit_stats

    before, stations = seeded.before, seeded.stations
    assert Visit.objects.count() > 5000
    days = {timezone.localtime(at).date() for at in Visit.objects.values_list("at", flat=True)}
    # The four weeks up to yesterday, as of the seed's start: midnight may pass while it runs.
    today = max(days) + datetime.timedelta(days=1)
    first = today - datetime.timedelta(days=demo.ACTIVITY_DAYS)
    assert today in (before, before + datetime.timedelta(days=1)) and min(days) == first
    assert set(Visit.objects.values_list("station", flat=True)) == {s.pk for s in stations}
    figures = visit_stats.figures(Station.objects.all(), first, today)
    # Noon and evening peaks; nobody at a station that is closed.
    assert figures.by_hour[12] == max(figures.by_hour)
    # (the evening peak is at 17:00, while banks and telecom halls are still open)
    assert max(figures.by_hour[17:20]) > 1.3 * max(figures.by_hour[14:16])
    assert figures.by_hour[12] > 2 * figures.by_hour[9]
    assert sum(figures.by_hour[0:7]) == 0 and figures.by_hour[22] == figures.by_hour[23] == 0
    # Riders and couriers most of all.
    top = [code for code, _label, visits, _s, _b in sorted(figures.by_form, key=lambda row: -row[2])][:2]
    assert top == ["delivery_rider", "courier"]
    assert Visit.objects.filter(person__isnull=False).count() == 0
    # Services: screen films at the telecom stations, recorded by the keeper where he keeps the station.
    films = ServiceRecord.objects.filter(kind__code="screen_film")
    assert set(films.values_list("station__kind", flat=True)) <= {"telecom_care", "rider"}
    assert films.aggregate(n=Sum("count"))["n"] > 1000
    kept = ServiceRecord.objects.filter(station__name__in=[demo.RIDER_STATION, demo.KEEPER_SECOND])
    assert set(kept.values_list("recorded_by__username", flat=True)) == {"keeper"}
    assert set(
        ServiceRecord.objects.exclude(pk__in=kept).values_list("recorded_by__username", flat=True)
    ) == {"svc-d"}
    # Recorded on the evening of the day served, so none is "today's" on a keeper's phone.
    assert not ServiceRecord.objects.filter(created_at__date__gte=today).exists()
    # The rider station is the busiest.
    per_station = dict(Visit.objects.values_list("station__name").annotate(n=Count("id")))
    assert max(per_station, key=per_station.get) == demo.RIDER_STATION
