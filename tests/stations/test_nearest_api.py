"""GET /api/v1/stations/nearest/: the coordinate system is required and converted on the way in."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from core import geo
from stations import hours as rules
from stations.models import StationClosure

from .test_nearest import KEQIAO, near

URL = "/api/v1/stations/nearest/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def stations(tree):
    union = tree["district"]
    return {
        "near": near(union, "柯桥职工驿站", north_m=200, amenities=["drinking_water", "charging"]),
        "rider": near(union, "柯迎社区小哥驿站", east_m=800, kind="rider", amenities=["charging"]),
        "far": near(union, "华舍爱心翼站", north_m=-3000, kind="telecom_care"),
        "never": near(union, "从不开放", north_m=50, hours=[[] for _ in range(7)]),
    }


def get(client, **params):
    return client.get(URL, params)


def test_public_and_ordered_open_first(stations):
    response = get(Client(), lat=KEQIAO.lat, lon=KEQIAO.lon, system="wgs84")
    assert response.status_code == 200
    body = response.json()
    assert body["system"] == "wgs84" and body["count"] == 4
    assert [r["name"] for r in body["results"]] == [
        "柯桥职工驿站",
        "柯迎社区小哥驿站",
        "华舍爱心翼站",
        "从不开放",
    ]
    first = body["results"][0]
    assert first["open_now"] is True and first["distance_m"] == 200 and first["distance_text"] == "约 200 米"
    assert first["amenities"] == ["drinking_water", "charging"]
    assert first["url"].endswith(f"/stations/{stations['near'].pk}/")
    assert body["results"][-1]["open_now"] is False
    assert response["Cache-Control"] == "private, no-store"


def test_system_is_required_with_a_clear_message(stations):
    response = get(Client(), lat=KEQIAO.lat, lon=KEQIAO.lon)
    assert response.status_code == 400
    assert "wgs84、gcj02 或 bd09" in response.json()["system"][0]
    response = get(Client(), lat=KEQIAO.lat, lon=KEQIAO.lon, system="gps")
    assert response.status_code == 400 and "gps" in response.json()["system"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": "91", "lon": "120", "system": "wgs84"}, "lat"),
        ({"lat": "30", "lon": "abc", "system": "wgs84"}, "lon"),
        ({"lon": "120", "system": "wgs84"}, "lat"),
        ({"lat": "30", "lon": "120", "system": "wgs84", "limit": "0"}, "limit"),
        ({"lat": "30", "lon": "120", "system": "wgs84", "limit": "500"}, "limit"),
        ({"lat": "30", "lon": "120", "system": "wgs84", "kind": "palace"}, "kind"),
        ({"lat": "30", "lon": "120", "system": "wgs84", "amenity": "jacuzzi"}, "amenity"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(db, params, field):
    response = Client().get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_gcj02_and_bd09_inputs_are_converted_on_the_way_in(stations):
    station = stations["near"]
    here = geo.Point(float(station.latitude), float(station.longitude))
    for system in ("gcj02", "bd09"):
        lat, lon = geo.from_wgs84(here, system)
        body = get(Client(), lat=lat, lon=lon, system=system).json()
        assert body["results"][0]["name"] == "柯桥职工驿站"
        assert body["results"][0]["distance_m"] == 0, system  # the same place, once converted
    # Taken as WGS-84 the GCJ-02 numbers are ~ 500 m off: the system matters.
    lat, lon = geo.from_wgs84(here, "gcj02")
    assert get(Client(), lat=lat, lon=lon, system="wgs84").json()["results"][0]["distance_m"] > 300


def test_coordinates_and_navigation_in_each_system(stations):
    body = get(Client(), lat=KEQIAO.lat, lon=KEQIAO.lon, system="wgs84", limit=1).json()
    result = body["results"][0]
    station = stations["near"]
    wgs = (float(station.latitude), float(station.longitude))
    assert (result["latitude"], result["longitude"]) == pytest.approx(wgs, abs=1e-6)
    gcj = geo.wgs84_to_gcj02(*wgs)
    bd = geo.gcj02_to_bd09(*gcj)
    assert result["coordinates"]["wgs84"] == pytest.approx(list(wgs), abs=1e-6)
    assert result["coordinates"]["gcj02"] == pytest.approx(list(gcj), abs=1e-6)
    assert result["coordinates"]["bd09"] == pytest.approx(list(bd), abs=1e-6)
    amap = parse_qs(urlsplit(result["navigation"]["amap"]).query)
    lon, lat = (float(v) for v in amap["position"][0].split(","))
    assert (lat, lon) == pytest.approx(gcj, abs=1e-6)
    baidu = parse_qs(urlsplit(result["navigation"]["baidu"]).query)
    assert [float(v) for v in baidu["location"][0].split(",")] == pytest.approx(list(bd), abs=1e-6)


def test_filters(stations):
    client = Client()
    base = {"lat": KEQIAO.lat, "lon": KEQIAO.lon, "system": "wgs84"}
    names = lambda **extra: [r["name"] for r in client.get(URL, {**base, **extra}).json()["results"]]  # noqa: E731
    assert names(kind="rider") == ["柯迎社区小哥驿站"]
    assert names(kind=["rider", "telecom_care"]) == ["柯迎社区小哥驿站", "华舍爱心翼站"]
    assert names(amenity="charging") == ["柯桥职工驿站", "柯迎社区小哥驿站"]
    assert names(amenity=["charging", "drinking_water"]) == ["柯桥职工驿站"]
    assert names(open_only="true") == ["柯桥职工驿站", "柯迎社区小哥驿站", "华舍爱心翼站"]
    assert names(within_m="1000") == ["柯桥职工驿站", "柯迎社区小哥驿站", "从不开放"]
    assert names(limit="2") == ["柯桥职工驿站", "柯迎社区小哥驿站"]


def test_a_closure_today_shows_as_closed(stations):
    today = timezone.localdate()
    StationClosure.objects.create(station=stations["near"], starts_on=today, ends_on=today, reason="盘点")
    results = get(Client(), lat=KEQIAO.lat, lon=KEQIAO.lon, system="wgs84").json()["results"]
    closed = next(r for r in results if r["name"] == "柯桥职工驿站")
    assert closed["open_now"] is False
    assert results.index(closed) > results.index(next(r for r in results if r["name"] == "华舍爱心翼站"))


def test_hours_today_and_week(stations):
    result = get(Client(), lat=KEQIAO.lat, lon=KEQIAO.lon, system="wgs84", limit=1).json()["results"][0]
    assert result["hours_today"] == rules.format_day([[0, 1440]]) and result["hours_text"] == "每天24小时"


def test_throttled_per_address(db, settings):
    client = Client()
    statuses = {client.get(URL, {"lat": 30, "lon": 120, "system": "wgs84"}).status_code for _ in range(125)}
    assert 429 in statuses


def test_empty(db):
    body = Client().get(URL, {"lat": 30, "lon": 120, "system": "wgs84"}).json()
    assert body == {"system": "wgs84", "count": 0, "results": []}


def test_the_time_is_now(stations, monkeypatch):
    # The API answers for the present moment: at 03:00 a daytime station is closed.
    union = stations["near"].union
    near(union, "白天站", north_m=10, hours=[[[480, 1200]] for _ in range(7)])
    night = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(3, 0)))
    monkeypatch.setattr(timezone, "now", lambda: night)
    results = get(Client(), lat=KEQIAO.lat, lon=KEQIAO.lon, system="wgs84").json()["results"]
    assert next(r for r in results if r["name"] == "白天站")["open_now"] is False
