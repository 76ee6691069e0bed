"""core.geo against published reference pairs, round trips, distances and bounding boxes; core.maps.

Reference pairs: the widely used coordtransform library (github.com/wandergis/coordtransform,
test/app.js: wgs84togcj02 / gcj02tobd09 / bd09togcj02 of (116.404, 39.915)), its Rust port
coordtransform_rs (the same values to the last digit), and gcoord (github.com/hujiulong/gcoord,
test/unit/crs/GCJ02.spec.js: GCJ02 -> WGS84 and GCJ02 -> BD09 of (123, 45), to 5 decimals).
"""

import math
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from core import geo, maps


def metres(a, b) -> float:
    return geo.distance_m(a[0], a[1], b[0], b[1])


# (lat, lon) in, (lat, lon) expected, tolerance in degrees.
REFERENCE = [
    # coordtransform test/app.js: wgs84togcj02(116.404, 39.915)
    ("wgs84_to_gcj02", (39.915, 116.404), (39.91640428150164, 116.41024449916938), 1e-12),
    # coordtransform: gcj02tobd09(116.404, 39.915)
    ("gcj02_to_bd09", (39.915, 116.404), (39.92133699351021, 116.41036949371029), 1e-12),
    # coordtransform: bd09togcj02(116.404, 39.915)
    ("bd09_to_gcj02", (39.915, 116.404), (39.90865673957631, 116.39762729119315), 1e-12),
    # gcoord GCJ02.spec.js: GCJ02 -> BD09 of [123, 45] (toBeCloseTo 5 decimals)
    ("gcj02_to_bd09", (45.0, 123.0), (45.00636899, 123.00636499), 5e-6),
    # gcoord GCJ02.spec.js: GCJ02 -> WGS84 of [123, 45] (its inverse is iterative too)
    ("gcj02_to_wgs84", (45.0, 123.0), (44.99804071, 122.99395597), 5e-6),
]


@pytest.mark.parametrize(("function", "given", "expected", "tolerance"), REFERENCE)
def test_published_reference_pairs(function, given, expected, tolerance):
    got = getattr(geo, function)(*given)
    assert got[0] == pytest.approx(expected[0], abs=tolerance)
    assert got[1] == pytest.approx(expected[1], abs=tolerance)


def test_tiananmen_offset_is_the_known_few_hundred_metres():
    # 天安门 in WGS-84 -> GCJ-02: the offset every map user in Beijing knows (~ 550 m east-north-east).
    gcj = geo.wgs84_to_gcj02(39.908823, 116.397470)
    assert gcj == pytest.approx((39.910226, 116.403714), abs=2e-6)
    assert 500 < metres((39.908823, 116.397470), gcj) < 600


def test_gcj02_inverse_is_not_the_one_step_approximation():
    # coordtransform's gcj02towgs84(116.404, 39.915) is one step: (39.91359571849836, 116.39775550083061).
    # Ours iterates; its image must land back on the input to well under a centimetre.
    back = geo.gcj02_to_wgs84(39.915, 116.404)
    assert metres(back, (39.91359571849836, 116.39775550083061)) < 1.0
    assert metres(geo.wgs84_to_gcj02(*back), (39.915, 116.404)) < 0.01


def test_round_trips_through_every_system_stay_under_half_a_metre():
    rng = random.Random(20261129)
    worst = 0.0
    for _ in range(2000):
        point = geo.Point(rng.uniform(18.2, 53.5), rng.uniform(73.7, 134.7))
        for system in (geo.GCJ02, geo.BD09):
            there = geo.from_wgs84(point, system)
            back = geo.to_wgs84(*there, system)
            worst = max(worst, metres((point.lat, point.lon), (back.lat, back.lon)))
    assert worst < 0.5


def test_to_wgs84_names_its_system_and_checks_ranges():
    assert geo.to_wgs84("30.1", "120.5", "wgs84") == geo.Point(30.1, 120.5)
    with pytest.raises(ValueError, match="unknown coordinate system"):
        geo.to_wgs84(30, 120, "gps")
    for lat, lon in [(91, 0), (0, 181), (float("nan"), 0), (0, float("inf"))]:
        with pytest.raises(ValueError):
            geo.to_wgs84(lat, lon, "wgs84")


def test_outside_china_gcj02_is_wgs84():
    for point in [
        geo.Point(51.5007, -0.1246),
        geo.Point(-33.8568, 151.2153),
        geo.Point(37.5665, 126.978 + 12),
    ]:
        assert geo.from_wgs84(point, geo.GCJ02) == (point.lat, point.lon)
        assert geo.to_wgs84(point.lat, point.lon, geo.GCJ02) == point


def test_haversine_distances():
    # One degree of latitude on the mean sphere; a quarter of the meridian; antipodes.
    assert geo.distance_m(0, 0, 1, 0) == pytest.approx(111_195, abs=1)
    assert geo.distance_m(0, 0, 90, 0) == pytest.approx(math.pi / 2 * geo.EARTH_RADIUS_M, rel=1e-12)
    # (haversine loses a few decimetres at the antipodes: asin near 1)
    assert geo.distance_m(10, 20, -10, -160) == pytest.approx(math.pi * geo.EARTH_RADIUS_M, abs=1)
    # Across the antimeridian it is short.
    assert geo.distance_m(0, 179.9, 0, -179.9) == pytest.approx(22_239, abs=2)


def _destination(lat, lon, bearing, distance):
    ang = distance / geo.EARTH_RADIUS_M
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(ang) + math.cos(p1) * math.sin(ang) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(ang) * math.cos(p1), math.cos(ang) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


def _in_box(box, lat, lon) -> bool:
    min_lat, max_lat, min_lon, max_lon = box
    if not (min_lat - 1e-9 <= lat <= max_lat + 1e-9):
        return False
    return max_lon - min_lon >= 360 or any(
        min_lon - 1e-9 <= x <= max_lon + 1e-9 for x in (lon, lon - 360, lon + 360)
    )


def test_bounding_box_holds_every_point_of_the_circle_even_near_the_poles():
    rng = random.Random(4)
    for _ in range(30_000):
        lat = rng.uniform(-90, 90) if rng.random() < 0.5 else rng.choice([1, -1]) * rng.uniform(85, 90)
        lon, radius = rng.uniform(-180, 180), 10 ** rng.uniform(1, 6.3)
        box = geo.bounding_box(lat, lon, radius)
        for _ in range(3):
            point = _destination(lat, lon, rng.uniform(0, 2 * math.pi), radius * rng.random() ** 0.05)
            if geo.distance_m(lat, lon, *point) <= radius:
                assert _in_box(box, *point), (lat, lon, radius, point, box)


def test_bounding_box_near_the_pole_is_wide_enough():
    # 5.6 km from the North Pole, a 1 km circle spans ~±10.4° of longitude (the old box gave ±5.2°).
    east = _destination(89.95, 10.0, math.pi / 2, 999)
    assert _in_box(geo.bounding_box(89.95, 10.0, 1000), *east)


@override_settings(MAP_TILE_SYSTEM="gcj02", MAP_TILE_URL="/tiles/{z}/{x}/{y}.png")
def test_map_data_converts_points_for_gcj02_tiles():
    data = maps.map_data(
        points=[{"lat": 39.908823, "lon": 116.397470, "label": "天安门", "url": "/x/", "open": True}],
        circles=[{"lat": 39.908823, "lon": 116.397470, "radius_m": 500}],
        centre=(39.908823, 116.397470),
    )
    assert data["tile_url"] == "/tiles/{z}/{x}/{y}.png" and data["system"] == "gcj02"
    assert (data["points"][0]["lat"], data["points"][0]["lon"]) == pytest.approx(
        (39.910226, 116.403714), abs=2e-6
    )
    assert (data["circles"][0]["lat"], data["circles"][0]["lon"]) == pytest.approx(
        (39.910226, 116.403714), abs=2e-6
    )
    assert data["centre"] == pytest.approx([39.910226, 116.403714], abs=2e-6)
    assert data["points"][0]["open"] is True and data["points"][0]["label"] == "天安门"


def test_map_data_keeps_wgs84_by_default_and_ignores_an_unknown_system():
    with override_settings(MAP_TILE_SYSTEM="wgs84"):
        assert maps.map_data(points=[{"lat": 30.0, "lon": 120.0}])["points"][0] == {"lat": 30.0, "lon": 120.0}
    with override_settings(MAP_TILE_SYSTEM="mars"):
        assert maps.tile_system() == "wgs84"


def test_standard_amenity_names_follow_the_page_language(db):
    """The standard list's names are shown in English on English pages; a name an official typed, as typed."""
    from django.utils import translation

    from stations.models import Amenity, ServiceKind

    water = Amenity.objects.get(code="drinking_water")
    typed = Amenity.objects.create(code="massage_chair", name="按摩椅")
    with translation.override("en"):
        assert (str(water), str(typed), str(ServiceKind.objects.get(code="haircut"))) == (
            "Drinking water",
            "按摩椅",
            "Haircut",
        )
    with translation.override("zh-hans"):
        assert str(water) == "饮用水"


@pytest.mark.parametrize("system", geo.SYSTEMS)
def test_a_place_in_china_is_kept_with_six_places(system):
    lat, lon = geo.from_wgs84(geo.Point(30.088, 120.492), system)
    kept = geo.stored_position(lat, lon, system)
    # BD-09's inverse is good to about 1e-7 degrees: the sixth place may move by one.
    assert [value.as_tuple().exponent for value in kept] == [-6, -6]
    assert [float(value) for value in kept] == pytest.approx([30.088, 120.492], abs=1.5e-6)


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (0, 0, "坐标不在中国境内"),  # no pick at all: off Africa
        (-1, -1, "坐标不在中国境内"),
        (120.492, 30.088, "坐标无效"),  # swapped: a latitude past 90
        (30.088, -120.492, "坐标不在中国境内"),  # a minus sign too many: California
        ("abc", 120, "坐标无效"),
        (float("nan"), 120, "坐标无效"),
    ],
)
def test_a_place_outside_china_is_refused_in_plain_words(lat, lon, message):
    with pytest.raises(ValidationError) as refused:
        geo.stored_position(lat, lon, geo.WGS84)
    assert refused.value.messages[0].startswith(message)
    with pytest.raises(ValidationError, match="wgs84、gcj02 或 bd09"):
        geo.stored_position(30.088, 120.492, "mars")


def test_the_model_validators_hold_the_same_box():
    geo.validate_latitude(Decimal("30.088"))
    geo.validate_longitude(Decimal("120.492"))
    refused = ((geo.validate_latitude, 0), (geo.validate_longitude, -1), (geo.validate_latitude, 500))
    for validator, value in refused:
        with pytest.raises(ValidationError, match="坐标不在中国境内"):
            validator(Decimal(value))
