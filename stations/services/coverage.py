"""Coverage gaps (覆盖缺口): where outdoor workers work, which of them have an open station within
N metres by day and by night, and where new stations would cover the most of the rest.

Demand is the hot spots (HotSpot): made from the census's employer sites (`sync_census`),
imported from a file (`coverage_files`) or entered by hand. Supply is every active station with
coordinates near them, whoever owns it: a rider rests at the nearest open station, not at his
union's. Stations are public (the H5 map shows them to anyone), so counting a neighbouring
union's station reveals nothing.

"Open by day" and "open by night" are two fixed instants of a working week (DAY_AT, NIGHT_AT
below; settings COVERAGE_DAY_AT / COVERAGE_NIGHT_AT override them), checked by the same
stations.services.hours.open_flags the nearest-station search uses (stations.hours.is_open on
Station.hours). Dated closures (StationClosure) are left out: the analysis is about the network's
week, not a holiday.

Geometry: a station covers a hot spot when the haversine distance (core.geo.distance_m) is at
most the radius. Points are bucketed in a grid of cells at least one radius wide, so a query
reads the few cells its bounding box touches instead of every point: 10^4 hot spots × 10^3
stations is ~10^5 distance checks, not 10^7.

Suggested sites: greedy maximum coverage, lazily (a priority queue of gains that can only fall,
so most candidates are never re-evaluated). Candidates, in this order (ties go to the earlier):
existing stations closed in the period (open them longer: the cheapest new site), the uncovered
hot spots themselves, and the employers of the subtree with coordinates. Partners have no
coordinates of their own, so they are not candidates.
"""

import datetime
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import geo
from orgs.choices import NEW_EMPLOYMENT_FORMS, EmploymentForm
from orgs.models import Employer, Union
from orgs.services.census import employers_of

from .. import hours as hours_rules
from ..choices import HotSpotSource
from ..models import HotSpot, Station
from . import hours as hours_service

DAY, NIGHT = "day", "night"
PERIODS = ((DAY, gettext_lazy("白天")), (NIGHT, gettext_lazy("夜间")))
DEFAULT_RADIUS_M, MIN_RADIUS_M, MAX_RADIUS_M = 1000, 100, 10000
DEFAULT_K, MAX_K = 5, 50

# (weekday, hh:mm): Monday is 0. A Wednesday is an ordinary working day. 14:00 is the afternoon
# lull between the lunch and dinner peaks when riders and couriers look for a rest; 21:00 is the
# late-evening (夜宵) delivery peak, after the bank- and shop-hosted stations have closed.
DAY_AT = (2, "14:00")
NIGHT_AT = (2, "21:00")

# Outdoor workers: those a station serves. Office staff ("other") have desks, canteens and restrooms.
OUTDOOR_FORMS = frozenset(NEW_EMPLOYMENT_FORMS) | {EmploymentForm.SANITATION_WORKER}
# The share of each form's workers still working at NIGHT_AT, for census hot spots. Assumptions,
# not data: a census counts heads, not shifts. settings.COVERAGE_NIGHT_SHARES overrides any of them.
NIGHT_SHARES = {
    EmploymentForm.DELIVERY_RIDER: Decimal("0.5"),  # dinner and 夜宵 orders run to midnight
    EmploymentForm.RIDE_HAILING_DRIVER: Decimal("0.4"),
    EmploymentForm.TRUCK_DRIVER: Decimal("0.3"),  # night freight
    EmploymentForm.SECURITY_GUARD: Decimal("0.3"),  # night shifts
    EmploymentForm.CARER: Decimal("0.3"),
    EmploymentForm.ONLINE_STREAMER: Decimal("0.3"),
    EmploymentForm.SANITATION_WORKER: Decimal("0.2"),  # evening sweeps; their early morning is not night here
    EmploymentForm.MALL_INFORMATION_WORKER: Decimal("0.2"),  # malls close at 22:00
    EmploymentForm.COURIER: Decimal("0.1"),  # deliveries end by 20:00; a few sort at night
    EmploymentForm.DOMESTIC_WORKER: Decimal("0.05"),
}

M_PER_DEGREE = math.pi * geo.EARTH_RADIUS_M / 180.0


# ---------------------------------------------------------------------------------------------
# Hot spots from the census


def night_shares() -> dict[str, Decimal]:
    shares = dict(NIGHT_SHARES)
    for form, share in (getattr(settings, "COVERAGE_NIGHT_SHARES", None) or {}).items():
        shares[form] = Decimal(str(share))
    return shares


def census_workers(headcounts: dict, shares: dict[str, Decimal] | None = None) -> tuple[int, int]:
    """(day, night) workers of an employer from its headcounts by employment form.

    Day: every outdoor worker (new employment forms and sanitation workers); night: each form's
    count times its night share, summed, then rounded half up.
    """
    shares = night_shares() if shares is None else shares
    day, night = 0, Decimal(0)
    for form, count in (headcounts or {}).items():
        if form not in OUTDOOR_FORMS:
            continue
        count = int(count or 0)
        day += count
        night += count * shares.get(form, Decimal(0))
    return day, int(night.to_integral_value(rounding="ROUND_HALF_UP"))


def _spot_name(employer: Employer, taken: set[tuple[int, str]]) -> str:
    name = employer.name[:100]
    if (employer.area_union_id, name) in taken:
        # Two employers of one name in one area, or a hand-made hot spot of that name: tell them apart.
        name = f"{employer.name[:85]}（#{employer.pk}）"
    return name


@transaction.atomic
def sync_census(union: Union) -> dict[str, int]:
    """Make one census hot spot per employer of `union`'s subtree with coordinates and outdoor workers.

    Idempotent: an employer's hot spot is found by the employer and rewritten only when its name,
    union, position or counts changed; one whose employer lost its coordinates or outdoor workers
    is removed. Each hot spot belongs to its employer's area union. Returns the counts.
    """
    shares = night_shares()
    employers = list(
        employers_of(union)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .only("pk", "name", "area_union_id", "latitude", "longitude", "headcounts")
        .order_by("pk")
    )
    existing = {
        spot.employer_id: spot
        for spot in HotSpot.objects.filter(
            source=HotSpotSource.CENSUS, employer_id__in=employers_of(union).values("pk")
        )
    }
    taken = set(
        HotSpot.objects.filter(union__path__subtree=union.path)
        .exclude(pk__in=[s.pk for s in existing.values()])
        .values_list("union_id", "name")
    )
    outcome = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    kept = set()
    for employer in employers:
        day, night = census_workers(employer.headcounts, shares)
        if day == 0:
            continue
        name = _spot_name(employer, taken)
        taken.add((employer.area_union_id, name))
        values = {
            "name": name,
            "union_id": employer.area_union_id,
            "latitude": employer.latitude,
            "longitude": employer.longitude,
            "day_workers": day,
            "night_workers": night,
        }
        spot = existing.get(employer.pk)
        if spot is None:
            HotSpot.objects.create(source=HotSpotSource.CENSUS, employer=employer, **values)
            outcome["created"] += 1
        elif any(getattr(spot, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(spot, key, value)
            spot.save()
            outcome["updated"] += 1
        else:
            outcome["unchanged"] += 1
        kept.add(employer.pk)
    for employer_id, spot in existing.items():
        if employer_id not in kept:
            spot.delete()
            outcome["removed"] += 1
    return outcome


@transaction.atomic
def save_hot_spot(spot: HotSpot) -> HotSpot:
    """Create or change a hand-made or imported hot spot once it is valid (fields, unique name)."""
    if spot.source == HotSpotSource.CENSUS and spot.employer_id is None:
        raise ValidationError(_("普查热点须关联用人单位"), code="census")
    spot.full_clean()
    spot.save()
    return spot


# ---------------------------------------------------------------------------------------------
# Geometry


class Grid:
    """Points bucketed in cells at least `radius_m` wide, to find those within `radius_m` of a place.

    A pair is within the radius when its haversine distance (core.geo.distance_m) is. The haversine's
    inner term h is compared with sin²(radius / 2R) instead, with each point's radians and cosine
    computed once; only a pair within a hair of the boundary is decided by distance_m itself, so the
    answer is exactly distance_m's at a fraction of its cost.
    """

    def __init__(self, points: Sequence[tuple[float, float]], radius_m: float):
        self.points = points
        self.radius = float(radius_m)
        self.cell_lat = max(self.radius / M_PER_DEGREE, 1e-7)
        top = max((abs(lat) for lat, _lon in points), default=0.0)
        self.cell_lon = self.cell_lat / max(math.cos(math.radians(min(top, 89.0))), 0.01)
        cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, (lat, lon) in enumerate(points):
            cells[(math.floor(lat / self.cell_lat), math.floor(lon / self.cell_lon))].append(i)
        self.cells = cells
        self.radians = [
            (math.radians(lat), math.radians(lon), math.cos(math.radians(lat))) for lat, lon in points
        ]
        limit = math.sin(min(self.radius / (2 * geo.EARTH_RADIUS_M), math.pi / 2)) ** 2
        self.sure, self.unsure = limit * (1 - 1e-9), limit * (1 + 1e-9)

    def _near(self, lat: float, lon: float) -> Iterable[int]:
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, self.radius)
        for a in range(math.floor(min_lat / self.cell_lat), math.floor(max_lat / self.cell_lat) + 1):
            for b in range(math.floor(min_lon / self.cell_lon), math.floor(max_lon / self.cell_lon) + 1):
                yield from self.cells.get((a, b), ())

    def _hits(self, lat: float, lon: float) -> Iterable[int]:
        phi, lam = math.radians(lat), math.radians(lon)
        cos_phi, sin = math.cos(phi), math.sin
        radians, sure, unsure = self.radians, self.sure, self.unsure
        for i in self._near(lat, lon):
            p_phi, p_lam, p_cos = radians[i]
            h = sin((p_phi - phi) / 2) ** 2 + cos_phi * p_cos * sin((p_lam - lam) / 2) ** 2
            if h <= sure or (h <= unsure and geo.distance_m(lat, lon, *self.points[i]) <= self.radius):
                yield i

    def within(self, lat: float, lon: float) -> list[int]:
        """Indexes of the points within the radius (inclusive) of (lat, lon), in index order."""
        return sorted(self._hits(lat, lon))

    def any_within(self, lat: float, lon: float) -> bool:
        return any(True for _i in self._hits(lat, lon))


def greedy_max_coverage(
    covers: Sequence[Sequence[int]], weights: Sequence[int], k: int
) -> list[tuple[int, int]]:
    """Pick up to k candidates, each covering the most weight not yet covered: [(candidate, gain)].

    `covers[c]` lists the demand indexes candidate c covers; `weights[d]` is demand d's weight.
    Lazy: a candidate's gain only falls as others are picked, so its last computed gain is an
    upper bound; the heap's top is re-evaluated, and taken when it is still at least every other
    bound. Ties go to the lower candidate index, as a plain greedy scanning in order would.
    Stops early when nothing more can be covered.
    """
    covered = [False] * len(weights)
    heap = [(-sum(weights[d] for d in cover), c) for c, cover in enumerate(covers)]
    heapq.heapify(heap)
    picks: list[tuple[int, int]] = []
    while heap and len(picks) < k:
        bound, c = heapq.heappop(heap)
        gain = sum(weights[d] for d in covers[c] if not covered[d])
        if gain <= 0:
            continue
        if gain == -bound:
            picks.append((c, gain))
            for d in covers[c]:
                covered[d] = True
        else:
            heapq.heappush(heap, (-gain, c))
    return picks


# ---------------------------------------------------------------------------------------------
# The analysis


def _instant(spec) -> datetime.datetime:
    weekday, hhmm = spec
    hour, minute = (int(x) for x in str(hhmm).split(":"))
    # 2024-01-01 was a Monday; only the weekday and the time matter to is_open.
    return datetime.datetime(2024, 1, 1 + int(weekday), hour, minute)


def instants() -> dict[str, datetime.datetime]:
    return {
        DAY: _instant(getattr(settings, "COVERAGE_DAY_AT", None) or DAY_AT),
        NIGHT: _instant(getattr(settings, "COVERAGE_NIGHT_AT", None) or NIGHT_AT),
    }


def instant_label(at: datetime.datetime) -> str:
    """ "周三 14:00": the weekday and time an instant stands for."""
    return f"{hours_rules.WEEKDAYS[at.weekday()]} {at:%H:%M}"


def period_flags(stations) -> dict[int, dict[str, bool]]:
    """{station id: {"day": open?, "night": open?}} for rows with id, hours and active, through
    stations.services.hours.open_flags at the two instants. The instants' dates lie in the past,
    so no dated closure falls on them: the answer is the weekly hours'."""
    rows = list(stations)
    flags = {period: hours_service.open_flags(rows, when) for period, when in instants().items()}
    return {row["id"]: {period: flags[period][row["id"]] for period in flags} for row in rows}


@dataclass
class StationPoint:
    pk: int
    name: str
    lat: float
    lon: float
    union_id: int
    open: dict[str, bool]


@dataclass
class SpotRow:
    pk: int
    name: str
    lat: float
    lon: float
    union_id: int
    source: str
    workers: dict[str, int]
    covered: dict[str, bool] = field(default_factory=dict)


@dataclass
class Suggestion:
    rank: int
    kind: str  # "station" (open it in the period), "hot_spot" or "employer"
    pk: int
    name: str
    lat: float
    lon: float
    gain: int  # workers it newly covers
    total: int  # covered workers after this pick
    share: Decimal  # covered share (%) after this pick
    spots: list[int] = field(default_factory=list)  # hot spot pks it newly covers

    @property
    def kind_label(self) -> str:
        return str(SUGGESTION_KINDS[self.kind])


SUGGESTION_KINDS = {
    "station": gettext_lazy("延长现有站点开放时间"),
    "hot_spot": gettext_lazy("热点处新建"),
    "employer": gettext_lazy("企业站点处新建"),
}


@dataclass
class Figures:
    workers: int
    covered: int

    @property
    def uncovered(self) -> int:
        return self.workers - self.covered

    @property
    def share(self) -> Decimal:
        return percent(self.covered, self.workers)


@dataclass
class Analysis:
    union: Union
    radius_m: int
    period: str
    k: int
    at: dict[str, datetime.datetime]
    figures: dict[str, Figures]
    stations: list[StationPoint]
    spots: list[SpotRow]
    uncovered: list[SpotRow]  # in the period, most uncovered workers first
    suggestions: list[Suggestion]

    @property
    def current(self) -> Figures:
        return self.figures[self.period]

    @property
    def period_label(self) -> str:
        return str(dict(PERIODS)[self.period])


def percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")


def _stations_near(spots: list[SpotRow], radius_m: float) -> list[StationPoint]:
    """Active stations with coordinates inside the hot spots' bounding box grown by the radius."""
    if not spots:
        return []
    lats = [s.lat for s in spots]
    lons = [s.lon for s in spots]
    south = geo.bounding_box(min(lats), 0.0, radius_m)[0]
    north = geo.bounding_box(max(lats), 0.0, radius_m)[1]
    # The widest longitude reach is at the latitude farthest from the equator.
    reach = geo.bounding_box(max(lats, key=abs), 0.0, radius_m)[3]
    west, east = min(lons) - reach, max(lons) + reach
    margin = 1e-6
    rows = (
        Station.objects.filter(
            active=True,
            latitude__gte=south - margin,
            latitude__lte=north + margin,
            longitude__gte=west - margin,
            longitude__lte=east + margin,
        )
        .order_by("pk")
        .values("id", "name", "latitude", "longitude", "union_id", "hours", "active")
    )
    rows = list(rows)
    flags = period_flags(rows)
    return [
        StationPoint(
            r["id"], r["name"], float(r["latitude"]), float(r["longitude"]), r["union_id"], flags[r["id"]]
        )
        for r in rows
    ]


def hot_spots_of(union: Union) -> list[SpotRow]:
    rows = (
        HotSpot.objects.filter(union__path__subtree=union.path)
        .order_by("pk")
        .values_list(
            "pk", "name", "latitude", "longitude", "union_id", "source", "day_workers", "night_workers"
        )
    )
    return [
        SpotRow(pk, name, float(lat), float(lon), union_id, source, {DAY: day, NIGHT: night})
        for pk, name, lat, lon, union_id, source, day, night in rows
    ]


def cover_spots(spots: list[SpotRow], stations: list[StationPoint], radius_m: float) -> dict[str, Figures]:
    """Mark each hot spot covered by day and by night; the workers and covered workers per period."""
    figures = {}
    for period, _label in PERIODS:
        grid = Grid([(s.lat, s.lon) for s in stations if s.open[period]], radius_m)
        workers = covered = 0
        for spot in spots:
            spot.covered[period] = grid.any_within(spot.lat, spot.lon)
            workers += spot.workers[period]
            covered += spot.workers[period] if spot.covered[period] else 0
        figures[period] = Figures(workers, covered)
    return figures


def _candidates(union, period, stations, uncovered) -> list[tuple[str, int, str, float, float]]:
    candidates = [("station", s.pk, s.name, s.lat, s.lon) for s in stations if not s.open[period]]
    candidates += [("hot_spot", s.pk, s.name, s.lat, s.lon) for s in uncovered]
    seen = {(round(lat, 6), round(lon, 6)) for _k, _p, _n, lat, lon in candidates}
    employers = (
        employers_of(union)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        .values_list("pk", "name", "latitude", "longitude")
    )
    for pk, name, lat, lon in employers:
        lat, lon = float(lat), float(lon)
        key = (round(lat, 6), round(lon, 6))
        if key not in seen:  # an employer's census hot spot stands on the same spot already
            seen.add(key)
            candidates.append(("employer", pk, name, lat, lon))
    return candidates


def suggest(union, period, radius_m, k, stations, uncovered, figures) -> list[Suggestion]:
    demand = [s for s in uncovered if s.workers[period] > 0]
    if not demand or k <= 0:
        return []
    candidates = _candidates(union, period, stations, demand)
    grid = Grid([(s.lat, s.lon) for s in demand], radius_m)
    covers = [grid.within(lat, lon) for _k, _p, _n, lat, lon in candidates]
    weights = [s.workers[period] for s in demand]
    total = figures[period].covered
    suggestions = []
    for rank, (c, gain) in enumerate(greedy_max_coverage(covers, weights, k), 1):
        kind, pk, name, lat, lon = candidates[c]
        total += gain
        suggestions.append(
            Suggestion(
                rank,
                kind,
                pk,
                name,
                lat,
                lon,
                gain,
                total,
                percent(total, figures[period].workers),
                [demand[d].pk for d in covers[c]],
            )
        )
    # A later pick's list names only the spots it newly covers.
    claimed: set[int] = set()
    for suggestion in suggestions:
        suggestion.spots = [pk for pk in suggestion.spots if pk not in claimed]
        claimed.update(suggestion.spots)
    return suggestions


def analyse(
    union: Union, radius_m: int = DEFAULT_RADIUS_M, period: str = DAY, k: int = DEFAULT_K
) -> Analysis:
    """Coverage of `union`'s subtree's hot spots by day and by night, the uncovered ranked for
    `period`, and up to k suggested sites for it."""
    if period not in (DAY, NIGHT):
        raise ValueError(f"period must be {DAY!r} or {NIGHT!r}")
    if not (MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M) or not (0 <= k <= MAX_K):
        raise ValueError("radius or k out of range")
    spots = hot_spots_of(union)
    stations = _stations_near(spots, radius_m)
    figures = cover_spots(spots, stations, radius_m)
    uncovered = sorted(
        (s for s in spots if not s.covered[period] and s.workers[period] > 0),
        key=lambda s: (-s.workers[period], s.name, s.pk),
    )
    suggestions = suggest(union, period, radius_m, k, stations, uncovered, figures)
    return Analysis(union, radius_m, period, k, instants(), figures, stations, spots, uncovered, suggestions)
