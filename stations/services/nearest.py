"""The nearest stations to a point: open now first, then by distance.

How it stays fast with 2×10^5 stations nationwide (bench/nearest_stations.py measures it):

- Station.grid is the point's 1° cell, a stored generated column; the partial index
  stations_station_near (grid, latitude, longitude, id) WHERE active holds every active station. A box
  around the point is read as the cells it touches (less those wholly outside the circle), each an
  index range on latitude, ordered by an approximate (equirectangular) distance in SQL and cut at
  MAX_CANDIDATES rows, so a box reaching into a city never ships the whole city to Python. For the
  rows kept, the same statement reads the hours and whether a closure covers the day.
- The first box is sized from the density around the point (per-process counts of stations per
  1° cell and per 0.1° cell, refreshed every COUNTS_TTL_S: only a hint, a stale count changes the
  number of steps, never the answer); the fine cells matter in cities, whose centres are many times
  denser than their 1° cell (sized from the 1° cells alone, a third of the boxes in a city reached
  the MAX_CANDIDATES cut and took four times as long). Until its circle holds `limit` stations
  open now, the box grows by the factor the open stations found suggest (×1.5 to ×4), less when
  the counts say it would take in a city, up to MAX_RADIUS_M or `within_m`.
- Exact haversine distances in Python; "open now" from the weekly hours (stations/hours.is_open;
  the same hours texts repeat, so each is decoded once) and the day's closures: the rule of
  services.hours.open_flags.
- The stations chosen are read whole (created_at/updated_at stay deferred): on PostgreSQL joined in
  the box's statement (one round trip per box, usually one in all), on SQLite in one more statement
  for the ≤ limit chosen (cheaper in process than converting every candidate's row).
- The statements are plain SQL built from the models' _meta, not ORM querysets: compiling a queryset
  costs more than running these queries (0.3-0.5 ms against ~0.1 ms), and the target is a fraction
  of a millisecond. Rows are turned into Station objects with the ORM's own converters.

The ranking is open now first, then distance, over the candidates found: the stations inside the
circle where the search stopped (at most MAX_CANDIDATES, the nearest). An open station 300 km away
is therefore not put before a closed one round the corner when hundreds of nearer stations exist.

The point is used for the query only: nothing here stores or logs it.
"""

# The SQL here is assembled from names in the models' _meta; every value goes in as a parameter.
# ruff: noqa: S608

import datetime
import functools
import json
import math
import time
import weakref
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Avg, Count, Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from core import geo
from orgs.models import Region

from .. import hours as rules
from ..models import Amenity, Station, StationClosure
from ..models.registry import GridCell
from . import hours as hours_service

START_M = 1_000.0
MIN_GROWTH, MAX_GROWTH = 1.5, 4.0
MAX_RADIUS_M = 300_000.0
MAX_CANDIDATES = 200
MAX_LIMIT = 50
MAX_CELLS = 400
APPROX_SLACK = 0.02  # the equirectangular order against haversine distances, with room to spare
_M_PER_DEGREE = math.radians(1) * geo.EARTH_RADIUS_M


@dataclass
class Found:
    station: Station
    distance_m: float
    open_now: bool


@functools.lru_cache(maxsize=4096)
def _hours(text: str):
    return json.loads(text)


def _week(value):
    """Hours as read from the database: JSON text (SQLite, and PostgreSQL as Django sets psycopg up)."""
    if isinstance(value, str):
        return _hours(value)
    return value


def _db():
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def _q(name: str) -> str:
    return _db().ops.quote_name(name)  # the same quoting on SQLite and PostgreSQL


def _lon_terms(min_lon: float, max_lon: float) -> tuple[str, list]:
    """SQL and params for longitudes in [min_lon, max_lon], which may run past ±180 (then split)."""
    lon = _q(Station._meta.get_field("longitude").column)
    if max_lon - min_lon >= 360:
        return "", []
    if min_lon < -180:
        return f" AND ({lon} >= %s OR {lon} <= %s)", [min_lon + 360, max_lon]
    if max_lon > 180:
        return f" AND ({lon} >= %s OR {lon} <= %s)", [min_lon, max_lon - 360]
    return f" AND {lon} >= %s AND {lon} <= %s", [min_lon, max_lon]


def _amenity_term(codes) -> tuple[str, list]:
    """One correlated subquery: the station offers every amenity in `codes` (index probes per candidate)."""
    through = Station.amenities.through._meta
    station_col = _q(through.get_field("station").column)
    amenity_col = _q(through.get_field("amenity").column)
    amenity = Amenity._meta
    marks = ", ".join(["%s"] * len(codes))
    sql = (
        f" AND (SELECT COUNT(*) FROM {_q(through.db_table)} t WHERE t.{station_col} = s.{_q('id')}"
        f" AND t.{amenity_col} IN (SELECT a.{_q('id')} FROM {_q(amenity.db_table)} a"
        f" WHERE a.{_q('code')} IN ({marks}) AND a.{_q('active')} = %s)) = %s"
    )
    return sql, [*codes, True, len(codes)]


def grid_cell(lat: float, lon: float, per_degree: int = 1) -> int:
    """Station.grid in Python: the 1° cell of a point (models.registry.GridCell), or its finer twin."""
    n = per_degree
    return math.floor((lat + 90) * n) * 400 * n + math.floor((lon + 180) * n)


def grid_cells(point: geo.Point, radius_m: float) -> list[int] | None:
    """The cells within radius_m of the point (a box around it, less the cells whose nearest corner
    or edge is farther, with 5% to spare); None when there are too many to list."""
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(point.lat, point.lon, radius_m)
    bands = range(math.floor(max(-90.0, min_lat) + 90), math.floor(min(90.0, max_lat) + 90) + 1)
    if max_lon - min_lon >= 360:
        spans = [(0, 360)]
    elif min_lon < -180:
        spans = [(math.floor(min_lon + 360 + 180), 360), (0, math.floor(max_lon + 180))]
    elif max_lon > 180:
        spans = [(math.floor(min_lon + 180), 360), (0, math.floor(max_lon - 360 + 180))]
    else:
        spans = [(math.floor(min_lon + 180), math.floor(max_lon + 180))]
    if len(bands) * sum(b - a + 1 for a, b in spans) > MAX_CELLS:
        return None
    reach = radius_m * 1.05 + 1000
    cells = []
    for band in bands:
        lat = min(max(point.lat, band - 90.0), band - 89.0)  # the cell's latitude nearest the point
        for first, last in spans:
            for lon_index in range(first, last + 1):
                west = lon_index - 180.0
                if west <= point.lon <= west + 1:
                    dlon = 0.0
                else:
                    dlon = min(abs(point.lon - west), abs(point.lon - west - 1))
                    dlon = min(dlon, 360 - dlon)
                if geo.distance_m(point.lat, 0.0, lat, dlon) <= reach:
                    cells.append(band * 400 + lon_index)
    return cells


def _positions(connection, point: geo.Point, radius_m: float, kinds, amenities, day) -> list[tuple]:
    """(id, lat, lon, approx_m, closed on `day`, row) of active stations in the box around the point,
    nearest first by an approximate distance, at most MAX_CANDIDATES; the box read from the index
    stations_station_near, and joined to the rows kept: their whole row on PostgreSQL, only the
    hours on SQLite (see _whole_rows)."""
    opts = Station._meta
    lat_c, lon_c = _q(opts.get_field("latitude").column), _q(opts.get_field("longitude").column)
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(point.lat, point.lon, radius_m)
    lon_sql, lon_params = _lon_terms(min_lon, max_lon)
    cells = grid_cells(point, radius_m)
    # Written as the index's condition (WHERE "active"), so both engines may use the partial index.
    where = f"s.{_q('active')}"
    params: list = []
    if cells is not None:
        where += f" AND s.{_q('grid')} IN ({', '.join(['%s'] * len(cells))})"
        params += cells
    where += f" AND {lat_c} >= %s AND {lat_c} <= %s" + lon_sql
    params += [max(-90.0, min_lat), min(90.0, max_lat), *lon_params]
    if kinds:
        where += f" AND s.{_q('kind')} IN ({', '.join(['%s'] * len(kinds))})"
        params += list(kinds)
    if amenities:
        sql, more = _amenity_term(amenities)
        where += sql
        params += more
    fold = "LEAST" if connection.vendor == "postgresql" else "MIN"
    flat = f"CAST({lat_c} AS DOUBLE PRECISION)"
    flon = f"CAST({lon_c} AS DOUBLE PRECISION)"
    dlon = f"{fold}(ABS({flon} - %s), 360 - ABS({flon} - %s))"
    # Degrees², longitudes scaled by cos(lat) and folded at ±180: enough to order a box.
    order = f"({flat} - %s) * ({flat} - %s) + {dlon} * {dlon} * %s"
    k = math.cos(math.radians(point.lat)) ** 2
    indexed = ""
    if connection.vendor == "sqlite":
        # Without ANALYZE statistics SQLite's planner may take another index for a box query.
        indexed = (
            " INDEXED BY stations_station_near"
            if cells is not None
            else " INDEXED BY stations_station_position"
        )
    # The box from the index, nearest first, cut at MAX_CANDIDATES; then, for those rows only, the
    # hours and whether a closure covers `day` (the closures in the same statement).
    closure = StationClosure._meta
    table, pk = _q(opts.db_table), _q("id")
    inner = (
        f"SELECT s.{pk} AS id, {flat} AS lat, {flon} AS lon, {order} AS approx FROM {table} s{indexed}"
        f" WHERE {where} ORDER BY approx LIMIT {MAX_CANDIDATES}"
    )
    if _whole_rows(connection):
        columns, _fields = _station_loader(connection)
    else:
        columns = f"s.{_q(opts.get_field('hours').column)}"
    sql = (
        f"SELECT b.id, b.lat, b.lon, b.approx,"
        f" EXISTS (SELECT 1 FROM {_q(closure.db_table)} c WHERE c.{_q(closure.get_field('station').column)}"
        f" = b.id AND c.{_q('starts_on')} <= %s AND c.{_q('ends_on')} >= %s), {columns}"
        f" FROM ({inner}) b JOIN {table} s ON s.{pk} = b.id ORDER BY b.approx"
    )
    params = [day, day, point.lat, point.lat, point.lon, point.lon, point.lon, point.lon, k, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (row[0], row[1], row[2], math.sqrt(max(0.0, row[3])) * _M_PER_DEGREE, bool(row[4]), row[5:])
        for row in rows
    ]


def _whole_rows(connection) -> bool:
    """Whether a box reads its rows whole. On PostgreSQL a statement costs a round trip to the server,
    so the rest of the rows comes with the box; in process (SQLite) turning up to MAX_CANDIDATES
    whole rows into Python costs more than one more statement for the ≤ limit stations chosen."""
    return connection.vendor != "sqlite"


def _stations(connection, ids: list[int]) -> dict[int, Station]:
    """The stations by id, read in one query and converted as the ORM converts."""
    if not ids:
        return {}
    columns, fields = _station_loader(connection)
    marks = ", ".join(["%s"] * len(ids))
    sql = f"SELECT {columns} FROM {_q(Station._meta.db_table)} s WHERE s.{_q('id')} IN ({marks})"
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    names = [name for name, _c, _col in fields]
    stations = (_station(row, connection, fields, names) for row in rows)
    return {station.pk: station for station in stations}


_COUNTS: dict = {"at": -1e9, "cells": {}, "fine": {}}
COUNTS_TTL_S = 600.0
TARGET_ROWS = 40  # rows the first box aims at
FINE = 10  # fine hint cells per degree (~11 km): a city's centre is far denser than its 1° cell
FINE_SPAN_DEG = 1.5  # boxes narrower than this are estimated from the fine cells


def _cell_counts() -> dict:
    """{"cells": {1° cell: active stations}, "fine": {1/FINE° cell: active stations}}, two GROUP BYs
    kept COUNTS_TTL_S per process.

    Only hints for choosing box sizes: stale counts make a search take one more or one fewer step,
    never a different answer.
    """
    now = time.monotonic()
    if now - _COUNTS["at"] > COUNTS_TTL_S:
        located = Station.objects.filter(active=True, grid__isnull=False).order_by()
        _COUNTS["cells"] = dict(located.values_list("grid").annotate(n=Count("pk")))
        fine = located.annotate(cell=GridCell("latitude", "longitude", per_degree=FINE))
        _COUNTS["fine"] = dict(fine.values_list("cell").annotate(n=Count("pk")))
        _COUNTS["at"] = now
    return _COUNTS


def forget_counts() -> None:
    _COUNTS["at"] = -1e9


def _expected_rows(point: geo.Point, radius_m: float, counts: dict) -> float:
    """Stations expected in the box around the point: each cell's count times its share in the box,
    from the fine cells for a box of a city's size, from the 1° cells beyond."""
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(point.lat, point.lon, radius_m)
    if max_lon - min_lon >= 360 or max_lat - min_lat > 20:
        return float(sum(counts["cells"].values()))
    n = FINE if max(max_lat - min_lat, max_lon - min_lon) <= FINE_SPAN_DEG else 1
    cells = counts["fine"] if n == FINE else counts["cells"]
    total = 0.0
    bands = range(math.floor((max(-90.0, min_lat) + 90) * n), math.floor((min(90.0, max_lat) + 90) * n) + 1)
    for band in bands:
        south = band / n - 90.0
        share_lat = max(0.0, min(south + 1 / n, max_lat) - max(south, min_lat)) * n
        for lon_index in range(math.floor((min_lon + 180) * n), math.floor((max_lon + 180) * n) + 1):
            west = lon_index / n - 180.0
            share_lon = max(0.0, min(west + 1 / n, max_lon) - max(west, min_lon)) * n
            count = cells.get(band * 400 * n + lon_index % (360 * n), 0)
            total += count * share_lat * share_lon
    return total


def _first_radius(point: geo.Point, cap: float, counts: dict) -> float:
    """A first box expected to hold about TARGET_ROWS stations. Sized from the density of the point's
    fine cell (or of its 1° cell and those around it when that is empty), then corrected twice by
    the stations the fine cells expect in it (a city centre next door, an empty cell in a city).
    Rather too small than too large: one more small step costs a fraction of a millisecond, a box
    reaching into a city several."""
    cos = max(0.05, math.cos(math.radians(point.lat)))
    own = counts["fine"].get(grid_cell(point.lat, point.lon, FINE), 0)
    if own:
        area_m2 = (_M_PER_DEGREE / FINE) ** 2 * cos
        stations = own
    else:
        cell = grid_cell(point.lat, point.lon)
        # The densest of the point's 1° cell and those around it (a city in the next cell is near).
        around = (counts["cells"].get(cell + dy * 400 + dx, 0) for dy in (-1, 0, 1) for dx in (-1, 0, 1))
        stations = max(around)
        if not stations:
            return min(cap, 150_000.0)
        area_m2 = _M_PER_DEGREE**2 * cos
    radius = min(cap, max(START_M / 2, math.sqrt(TARGET_ROWS / (math.pi * stations / area_m2))))
    for _step in range(2):
        expected = _expected_rows(point, radius, counts)
        if not expected:
            break
        # The box's area grows with radius², its rows (about) too; at most ×2 either way a step.
        factor = min(2.0, max(0.5, math.sqrt(TARGET_ROWS / expected)))
        if 0.8 < factor < 1.25:
            break
        radius = min(cap, max(START_M / 2, radius * factor))
    return radius


_LOADERS = weakref.WeakKeyDictionary()
DEFERRED = ("created_at", "updated_at")


def _station_loader(connection):
    """(columns SQL, [(attname, converters, col)]) to build Station objects from a plain row, with the
    converters the ORM would apply (decimals, JSON, booleans, aware datetimes)."""
    loader = _LOADERS.get(connection)
    if loader is None:
        opts = Station._meta
        # Every column but the bookkeeping timestamps, which no page of a station found shows and
        # which cost more to parse than the rest of the row: they stay deferred (read on access).
        shown = [f for f in opts.concrete_fields if f.name not in DEFERRED]
        fields = []
        for field in shown:
            col = field.get_col(opts.db_table)
            converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            fields.append((field.attname, converters, col))
        columns = ", ".join(f"s.{_q(f.column)}" for f in shown)
        loader = _LOADERS[connection] = (columns, fields)
    return loader


def _station(row, connection, fields, names) -> Station:
    values = []
    for value, (_name, converters, col) in zip(row, fields, strict=True):
        for convert in converters:
            value = convert(value, col, connection)
        values.append(value)
    return Station.from_db(connection.alias, names, values)


def nearest(
    point: geo.Point,
    *,
    limit: int = 10,
    at: datetime.datetime | None = None,
    kinds=(),
    amenities=(),
    open_only: bool = False,
    within_m: float | None = None,
) -> list[Found]:
    """The `limit` active stations nearest to a WGS-84 point, open now first, then by distance."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    at = hours_service.local(at)
    day = at.date()
    kinds = sorted(set(kinds))
    amenities = sorted(set(amenities))
    cap = MAX_RADIUS_M if within_m is None else max(1.0, min(float(within_m), MAX_RADIUS_M))
    connection = _db()
    _columns, fields = _station_loader(connection)
    names = [name for name, _c, _col in fields]
    whole = _whole_rows(connection)
    hours_at = names.index("hours") if whole else 0

    counts = _cell_counts()
    radius = _first_radius(point, cap, counts)
    while True:
        positions = _positions(connection, point, radius, kinds, amenities, day)
        truncated = len(positions) >= MAX_CANDIDATES
        found: list[list] = []  # [distance, id, open]
        n_open = 0
        kth = None  # the limit-th open station's distance, once known
        rows = {}
        for pk, lat, lon, approx, closed, row in positions:
            if kth is not None and approx > kth * (1 + APPROX_SLACK) + 10:
                break  # the rest are farther than the open stations already found
            d = geo.distance_m(point.lat, point.lon, lat, lon)
            # Beyond the circle a nearer station may lie outside the box: it waits for a larger box.
            if d > radius:
                continue
            is_open = not closed and rules.is_open(_week(row[hours_at]), at)
            found.append([d, pk, is_open])
            rows[pk] = row
            if is_open:
                n_open += 1
                if n_open == limit:
                    kth = max(row[0] for row in found if row[2])
        if n_open >= limit or radius >= cap or truncated:
            break
        if n_open:
            growth = math.sqrt(limit / n_open) * 1.25
        elif found:
            growth = math.sqrt(limit / len(found)) * 2.0
        else:
            growth = MAX_GROWTH
        grown = min(radius * min(MAX_GROWTH, max(MIN_GROWTH, growth)), cap)
        # Not into a city at once: a box expected to hold far more rows than this one grows less.
        budget = max(4.0 * len(positions), 4.0 * TARGET_ROWS)
        while grown > radius * MIN_GROWTH and _expected_rows(point, grown, counts) > budget:
            grown = max(radius * MIN_GROWTH, grown / 1.5)
        radius = grown

    if open_only:
        found = [row for row in found if row[2]]
    found.sort(key=lambda row: (not row[2], row[0], row[1]))
    chosen = found[:limit]
    if whole:
        stations = {pk: _station(rows[pk], connection, fields, names) for _d, pk, _o in chosen}
    else:
        stations = _stations(connection, [pk for _d, pk, _o in chosen])
    return [Found(stations[pk], d, is_open) for d, pk, is_open in chosen if pk in stations]


# --------------------------------------------------------------------------- presenting a result


def distance_text(metres: float) -> str:
    """ "约 850 米" under a kilometre (rounded to 10 m), "2.3 公里" beyond."""
    if metres < 1000:
        return _("约 %(m)d 米") % {"m": max(10, int(round(metres, -1)))}
    if metres < 100_000:
        return _("%(km).1f 公里") % {"km": metres / 1000}
    return _("%(km)d 公里") % {"km": round(metres / 1000)}


def coordinates(station: Station) -> dict | None:
    """The station's position in the three systems: {"wgs84": (lat, lon), "gcj02": …, "bd09": …}."""
    if station.latitude is None or station.longitude is None:
        return None
    point = geo.Point(float(station.latitude), float(station.longitude))
    return {system: tuple(round(v, 6) for v in geo.from_wgs84(point, system)) for system in geo.SYSTEMS}


def navigation(station: Station) -> dict:
    """Links that open the station in 高德 (GCJ-02) and 百度 (BD-09) maps, web or app."""
    coords = coordinates(station)
    if coords is None:
        return {}
    (glat, glon), (blat, blon) = coords[geo.GCJ02], coords[geo.BD09]
    amap = "https://uri.amap.com/marker?" + urlencode(
        {
            "position": f"{glon:.6f},{glat:.6f}",
            "name": station.name,
            "coordinate": "gaode",
            "src": "niangjia",
            "callnative": "1",
        },
        safe=",",
    )
    baidu = "https://api.map.baidu.com/marker?" + urlencode(
        {
            "location": f"{blat:.6f},{blon:.6f}",
            "title": station.name,
            "content": station.address,
            "output": "html",
            "coord_type": "bd09ll",
            "src": "webapp.niangjia.stations",
        },
        safe=",",
    )
    return {"amap": amap, "baidu": baidu}


def prefetch(stations) -> None:
    """Partners and active amenities of the stations found, for showing them (two queries)."""
    prefetch_related_objects(
        list(stations),
        "partner",
        Prefetch("amenities", queryset=Amenity.objects.filter(active=True).order_by("order", "code")),
    )


# --------------------------------------------------------------------------- a typed place


REGION_PREFIX = {"province": 2, "city": 4, "county": 6}


def place(text: str) -> tuple[geo.Point, str] | None:
    """A typed place as a WGS-84 point and what it was taken as, or None.

    A station's name (exact, then contained), its host partner's name or its address gives that
    station's position; a region's name (镇/街道, 区, 市…) the middle of the stations in it. The
    text is used for this lookup only and goes nowhere else.
    """
    text = (text or "").strip()[:50]
    if len(text) < 2:
        return None
    located = Station.objects.filter(active=True, latitude__isnull=False, longitude__isnull=False)
    for query in (
        {"name": text},
        {"name__icontains": text},
        {"partner__name__icontains": text},
        {"address__icontains": text},
    ):
        station = located.filter(**query).order_by("name", "pk").first()
        if station is not None:
            return geo.Point(float(station.latitude), float(station.longitude)), station.name
    regions = Region.objects.filter(name__icontains=text).order_by("code")
    for region in sorted(regions[:20], key=lambda r: (r.name != text, -len(r.code), r.code)):
        width = REGION_PREFIX.get(region.level)
        code = region.code[:width] if width else region.code
        middle = located.filter(region__code__startswith=code).aggregate(
            lat=Avg("latitude"), lon=Avg("longitude")
        )
        if middle["lat"] is not None:
            return geo.Point(float(middle["lat"]), float(middle["lon"])), region.name
    return None
