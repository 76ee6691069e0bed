import random
from decimal import Decimal

from core.models import HistoryEntry
from core.scoping import CHANGE, VIEW
from stations import demo
from stations.models import Station

from .. import factories
from .helpers import keeper


def _seed(tree, user=None, seed=2026):
    return demo.seed_stations(tree["district"], user, random.Random(seed))


def test_the_seeds_stations(tree):
    user = keeper("keeper", tree["town_a"])
    stations = _seed(tree, user)
    assert len(stations) == Station.objects.count() == 31
    kinds = [s.kind for s in stations]
    assert (kinds.count("worker"), kinds.count("telecom_care"), kinds.count("rider")) == (10, 20, 1)
    rider = Station.objects.get(kind="rider")
    assert (rider.name, rider.union, rider.region.name) == (
        "柯迎社区小哥驿站（小哥驿家）",
        tree["town_a"],
        "柯桥街道",
    )
    assert set(Station.objects.exclude(kind="rider").values_list("union", flat=True)) == {tree["district"].pk}
    assert set(Station.objects.filter(kind="telecom_care").values_list("partner__name", flat=True)) == {
        f"中国电信柯桥分公司{branch}营业厅" for _street, branch, _road in demo.TELECOM_STATIONS
    }
    for station in stations:
        assert Decimal("30.08") <= station.latitude <= Decimal("30.20"), station.name
        assert Decimal("120.40") <= station.longitude <= Decimal("120.60"), station.name
        assert station.address.startswith("绍兴市柯桥区"), station.name
        assert station.phone.startswith("0575-8") and len(station.phone) == 13, station.phone
        assert station.region is not None and station.region.parent_id == "330603", station.name
        assert station.active


def test_keeper_sees_exactly_two_stations(tree):
    user = keeper("keeper", tree["town_a"])
    _seed(tree, user)
    assert sorted(Station.objects.restrict(user, VIEW).values_list("name", flat=True)) == [
        "柯迎社区小哥驿站（小哥驿家）",
        "爱心翼站·电信柯北营业厅",
    ]
    assert list(Station.objects.restrict(user, CHANGE)) == []
    # The telecom station belongs to the district, above the keeper's role: one was granted there.
    assert sorted(user.roles.values_list("union__name", "kind")) == [
        ("柯桥区总工会", "keeper"),
        ("柯桥街道总工会", "keeper"),
    ]


def test_town_service_official_sees_the_rider_station_only(tree):
    _seed(tree, keeper("keeper", tree["district"]))
    official = factories.official("svc-a", "service", tree["town_a"])
    assert list(Station.objects.restrict(official).values_list("name", flat=True)) == [
        "柯迎社区小哥驿站（小哥驿家）"
    ]


def test_deterministic_and_idempotent(tree):
    user = keeper("keeper", tree["district"])
    first = [(s.pk, s.name, s.address, s.phone, s.latitude, s.longitude) for s in _seed(tree, user)]
    history = HistoryEntry.objects.count()
    again = [(s.pk, s.name, s.address, s.phone, s.latitude, s.longitude) for s in _seed(tree, user)]
    assert again == first
    assert HistoryEntry.objects.count() == history
    assert user.roles.count() == 1
    assert demo._plans(random.Random(7)) == demo._plans(random.Random(7))
    assert demo._plans(random.Random(7)) != demo._plans(random.Random(8))


def test_without_a_keeper(tree):
    assert len(_seed(tree, None)) == 31
    assert not Station.keepers.through.objects.exists()


def test_coordinates_stay_around_keqiao_for_any_seed():
    for seed in range(50):
        for plan in demo._plans(random.Random(seed)):
            assert Decimal("30.08") <= plan["latitude"] <= Decimal("30.20")
            assert Decimal("120.40") <= plan["longitude"] <= Decimal("120.60")


def test_hours_amenities_and_the_spring_festival(tree):
    from stations import hours as hours_rules
    from stations.models import StationClosure

    _seed(tree, keeper("keeper", tree["district"]))
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


def test_four_weeks_of_visits_and_services(tree):
    import datetime

    from django.db.models import Count, Sum
    from django.utils import timezone

    from stations.models import ServiceRecord, Visit
    from stations.services import visit_stats

    user = keeper("keeper", tree["district"])
    factories.official("svc-d", "service", tree["district"])
    before = timezone.localdate()
    stations = _seed(tree, user)
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


def test_activity_is_idempotent_deterministic_and_names_the_demo_worker(tree):
    # One test for the three: each load of four weeks of activity (7,500 visits) costs seconds.
    from django.db import transaction
    from django.utils import timezone

    from stations.models import ServiceRecord, Visit
    from stations.services import visits as visit_services

    user = keeper("keeper", tree["district"])
    factories.official("svc-d", "service", tree["district"])
    worker = factories.member(tree["site_a"], "李国强", employment_form="delivery_rider")

    def visits():
        return list(
            Visit.objects.order_by("station", "at").values_list("station__name", "at", "employment_form")
        )

    def records():
        return list(
            ServiceRecord.objects.order_by("station", "served_on", "kind", "count").values_list(
                "count", flat=True
            )
        )

    # The seed naming the demo worker, then undone (a savepoint: deleting 7,500 visits one by one, as
    # the ORM does for their signals, took longer than the seed).
    with transaction.atomic():
        demo.seed_stations(tree["district"], user, random.Random(2026), worker=worker)
        named_visits, named_records = visits(), records()
        mine = list(visit_services.recent_visits(worker, limit=50))
        transaction.set_rollback(True)
    assert 9 <= len(mine) <= 12  # Monday, Wednesday and Friday of four weeks
    assert {v.station.name for v in mine} == {demo.RIDER_STATION}
    assert all(
        11 <= timezone.localtime(v.at).hour <= 13 and v.employment_form == "delivery_rider" for v in mine
    )
    assert not Visit.objects.exists()
    # The same seed without him: the same visits and services, none his.
    _seed(tree, user)
    first_visits, first_records = visits(), records()
    assert first_visits == named_visits and first_records == named_records
    assert list(visit_services.recent_visits(worker, limit=50)) == []
    # Run again: nothing more.
    history = HistoryEntry.objects.count()
    _seed(tree, user)
    assert Visit.objects.count() == len(first_visits) and ServiceRecord.objects.count() == len(first_records)
    assert HistoryEntry.objects.count() == history
