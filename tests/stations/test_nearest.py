"""stations.services.nearest: ordering, open now first (overnight hours, closures), filters, edge cases."""

import datetime
import math
import random
from decimal import Decimal

import pytest
from django.db import connection

from core import geo
from stations import hours as rules
from stations.models import Amenity, Station, StationClosure
from stations.services import hours as hours_service
from stations.services import nearest as service
from stations.services import registry

KEQIAO = geo.Point(30.088, 120.492)
MONDAY = datetime.datetime(2026, 11, 23, 10, 0)  # local (Asia/Shanghai) time; a Monday
ALWAYS = rules.always_open()
DAYTIME = [[[8 * 60, 20 * 60]] for _ in range(7)]
OVERNIGHT = [[[20 * 60, 2 * 60]] for _ in range(7)]  # 20:00-02:00, past midnight
CLOSED = [[] for _ in range(7)]


def offset(origin: geo.Point, north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    lat = origin.lat + math.degrees(north_m / geo.EARTH_RADIUS_M)
    lon = origin.lon + math.degrees(east_m / (geo.EARTH_RADIUS_M * math.cos(math.radians(origin.lat))))
    return lat, (lon + 540) % 360 - 180


def make(union, name, lat, lon, hours=ALWAYS, kind="worker", amenities=(), **fields) -> Station:
    # The search's geometry is tested over the whole globe (the date line, the poles): rows the
    # database's constraints take, beyond the forms' China box (core.geo.stored_position).
    station = registry.save_station(
        Station(
            union=union,
            name=name,
            kind=kind,
            address=f"{name}地址",
            latitude=Decimal(f"{lat:.6f}"),
            longitude=Decimal(f"{lon:.6f}"),
            hours=hours,
            **fields,
        ),
        checked=not geo.in_china(lat, lon),
    )
    if amenities:
        station.amenities.set(Amenity.objects.filter(code__in=amenities))
    return station


def near(union, name, north_m=0.0, east_m=0.0, origin=KEQIAO, **fields) -> Station:
    return make(union, name, *offset(origin, north_m, east_m), **fields)


def names(found) -> list[str]:
    return [f.station.name for f in found]


@pytest.fixture
def union(tree):
    return tree["district"]


def test_nearest_by_distance_with_exact_distances(union):
    near(union, "三百米", north_m=300)
    near(union, "一百米", east_m=100)
    near(union, "两公里", north_m=-2000)
    near(union, "五十公里", east_m=50_000)
    found = service.nearest(KEQIAO, at=MONDAY)
    assert names(found) == ["一百米", "三百米", "两公里", "五十公里"]
    assert [round(f.distance_m) for f in found] == [100, 300, 2000, 50_000]
    assert all(f.open_now for f in found)
    assert isinstance(found[0].station, Station) and found[0].station.latitude is not None


def test_limit_and_the_stations_are_whole(union):
    for i in range(15):
        near(union, f"站{i:02d}", east_m=100 * (i + 1), phone="0575-84123456")
    found = service.nearest(KEQIAO, limit=10, at=MONDAY)
    assert names(found) == [f"站{i:02d}" for i in range(10)]
    station = found[0].station
    fresh = Station.objects.get(pk=station.pk)
    for field in Station._meta.concrete_fields:
        if field.name != "grid":
            assert getattr(station, field.attname) == getattr(fresh, field.attname), field.name
    assert station.hours == ALWAYS and station.active is True and station.phone == "0575-84123456"
    assert len(service.nearest(KEQIAO, limit=3, at=MONDAY)) == 3


def test_open_now_first_then_distance(union):
    near(union, "近但白天开", north_m=100, hours=DAYTIME)
    near(union, "中间全天", north_m=900)
    near(union, "远但全天", north_m=3000)
    near(union, "从不开", north_m=50, hours=CLOSED)
    at_night = MONDAY.replace(hour=23)
    assert names(service.nearest(KEQIAO, at=at_night)) == ["中间全天", "远但全天", "从不开", "近但白天开"]
    assert names(service.nearest(KEQIAO, at=MONDAY)) == ["近但白天开", "中间全天", "远但全天", "从不开"]
    flags = {f.station.name: f.open_now for f in service.nearest(KEQIAO, at=at_night)}
    assert flags == {"中间全天": True, "远但全天": True, "从不开": False, "近但白天开": False}


def test_overnight_hours_count_after_midnight(union):
    near(union, "夜间站", north_m=100, hours=OVERNIGHT)
    near(union, "全天站", north_m=5000)
    # Monday 23:00 (the evening part) and Tuesday 01:30 (Monday's interval past midnight): open.
    for at in (MONDAY.replace(hour=23), MONDAY.replace(hour=1, minute=30) + datetime.timedelta(days=1)):
        found = service.nearest(KEQIAO, at=at)
        assert names(found) == ["夜间站", "全天站"] and found[0].open_now, at
    # Tuesday 02:00 and 15:00: closed, so it goes after the farther open one.
    for at in (MONDAY.replace(hour=2) + datetime.timedelta(days=1), MONDAY.replace(hour=15)):
        found = service.nearest(KEQIAO, at=at)
        assert names(found) == ["全天站", "夜间站"] and not found[1].open_now, at
    # Sunday's evening runs into Monday morning (the week wraps).
    sunday_only = [[] for _ in range(6)] + [[[22 * 60, 3 * 60]]]
    near(union, "周日夜", north_m=50, hours=sunday_only)
    found = service.nearest(KEQIAO, at=MONDAY.replace(hour=2))
    assert found[0].station.name == "周日夜" and found[0].open_now


def test_a_closure_covering_the_day_closes_the_station(union):
    holiday = near(union, "春节闭站", north_m=100)
    later = near(union, "下周闭站", north_m=200)
    near(union, "远处", north_m=4000)
    StationClosure.objects.create(
        station=holiday,
        starts_on=MONDAY.date() - datetime.timedelta(days=2),
        ends_on=MONDAY.date(),
        reason="春节",
    )
    StationClosure.objects.create(
        station=later,
        starts_on=MONDAY.date() + datetime.timedelta(days=7),
        ends_on=MONDAY.date() + datetime.timedelta(days=8),
    )
    found = service.nearest(KEQIAO, at=MONDAY)
    assert names(found) == ["下周闭站", "远处", "春节闭站"]
    assert [f.open_now for f in found] == [True, True, False]
    # The next day the closure is over.
    assert names(service.nearest(KEQIAO, at=MONDAY + datetime.timedelta(days=1)))[0] == "春节闭站"


def test_open_flags_agree_with_the_hours_service(union):
    rng = random.Random(7)
    weeks = [ALWAYS, DAYTIME, OVERNIGHT, CLOSED, [[[510, 1050]]] * 5 + [[], []]]
    stations = [
        near(
            union,
            f"随机{i}",
            north_m=rng.uniform(-3000, 3000),
            east_m=rng.uniform(-3000, 3000),
            hours=rng.choice(weeks),
        )
        for i in range(30)
    ]
    for station in stations[:5]:
        StationClosure.objects.create(station=station, starts_on=MONDAY.date(), ends_on=MONDAY.date())
    for hour in (0, 1, 7, 9, 13, 19, 21, 23):
        for day in (0, 2, 5, 6):
            at = MONDAY.replace(hour=hour) + datetime.timedelta(days=day)
            found = service.nearest(KEQIAO, limit=50, at=at)
            assert len(found) == 30
            for f in found:
                assert f.open_now == hours_service.open_now(f.station, at), (f.station.name, at)
            opens = [f.open_now for f in found]
            assert opens == sorted(opens, reverse=True)  # open ones first
            for group in (True, False):
                distances = [f.distance_m for f in found if f.open_now is group]
                assert distances == sorted(distances)


def test_inactive_and_unplaced_stations_are_left_out(union):
    near(union, "已撤站", north_m=10, active=False)
    registry.save_station(Station(union=union, name="无坐标", kind="worker", address="某处", hours=ALWAYS))
    near(union, "在用", north_m=500)
    assert names(service.nearest(KEQIAO, at=MONDAY)) == ["在用"]


def test_kind_and_amenity_filters(union):
    near(union, "电信翼站", north_m=100, kind="telecom_care", amenities=["screen_film", "charging"])
    near(union, "小哥驿站", north_m=200, kind="rider", amenities=["charging", "microwave", "drinking_water"])
    near(union, "职工驿站", north_m=300, kind="worker", amenities=["drinking_water"])
    assert names(service.nearest(KEQIAO, at=MONDAY, kinds=["rider"])) == ["小哥驿站"]
    assert names(service.nearest(KEQIAO, at=MONDAY, kinds=["rider", "worker"])) == ["小哥驿站", "职工驿站"]
    assert names(service.nearest(KEQIAO, at=MONDAY, amenities=["charging"])) == ["电信翼站", "小哥驿站"]
    # Every amenity asked for, not any of them.
    assert names(service.nearest(KEQIAO, at=MONDAY, amenities=["charging", "drinking_water"])) == ["小哥驿站"]
    assert names(service.nearest(KEQIAO, at=MONDAY, amenities=["aed"])) == []
    assert names(service.nearest(KEQIAO, at=MONDAY, kinds=["worker"], amenities=["charging"])) == []
    # An amenity taken off the managed list no longer filters anything in.
    Amenity.objects.filter(code="screen_film").update(active=False)
    assert names(service.nearest(KEQIAO, at=MONDAY, amenities=["screen_film"])) == []


def test_open_only_and_within(union):
    near(union, "白天", north_m=100, hours=DAYTIME)
    near(union, "全天", north_m=2000)
    near(union, "很远", north_m=40_000)
    night = MONDAY.replace(hour=22)
    assert names(service.nearest(KEQIAO, at=night, open_only=True)) == ["全天", "很远"]
    assert names(service.nearest(KEQIAO, at=night, within_m=5000)) == ["全天", "白天"]
    assert names(service.nearest(KEQIAO, at=night, open_only=True, within_m=1000)) == []
    assert names(service.nearest(KEQIAO, at=MONDAY, within_m=150)) == ["白天"]


def test_empty_results(union):
    assert service.nearest(KEQIAO, at=MONDAY) == []
    near(union, "新疆的站", origin=geo.Point(43.8256, 87.6168))  # ~3,300 km away: beyond the search
    assert service.nearest(KEQIAO, at=MONDAY) == []
    assert service.nearest(geo.Point(-45.0, -60.0), at=MONDAY) == []


def test_across_the_antimeridian(union):
    origin = geo.Point(-16.5, 179.995)  # Fiji, where the date line runs
    make(union, "东侧", -16.5, -179.99)  # 1.6 km east, across ±180
    make(union, "西侧", -16.5, 179.97)  # 2.7 km west
    make(union, "远西", -16.5, 179.0)
    found = service.nearest(origin, at=MONDAY)
    assert names(found) == ["东侧", "西侧", "远西"]
    assert found[0].distance_m == pytest.approx(geo.distance_m(-16.5, 179.995, -16.5, -179.99))
    assert found[0].distance_m < 2000
    # And from the other side.
    assert names(service.nearest(geo.Point(-16.5, -179.995), at=MONDAY))[:2] == ["东侧", "西侧"]


def test_near_the_poles(union):
    make(union, "极点对面", 89.99, 180.0)  # ~2.2 km across the North Pole
    make(union, "同经线", 89.96, 0.0)  # 3.3 km along the meridian
    found = service.nearest(geo.Point(89.99, 0.0), at=MONDAY)
    assert names(found) == ["极点对面", "同经线"]
    assert found[0].distance_m == pytest.approx(2224, abs=5)
    make(union, "南极站", -89.995, 45.0)
    assert names(service.nearest(geo.Point(-89.995, -135.0), at=MONDAY)) == ["南极站"]


def test_grid_column_matches_python(union):
    rng = random.Random(3)
    points = [
        (0.0, 0.0),
        (-0.000001, -0.000001),
        (89.999999, 179.999999),
        (-90, -180),
        (90, 180),
        (30.0, 120.0),
    ]
    points += [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(40)]
    for i, (lat, lon) in enumerate(points):
        make(union, f"格{i}", lat, lon)
    for station in Station.objects.filter(name__startswith="格"):
        assert station.grid == service.grid_cell(float(station.latitude), float(station.longitude)), (
            station.name
        )


def test_grid_follows_a_moved_station(union):
    station = near(union, "搬家")
    station.latitude, station.longitude = Decimal("31.230400"), Decimal("121.473700")
    registry.save_station(station)
    station.refresh_from_db()
    assert station.grid == service.grid_cell(31.2304, 121.4737)
    assert names(service.nearest(geo.Point(31.2304, 121.4737), at=MONDAY)) == ["搬家"]


def test_stale_cell_counts_change_no_answer(union):
    # The counts only size the boxes: counts from another database (or none) give the same answer.
    for i in range(12):
        near(union, f"站{i}", north_m=150 * i, hours=DAYTIME if i % 2 else ALWAYS)
    service.forget_counts()
    right = names(service.nearest(KEQIAO, at=MONDAY.replace(hour=22)))
    fine = service.grid_cell(KEQIAO.lat, KEQIAO.lon, service.FINE)
    for counts, fine_counts in (
        ({}, {}),
        ({service.grid_cell(KEQIAO.lat, KEQIAO.lon): 10**6}, {}),
        ({service.grid_cell(0, 0): 5}, {fine: 10**6}),
        ({}, {fine + 1: 3, fine + 400 * service.FINE: 10**5}),
    ):
        service._COUNTS.update(cells=counts, fine=fine_counts, at=1e18)
        try:
            assert names(service.nearest(KEQIAO, at=MONDAY.replace(hour=22))) == right
        finally:
            service.forget_counts()


def test_a_far_search_widens_its_box(union):
    # The nearest open station is 120 km away: found through the growing box, nothing nearer open.
    near(union, "很远的全天站", north_m=120_000)
    near(union, "近处白天站", north_m=500, hours=DAYTIME)
    found = service.nearest(KEQIAO, at=MONDAY.replace(hour=23), limit=1)
    assert names(found) == ["很远的全天站"]


def test_a_city_search_is_one_box(union, django_assert_max_num_queries):
    for i in range(40):
        near(union, f"城{i}", north_m=(i % 7) * 80, east_m=(i // 7) * 90)
    service.forget_counts()
    service.nearest(KEQIAO, at=MONDAY)  # the per-process cell counts are read once (a hint for box sizes)
    # One statement for the box; on SQLite one more reads the ten stations chosen (see _whole_rows).
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 2):
        found = service.nearest(KEQIAO, at=MONDAY)
    assert len(found) == 10


def test_fine_counts_number_cells_as_python_does(union):
    # The database's fine cells (GridCell per_degree) and grid_cell(…, FINE) must agree, or the hints
    # would describe the wrong place.
    station = near(union, "细格", north_m=3_000, east_m=-2_000)
    service.forget_counts()
    counts = service._cell_counts()
    lat, lon = float(station.latitude), float(station.longitude)
    assert counts["fine"] == {service.grid_cell(lat, lon, service.FINE): 1}
    assert counts["cells"] == {service.grid_cell(lat, lon): 1}
    service.forget_counts()


def test_the_box_query_uses_the_grid_index(union):
    near(union, "任一", north_m=10)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        service.nearest(KEQIAO, at=MONDAY, limit=1)
    sql = captured.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + ("QUERY PLAN " if connection.vendor == "sqlite" else "") + sql)
        plan = " ".join(str(row) for row in cursor.fetchall())
    if connection.vendor == "sqlite":
        assert "stations_station_near" in plan
    else:  # a tiny table may be scanned, so the plan is not asserted; the query must still run
        assert plan


def test_distance_text():
    assert service.distance_text(849.6) == "约 850 米"
    assert service.distance_text(3) == "约 10 米"
    assert service.distance_text(2345) == "2.3 公里"
    assert service.distance_text(123_456) == "123 公里"


def test_navigation_links_carry_converted_coordinates(union):
    from urllib.parse import parse_qs, urlsplit

    station = make(union, "天安门驿站", 39.908823, 116.397470)
    links = service.navigation(station)
    amap = urlsplit(links["amap"])
    assert amap.netloc == "uri.amap.com" and amap.path == "/marker"
    query = parse_qs(amap.query)
    lon, lat = (float(v) for v in query["position"][0].split(","))
    assert (lat, lon) == pytest.approx(geo.wgs84_to_gcj02(39.908823, 116.397470), abs=1e-6)
    assert query["coordinate"] == ["gaode"] and query["name"] == ["天安门驿站"]
    baidu = parse_qs(urlsplit(links["baidu"]).query)
    blat, blon = (float(v) for v in baidu["location"][0].split(","))
    assert (blat, blon) == pytest.approx(geo.from_wgs84(geo.Point(39.908823, 116.397470), geo.BD09), abs=1e-6)
    assert (
        baidu["coord_type"] == ["bd09ll"] and baidu["output"] == ["html"] and baidu["title"] == ["天安门驿站"]
    )
    # Back to WGS-84 from either: the station's own place, within half a metre.
    assert geo.distance_m(39.908823, 116.397470, *geo.to_wgs84(lat, lon, "gcj02").__dict__.values()) < 0.5
    assert geo.distance_m(39.908823, 116.397470, *geo.to_wgs84(blat, blon, "bd09").__dict__.values()) < 0.5


def test_place_lookup(tree):
    union = tree["district"]
    from orgs.models import Partner, Region

    partner = Partner.objects.create(name="中国电信柯桥营业厅", kind="telecom", union=union)
    near(union, "柯迎社区小哥驿站", north_m=100, region=Region.objects.get(code="330603001"))
    near(union, "华舍职工驿站", north_m=-3000, region=Region.objects.get(code="330603003"), partner=partner)
    point, label = service.place("柯迎社区小哥驿站")
    assert label == "柯迎社区小哥驿站" and geo.distance_m(point.lat, point.lon, *offset(KEQIAO, 100)) < 1
    assert service.place("电信柯桥")[1] == "华舍职工驿站"  # by the partner's name
    assert service.place("华舍职工驿站地址")[1] == "华舍职工驿站"  # by the address
    point, label = service.place("华舍街道")
    assert label == "华舍街道" and geo.distance_m(point.lat, point.lon, *offset(KEQIAO, -3000)) < 1
    point, label = service.place("柯桥区")  # the middle of the stations in the county
    assert label == "柯桥区" and geo.distance_m(point.lat, point.lon, *offset(KEQIAO, -1450)) < 5
    assert service.place("火星") is None
    assert service.place("柯") is None  # too short to mean anything
