"""The stations' demo, seeded by each test as it needs it (a keeper on the town, none, the demo worker
named); what the district's keeper sees of one seed is tests/stations/test_demo_district.py."""

import random
from decimal import Decimal

from core.models import HistoryEntry
from core.scoping import CHANGE, VIEW
from stations import demo
from stations.models import Station

from .. import factories
from .helpers import demo_stations, keeper


def test_the_seeds_stations(tree):
    user = keeper("keeper", tree["town_a"])
    stations = demo_stations(tree, user)
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
    demo_stations(tree, user)
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


def test_without_a_keeper(tree):
    assert len(demo_stations(tree, None)) == 31
    assert not Station.keepers.through.objects.exists()


def test_coordinates_stay_around_keqiao_for_any_seed():
    for seed in range(50):
        for plan in demo._plans(random.Random(seed)):
            assert Decimal("30.08") <= plan["latitude"] <= Decimal("30.20")
            assert Decimal("120.40") <= plan["longitude"] <= Decimal("120.60")


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
        demo_stations(tree, user, worker=worker)
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
    demo_stations(tree, user)
    first_visits, first_records = visits(), records()
    assert first_visits == named_visits and first_records == named_records
    assert list(visit_services.recent_visits(worker, limit=50)) == []
    # Run again: nothing more.
    history = HistoryEntry.objects.count()
    demo_stations(tree, user)
    assert Visit.objects.count() == len(first_visits) and ServiceRecord.objects.count() == len(first_records)
    assert HistoryEntry.objects.count() == history
