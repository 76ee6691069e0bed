"""Coverage gaps: census hot spots, day and night coverage, the grid, and greedy site selection."""

import itertools
import random
from decimal import Decimal

import pytest

from core import geo
from core.models import HistoryEntry
from orgs.models import Employer
from orgs.services.employers import save_employer
from stations.choices import HotSpotSource
from stations.models import HotSpot
from stations.services import coverage as services

from .helpers import station

DAY_ONLY = [[[540, 1080]] for _ in range(7)]  # 09:00-18:00
ALL_DAY = [[[0, 1440]] for _ in range(7)]
BASE = (30.088, 120.492)


def offset(metres_north: float, metres_east: float, base=BASE) -> tuple[Decimal, Decimal]:
    """A point so many metres north and east of `base`, as stored (6 places)."""
    lat = base[0] + metres_north / services.M_PER_DEGREE
    lon = base[1] + metres_east / (services.M_PER_DEGREE * 0.8660254)  # cos 30°
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def spot(union, name, at, day, night, source=HotSpotSource.MANUAL) -> HotSpot:
    lat, lon = at
    return HotSpot.objects.create(
        union=union,
        name=name,
        latitude=lat,
        longitude=lon,
        day_workers=day,
        night_workers=night,
        source=source,
    )


def employer(union, name, at=None, **headcounts) -> Employer:
    lat, lon = at if at else (None, None)
    made = Employer(
        name=name, sector="express", region=union.region, area_union=union, latitude=lat, longitude=lon
    )
    return save_employer(made, headcounts=headcounts)


# --- census hot spots ------------------------------------------------------------------------


def test_census_workers_counts_outdoor_forms_and_night_shares():
    assert services.census_workers({"delivery_rider": 10, "courier": 20, "other": 5}) == (30, 7)
    assert services.census_workers({"sanitation_worker": 3}) == (3, 1)  # 0.6 rounds half up
    assert services.census_workers({"other": 40}) == (0, 0)
    assert services.census_workers({}) == (0, 0)


def test_census_night_shares_are_configurable(settings):
    settings.COVERAGE_NIGHT_SHARES = {"courier": "0.5"}
    assert services.census_workers({"courier": 20, "delivery_rider": 10}) == (30, 15)


def test_sync_census_is_idempotent_and_follows_the_employers(tree):
    rider = employer(tree["town_a"], "饿了么柯桥站", offset(0, 0), delivery_rider=40, other=3)
    courier = employer(tree["town_a"], "顺丰柯桥网点", offset(500, 0), courier=30)
    employer(tree["town_a"], "没有坐标的网点", None, courier=12)
    employer(tree["town_a"], "只有文员的公司", offset(900, 0), other=20)
    other_town = employer(tree["town_b"], "中通华舍网点", offset(3000, 0), courier=25)

    assert services.sync_census(tree["town_a"]) == {"created": 2, "updated": 0, "unchanged": 0, "removed": 0}
    rows = {
        s.employer_id: (s.name, s.union, s.source, s.latitude, s.longitude, s.day_workers, s.night_workers)
        for s in HotSpot.objects.all()
    }
    assert rows == {
        rider.pk: ("饿了么柯桥站", tree["town_a"], "census", rider.latitude, rider.longitude, 40, 20),
        courier.pk: ("顺丰柯桥网点", tree["town_a"], "census", courier.latitude, courier.longitude, 30, 3),
    }

    history = HistoryEntry.objects.count()
    assert services.sync_census(tree["district"]) == {
        "created": 1,
        "updated": 0,
        "unchanged": 2,
        "removed": 0,
    }
    assert HotSpot.objects.get(employer=other_town).union == tree["town_b"]
    history = HistoryEntry.objects.count()
    assert services.sync_census(tree["district"]) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "removed": 0,
    }
    assert HistoryEntry.objects.count() == history

    save_employer(courier, headcounts={"courier": 50})
    rider.latitude = rider.longitude = None
    save_employer(rider)
    assert services.sync_census(tree["district"]) == {
        "created": 0,
        "updated": 1,
        "unchanged": 1,
        "removed": 1,
    }
    assert sorted(HotSpot.objects.values_list("name", "day_workers", "night_workers")) == [
        ("中通华舍网点", 25, 3),
        ("顺丰柯桥网点", 50, 5),
    ]


def test_sync_census_keeps_names_unique_in_a_union(tree):
    spot(tree["town_a"], "顺丰柯桥网点", offset(0, 0), 5, 0)
    made = employer(tree["town_a"], "顺丰柯桥网点", offset(100, 0), courier=30)
    services.sync_census(tree["town_a"])
    assert HotSpot.objects.get(employer=made).name == f"顺丰柯桥网点（#{made.pk}）"
    assert services.sync_census(tree["town_a"])["unchanged"] == 1


# --- coverage by day and by night ------------------------------------------------------------


def test_day_and_night_coverage_differ_when_a_station_closes_at_night(tree):
    town = tree["town_a"]
    lat, lon = offset(300, 0)
    station(town, "银行职工驿站", latitude=lat, longitude=lon, hours=DAY_ONLY)
    lat, lon = offset(5000, 0)
    station(town, "小哥驿站（24小时）", latitude=lat, longitude=lon, hours=ALL_DAY)
    lat, lon = offset(20000, 0)
    station(town, "停用的驿站", latitude=lat, longitude=lon, hours=ALL_DAY, active=False)
    market = spot(town, "轻纺城东市场", offset(0, 0), 100, 40)
    park = spot(town, "物流园", offset(5600, 0), 50, 30)  # 600 m from the 24 h station
    far = spot(tree["site_a"], "外卖集合点", offset(20000, 100), 10, 8)  # only the closed station is near

    day = services.analyse(tree["town_a"], 1000, "day", 5)
    assert (day.figures["day"].workers, day.figures["day"].covered, day.figures["day"].share) == (
        160,
        150,
        Decimal("93.8"),
    )
    assert (day.figures["night"].workers, day.figures["night"].covered) == (78, 30)
    assert [s.name for s in day.uncovered] == ["外卖集合点"]
    assert [(s.kind, s.pk, s.gain, s.total) for s in day.suggestions] == [("hot_spot", far.pk, 10, 160)]

    night = services.analyse(tree["town_a"], 1000, "night", 5)
    assert night.figures == day.figures
    assert [s.name for s in night.uncovered] == ["轻纺城东市场", "外卖集合点"]
    # Opening the bank's station in the evening covers the market: the cheapest site comes first.
    bank = next(s for s in night.stations if s.name == "银行职工驿站")
    assert (bank.open, market.pk in {s.pk for s in night.spots}) == ({"day": True, "night": False}, True)
    assert [(s.kind, s.pk, s.gain, s.total, s.share, s.spots) for s in night.suggestions] == [
        ("station", bank.pk, 40, 70, Decimal("89.7"), [market.pk]),
        ("hot_spot", far.pk, 8, 78, Decimal("100.0"), [far.pk]),
    ]
    # A radius of 500 m leaves the park uncovered by day as well.
    small = services.analyse(tree["town_a"], 500, "day", 0)
    assert (small.figures["day"].covered, [s.pk for s in small.uncovered], small.suggestions) == (
        100,
        [park.pk, far.pk],
        [],
    )


def test_the_radius_decides_coverage(tree):
    lat, lon = offset(0, 0)
    station(tree["town_a"], "驿站", latitude=lat, longitude=lon, hours=ALL_DAY)
    target = offset(999, 0)
    spot(tree["town_a"], "边上的热点", target, 10, 10)
    distance = geo.distance_m(float(lat), float(lon), float(target[0]), float(target[1]))
    assert 990 < distance < 1000
    assert services.analyse(tree["town_a"], 1000, "day", 0).figures["day"].covered == 10
    assert services.analyse(tree["town_a"], 990, "day", 0).figures["day"].covered == 0


def test_analysis_is_scoped_to_the_subtree(tree):
    lat, lon = offset(0, 0)
    # The district's station serves the town's workers: supply is every station nearby.
    station(tree["district"], "区总工会驿站", latitude=lat, longitude=lon, hours=ALL_DAY)
    spot(tree["town_a"], "柯桥热点", offset(100, 0), 10, 5)
    spot(tree["town_b"], "华舍热点", offset(40000, 0), 20, 5)
    town_a = services.analyse(tree["town_a"])
    assert ([s.name for s in town_a.spots], town_a.figures["day"].covered) == (["柯桥热点"], 10)
    district = services.analyse(tree["district"])
    assert (district.figures["day"].workers, district.figures["day"].covered) == (30, 10)
    assert [s.name for s in district.uncovered] == ["华舍热点"]


def test_analysis_refuses_bad_inputs(tree):
    with pytest.raises(ValueError):
        services.analyse(tree["town_a"], 1000, "evening")
    with pytest.raises(ValueError):
        services.analyse(tree["town_a"], 50, "day")


def test_the_two_instants_decide_open_by_day_and_by_night(tree, settings):
    evening = [[[1020, 1320]] for _ in range(7)]  # 17:00-22:00
    rows = [
        {"id": 1, "hours": evening, "active": True},
        {"id": 2, "hours": DAY_ONLY, "active": True},
        {"id": 3, "hours": ALL_DAY, "active": False},
    ]
    assert services.period_flags(rows) == {
        1: {"day": False, "night": True},
        2: {"day": True, "night": False},
        3: {"day": False, "night": False},
    }
    settings.COVERAGE_NIGHT_AT = (2, "22:30")
    assert services.period_flags(rows)[1] == {"day": False, "night": False}
    assert services.instant_label(services.instants()["night"]) == "周三 22:30"


# --- the grid and the greedy ---------------------------------------------------------------


def test_grid_finds_exactly_the_points_a_full_scan_finds():
    rng = random.Random(4)
    points = [(30.0 + rng.uniform(0, 0.2), 120.4 + rng.uniform(0, 0.2)) for _ in range(600)]
    for radius in (150, 1000, 4000):
        grid = services.Grid(points, radius)
        for _ in range(60):
            lat, lon = 30.0 + rng.uniform(-0.02, 0.22), 120.4 + rng.uniform(-0.02, 0.22)
            brute = [i for i, p in enumerate(points) if geo.distance_m(lat, lon, *p) <= radius]
            assert grid.within(lat, lon) == brute
            assert grid.any_within(lat, lon) == bool(brute)


def plain_greedy(covers, weights, k):
    """The textbook greedy: every candidate's gain recomputed at every step; ties to the lower index."""
    covered, picks = set(), []
    for _ in range(k):
        gains = [sum(weights[d] for d in set(cover) - covered) for cover in covers]
        if not gains or max(gains) <= 0:
            break
        best = gains.index(max(gains))
        picks.append((best, gains[best]))
        covered |= set(covers[best])
    return picks


def test_lazy_greedy_matches_the_plain_greedy_on_random_instances():
    rng = random.Random(2026)
    for _ in range(400):
        demand = rng.randint(0, 12)
        weights = [rng.choice([0, 1, 2, 3, 5, 5, 8]) for _ in range(demand)]
        covers = [
            sorted(rng.sample(range(demand), rng.randint(0, demand))) if demand else []
            for _ in range(rng.randint(0, 9))
        ]
        k = rng.randint(0, 6)
        picks = services.greedy_max_coverage(covers, weights, k)
        assert picks == plain_greedy(covers, weights, k)
        # Coverage values are exact: the gains add up to the weight of what the picks cover together.
        together = set(itertools.chain.from_iterable(covers[c] for c, _g in picks))
        assert sum(g for _c, g in picks) == sum(weights[d] for d in together)


def test_lazy_greedy_on_geometry_matches_the_plain_greedy_over_full_distance_scans():
    rng = random.Random(7)
    for _ in range(40):
        demand = [
            (30 + rng.uniform(0, 0.05), 120.4 + rng.uniform(0, 0.05)) for _ in range(rng.randint(1, 25))
        ]
        sites = demand + [(30 + rng.uniform(0, 0.05), 120.4 + rng.uniform(0, 0.05)) for _ in range(10)]
        weights = [rng.randint(0, 60) for _ in demand]
        radius = rng.choice([300, 800, 1500])
        grid = services.Grid(demand, radius)
        covers = [grid.within(*s) for s in sites]
        brute = [[d for d, p in enumerate(demand) if geo.distance_m(*s, *p) <= radius] for s in sites]
        assert covers == brute
        assert services.greedy_max_coverage(covers, weights, 4) == plain_greedy(brute, weights, 4)


def test_the_greedy_is_the_optimum_when_it_can_be_checked_by_hand():
    # Three hot spots in a row, 800 m apart, with a 1000 m radius: the middle site covers all three.
    covers = [[0], [0, 1, 2], [2], [1]]
    assert services.greedy_max_coverage(covers, [10, 20, 30], 3) == [(1, 60)]
    assert services.greedy_max_coverage(covers, [10, 20, 30], 0) == []
