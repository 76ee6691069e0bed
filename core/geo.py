"""Coordinates: the three systems Chinese maps use, conversions between them, and distances.

Everything is stored in WGS-84 (GPS). 高德 and 腾讯 maps draw GCJ-02 (the "Mars" offset the
state requires of published maps inside China); 百度 draws BD-09, a further offset of GCJ-02.
Every input that takes coordinates names its system and is converted here on the way in;
links to a provider's map get that provider's system on the way out.

GCJ-02 has no published inverse: WGS-84 -> GCJ-02 is the well-known public formula, and the
way back is found by fixed-point iteration to well under a centimetre.
Outside mainland China GCJ-02 equals WGS-84 (the offset is not applied there).
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WGS84, GCJ02, BD09 = "wgs84", "gcj02", "bd09"
SYSTEMS = (WGS84, GCJ02, BD09)

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses it
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8  # mean radius (IUGG), for haversine distances


@dataclass(frozen=True)
class Point:
    """A WGS-84 point in decimal degrees."""

    lat: float
    lon: float


# The rough box of China inside which GCJ-02 applies (the common convention): south, north, west, east.
CHINA = (0.8293, 55.8271, 72.004, 137.8347)
# As places are kept (DecimalField(max_digits=9, decimal_places=6)): about 0.1 m.
SIX_PLACES = Decimal("0.000001")


def in_china(lat: float, lon: float) -> bool:
    """Within CHINA's box (where GCJ-02 applies, and where a union's places lie)."""
    south, north, west, east = CHINA
    return south <= lat <= north and west <= lon <= east


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if not in_china(lat, lon):
        return lat, lon
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 image is (lat, lon), by fixed-point iteration."""
    if not in_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _step in range(30):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        dlat, dlon = glat - lat, glon - lon
        wlat, wlon = wlat - dlat, wlon - dlon
        if abs(dlat) < 1e-10 and abs(dlon) < 1e-10:
            break
    return wlat, wlon


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def to_wgs84(lat: float, lon: float, system: str) -> Point:
    """A point given in `system` (wgs84, gcj02 or bd09) as WGS-84; ValueError for anything else."""
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("coordinates out of range")
    if system == WGS84:
        return Point(lat, lon)
    if system == GCJ02:
        return Point(*gcj02_to_wgs84(lat, lon))
    if system == BD09:
        return Point(*gcj02_to_wgs84(*bd09_to_gcj02(lat, lon)))
    raise ValueError(f"unknown coordinate system {system!r}; use one of {', '.join(SYSTEMS)}")


def from_wgs84(point: Point, system: str) -> tuple[float, float]:
    """(lat, lon) of a WGS-84 point in the system a map provider draws."""
    if system == WGS84:
        return point.lat, point.lon
    gcj = wgs84_to_gcj02(point.lat, point.lon)
    if system == GCJ02:
        return gcj
    if system == BD09:
        return gcj02_to_bd09(*gcj)
    raise ValueError(f"unknown coordinate system {system!r}")


def stored_position(lat, lon, system: str) -> tuple[Decimal, Decimal]:
    """A union's place (a station, a hot spot) given in `system`, as it is kept: WGS-84 Decimals
    with six places. A place the union serves lies in China: 0/0 (off Africa), a minus sign lost or
    latitude and longitude swapped is a map pick gone wrong, refused (ValidationError) with the box."""
    try:
        point = to_wgs84(lat, lon, system)
    except (TypeError, ValueError):
        if system not in SYSTEMS:
            raise ValidationError(_("坐标系应为 wgs84、gcj02 或 bd09"), code="coordinates") from None
        raise ValidationError(
            _("坐标无效：纬度应在 -90 到 90 之间，经度应在 -180 到 180 之间"), code="coordinates"
        ) from None
    if not in_china(point.lat, point.lon):
        raise ValidationError(china_problem(), code="coordinates")
    return (
        Decimal(repr(point.lat)).quantize(SIX_PLACES, ROUND_HALF_UP),
        Decimal(repr(point.lon)).quantize(SIX_PLACES, ROUND_HALF_UP),
    )


def china_problem() -> str:
    south, north, west, east = CHINA
    return _(
        "坐标不在中国境内（纬度 %(south)s 至 %(north)s，经度 %(west)s 至 %(east)s）："
        "请在地图上重新选点，并检查纬度、经度是否填反"
    ) % {"south": south, "north": north, "west": west, "east": east}


def validate_latitude(value) -> None:
    """A kept WGS-84 latitude (a model field's validator: forms and the API alike) lies in China's box."""
    if value is not None and not CHINA[0] <= float(value) <= CHINA[1]:
        raise ValidationError(china_problem(), code="coordinates")


def validate_longitude(value) -> None:
    if value is not None and not CHINA[2] <= float(value) <= CHINA[3]:
        raise ValidationError(china_problem(), code="coordinates")


def distance_m(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp, dl = p2 - p1, math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) containing every point within radius_m of (lat, lon)."""
    angle = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(angle)
    if abs(lat) + dlat >= 90 or angle >= math.pi / 2:
        dlon = 180.0  # the circle takes in a pole: every longitude
    else:
        # The widest longitude span of a circle on the sphere (not at its own latitude, nearer
        # the pole): asin(sin r / cos lat). A nudge keeps points on the rim inside.
        dlon = min(180.0, math.degrees(math.asin(math.sin(angle) / math.cos(math.radians(lat)))) * (1 + 1e-9))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
