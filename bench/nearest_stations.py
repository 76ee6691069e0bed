"""Nearest-10 open stations among 2×10^5 stations nationwide, in process, next to one ORM query.

    python bench/nearest_stations.py [--db sqlite|postgres|both] [--stations 200000] [-n 1000]

For each engine: a scratch database (PostgreSQL `nj_bench_<random>`, dropped at the end even on
error; SQLite a temporary file) is migrated and filled with N stations spread over China the way
stations are: most of them clustered in ~70 cities (Gaussian around each centre, big cities
denser and wider), the rest scattered over the country, with varied hours (24 h, daytime, office
hours, split shifts, evenings running past midnight, closed on weekends), ~1% closed today by a
holiday closure, ~1% inactive, and 2-8 amenities each. Then, in the same process (no HTTP),
for n random worker locations (80% in cities like the stations, 20% anywhere in the country)
at random times of the week:

- stations.services.nearest.nearest(point, limit=10): p50/p95/p99 and queries per call;
- the baseline: every active station ordered by an approximate (equirectangular) distance
  expression annotated in the ORM, first 10 (`Station.objects.filter(active=True).annotate(d=…)
  .order_by("d")[:10]`), on fewer locations (it takes a full scan each).

It prints both, the ratio of the medians, and PASS/FAIL against ≤ 10 ms p99 and ≥ 50×.
It is not a test: it measures, prints and cleans up.
"""

import argparse
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _scratch import PG_ADMIN_URL, clean_up, scratch_database, scratch_environment

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
TARGET_P99_MS = 10.0
TARGET_RATIO = 50.0

# (name, lat, lon, weight): weight ~ urban population in millions, rounded.
CITIES = [
    ("上海", 31.2304, 121.4737, 24), ("北京", 39.9042, 116.4074, 21), ("重庆", 29.5630, 106.5516, 16),
    ("广州", 23.1291, 113.2644, 15), ("深圳", 22.5431, 114.0579, 13), ("成都", 30.5728, 104.0668, 14),
    ("天津", 39.3434, 117.3616, 11), ("武汉", 30.5928, 114.3055, 11), ("西安", 34.3416, 108.9398, 10),
    ("杭州", 30.2741, 120.1551, 10), ("南京", 32.0603, 118.7969, 8), ("郑州", 34.7466, 113.6254, 8),
    ("苏州", 31.2990, 120.5853, 8), ("长沙", 28.2282, 112.9388, 7), ("东莞", 23.0207, 113.7518, 7),
    ("沈阳", 41.8057, 123.4315, 7), ("青岛", 36.0671, 120.3826, 7), ("合肥", 31.8206, 117.2272, 6),
    ("佛山", 23.0215, 113.1214, 6), ("宁波", 29.8683, 121.5440, 6), ("昆明", 25.0389, 102.7183, 6),
    ("哈尔滨", 45.8038, 126.5350, 6), ("济南", 36.6512, 117.1201, 6), ("大连", 38.9140, 121.6147, 5),
    ("长春", 43.8171, 125.3235, 5), ("厦门", 24.4798, 118.0894, 4), ("福州", 26.0745, 119.2965, 5),
    ("无锡", 31.4912, 120.3119, 5), ("石家庄", 38.0428, 114.5149, 5), ("南宁", 22.8170, 108.3665, 5),
    ("南昌", 28.6820, 115.8579, 5), ("贵阳", 26.6470, 106.6302, 4), ("太原", 37.8706, 112.5489, 4),
    ("温州", 27.9943, 120.6994, 4), ("绍兴", 30.0023, 120.5810, 3), ("常州", 31.8107, 119.9740, 4),
    ("乌鲁木齐", 43.8256, 87.6168, 4), ("兰州", 36.0611, 103.8343, 3), ("呼和浩特", 40.8424, 111.7490, 3),
    ("海口", 20.0440, 110.1999, 2), ("银川", 38.4872, 106.2309, 2), ("西宁", 36.6171, 101.7782, 2),
    ("拉萨", 29.6520, 91.1721, 1), ("徐州", 34.2058, 117.2841, 3), ("泉州", 24.8741, 118.6757, 3),
    ("金华", 29.0790, 119.6474, 3), ("台州", 28.6564, 121.4208, 2), ("嘉兴", 30.7539, 120.7586, 2),
    ("潍坊", 36.7069, 119.1619, 3), ("烟台", 37.4638, 121.4479, 3), ("洛阳", 34.6197, 112.4540, 3),
    ("珠海", 22.2710, 113.5767, 2), ("中山", 22.5176, 113.3926, 2), ("惠州", 23.1115, 114.4161, 2),
    ("南通", 31.9802, 120.8943, 3), ("扬州", 32.3942, 119.4127, 2), ("芜湖", 31.3526, 118.4331, 2),
    ("襄阳", 32.0090, 112.1224, 2), ("宜昌", 30.6918, 111.2865, 2), ("株洲", 27.8274, 113.1340, 2),
    ("桂林", 25.2740, 110.2900, 1), ("柳州", 24.3264, 109.4281, 2), ("遵义", 27.7254, 106.9272, 1),
    ("绵阳", 31.4675, 104.6791, 1), ("包头", 40.6574, 109.8403, 2), ("唐山", 39.6305, 118.1802, 3),
    ("保定", 38.8739, 115.4646, 2), ("邯郸", 36.6253, 114.5391, 2), ("大同", 40.0768, 113.3001, 1),
    ("赣州", 25.8310, 114.9352, 1), ("三亚", 18.2528, 109.5119, 1), ("喀什", 39.4704, 75.9898, 1),
]  # fmt: skip
# Scattered stations and worker locations: the populated east more than the west.
COUNTRY_BOXES = [((21.5, 41.0), (103.0, 122.5), 0.8), ((25.0, 48.0), (80.0, 126.0), 0.2)]

H = 60
HOURS = [  # (weight, week): Monday first, [opens, closes] minutes
    (25, [[[0, 1440]]] * 7),  # 24 h
    (25, [[[8 * H, 20 * H]]] * 7),
    (15, [[[8 * H + 30, 17 * H + 30]]] * 5 + [[], []]),  # office hours, closed at the weekend
    (12, [[[7 * H, 22 * H]]] * 7),
    (8, [[[8 * H, 12 * H], [14 * H, 18 * H]]] * 7),  # split shift
    (8, [[[18 * H, 6 * H]]] * 7),  # evenings past midnight
    (7, [[[9 * H, 21 * H]]] * 6 + [[]]),
]
KINDS = ["worker"] * 5 + ["telecom_care"] * 3 + ["rider"] * 3 + ["other"]
AMENITIES = [
    ("water", "饮用水"), ("microwave", "微波炉"), ("charging", "手机充电"), ("restroom", "卫生间"),
    ("seats", "休息座椅"), ("first_aid", "急救箱"), ("wifi", "无线网络"), ("screen_film", "手机贴膜"),
    ("books", "图书"), ("aed", "AED"), ("shower", "淋浴"), ("cooling", "防暑降温"),
]  # fmt: skip


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()


def random_place(rng: random.Random, city_share: float) -> tuple[float, float]:
    if rng.random() < city_share:
        _name, lat, lon, weight = rng.choices(CITIES, weights=[c[3] for c in CITIES])[0]
        sigma_km = 4 + 2.0 * math.sqrt(weight)  # big cities spread wider
        dlat = rng.gauss(0, sigma_km) / 111.0
        dlon = rng.gauss(0, sigma_km) / (111.0 * math.cos(math.radians(lat)))
        return lat + dlat, lon + dlon
    (lat0, lat1), (lon0, lon1), _w = rng.choices(COUNTRY_BOXES, weights=[b[2] for b in COUNTRY_BOXES])[0]
    return rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)


# --------------------------------------------------------------------------- inside Django


def build(n: int, rng: random.Random) -> dict:
    import datetime
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from orgs.models import Region, Union
    from stations.models import Amenity, Station, StationClosure

    started = time.perf_counter()
    region = Region.objects.create(code="100000", name="全国", level="province")
    union = Union.objects.create(name="中华全国总工会（测试）", kind="federation", region=region)
    amenities = list(Amenity.objects.all()) or [  # the migration seeds the managed list
        Amenity.objects.create(code=c, name=name, order=i) for i, (c, name) in enumerate(AMENITIES)
    ]
    weights = [w for w, _ in HOURS]
    weeks = [week for _, week in HOURS]
    today = timezone.localdate()
    batch = 5000
    with transaction.atomic():
        for start in range(0, n, batch):
            rows = []
            for i in range(start, min(n, start + batch)):
                lat, lon = random_place(rng, 0.85)
                rows.append(
                    Station(
                        name=f"驿站{i:06d}",
                        kind=rng.choice(KINDS),
                        union=union,
                        address=f"测试路{i}号",
                        latitude=Decimal(f"{lat:.6f}"),
                        longitude=Decimal(f"{lon:.6f}"),
                        hours=rng.choices(weeks, weights=weights)[0],
                        active=rng.random() > 0.01,
                    )
                )
            Station.objects.bulk_create(rows, batch_size=1000)
        ids = list(Station.objects.values_list("id", flat=True))
        through = Station.amenities.through
        links = []
        for pk in ids:
            for amenity in rng.sample(amenities, rng.randint(2, 8)):
                links.append(through(station_id=pk, amenity_id=amenity.pk))
            if len(links) > 20000:
                through.objects.bulk_create(links, batch_size=5000)
                links = []
        through.objects.bulk_create(links, batch_size=5000)
        closures = [
            StationClosure(
                station_id=pk,
                starts_on=today - datetime.timedelta(days=3),
                ends_on=today + datetime.timedelta(days=10),
                reason="春节",
            )
            for pk in rng.sample(ids, len(ids) // 100)
        ]
        StationClosure.objects.bulk_create(closures, batch_size=5000)
    statement = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(statement)
    return {
        "stations": Station.objects.count(),
        "links": through.objects.count(),
        "closures": len(closures),
        "seconds": round(time.perf_counter() - started, 1),
        "analyzed": statement,
    }


def summary(times: list[float]) -> dict:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"n": len(times), "p50": statistics.median(times), "p95": cuts[94], "p99": cuts[98]}


def measure(n: int, n_base: int, rng: random.Random) -> dict:
    import datetime

    from django.db import connection
    from django.db.models import FloatField
    from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from core.geo import Point
    from stations.models import Station
    from stations.services.nearest import nearest

    monday = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    monday -= datetime.timedelta(days=monday.weekday())
    cases = []
    for _ in range(n):
        lat, lon = random_place(rng, 0.8)
        at = monday + datetime.timedelta(minutes=rng.randrange(7 * 1440))
        cases.append((Point(lat, lon), at))
    for point, at in cases[:20]:  # warm-up: connection, caches, the planner
        nearest(point, limit=10, at=at)

    def baseline(point, haversine=False):
        lat, lon = Cast("latitude", FloatField()), Cast("longitude", FloatField())
        if haversine:
            p1, l1 = math.radians(point.lat), math.radians(point.lon)
            h = Power(Sin((Radians(lat) - p1) / 2), 2) + math.cos(p1) * Cos(Radians(lat)) * Power(
                Sin((Radians(lon) - l1) / 2), 2
            )
            d = ASin(Sqrt(h))
        else:
            k = math.cos(math.radians(point.lat)) ** 2
            d = (lat - point.lat) * (lat - point.lat) + (lon - point.lon) * (lon - point.lon) * k
        return list(Station.objects.filter(active=True).annotate(d=d).order_by("d")[:10])

    # The baseline takes its turn every n/n_base calls, so both see the same load on a shared machine.
    # No query capture while timing (Django's debug cursor costs more than some of the queries).
    times, base_times, hav_times, n_open, first_km = [], [], [], [], []
    step = max(1, n // max(1, n_base))
    load_start = os.getloadavg()[0]
    cpu_times = []
    for i, (point, at) in enumerate(cases):
        cpu = time.thread_time()
        started = time.perf_counter()
        found = nearest(point, limit=10, at=at)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.thread_time() - cpu) * 1000)
        n_open.append(sum(f.open_now for f in found))
        if found:
            first_km.append(found[0].distance_m / 1000)
        if i % step == 0 and len(base_times) < n_base:
            started = time.perf_counter()
            baseline(point)
            base_times.append((time.perf_counter() - started) * 1000)
    load_end = os.getloadavg()[0]
    queries = []
    for point, at in cases[:200]:
        with CaptureQueriesContext(connection) as captured:
            nearest(point, limit=10, at=at)
        queries.append(len(captured))
    for point, _at in cases[: max(5, n_base // 5)]:
        started = time.perf_counter()
        baseline(point, haversine=True)
        hav_times.append((time.perf_counter() - started) * 1000)

    # Correctness, against a full scan in Python: the open stations among the 10 are exactly the
    # nearest open stations then (hours and the closures of that day).
    from core.geo import distance_m
    from stations.hours import is_open
    from stations.models import StationClosure

    every = list(Station.objects.filter(active=True).values_list("id", "latitude", "longitude", "hours"))
    every = [(pk, float(a), float(o), h) for pk, a, o, h in every]
    spans = list(StationClosure.objects.values_list("station_id", "starts_on", "ends_on"))
    agree = checked = 0
    for point, at in cases[: max(20, n_base)]:
        closed = {pk for pk, first, last in spans if first <= at.date() <= last}
        best = sorted(
            (distance_m(point.lat, point.lon, a, o), pk)
            for pk, a, o, h in every
            if pk not in closed and is_open(h, at)
        )[:10]
        if len(best) < 10 or best[-1][0] > 300_000:
            continue
        found = nearest(point, limit=10, at=at)
        checked += 1
        agree += [f.station.pk for f in found if f.open_now] == [pk for _d, pk in best]
    return {
        "ours": summary(times),
        "ours_cpu": summary(cpu_times),
        "baseline": summary(base_times),
        "haversine": summary(hav_times),
        "queries": {"min": min(queries), "max": max(queries), "mean": round(statistics.mean(queries), 2)},
        "open_in_10": {"mean": round(statistics.mean(n_open), 2), "under_10": sum(x < 10 for x in n_open)},
        "first_km": {"p50": round(statistics.median(first_km), 2), "max": round(max(first_km), 1)},
        "vendor": connection.vendor,
        "load": [round(load_start, 1), round(load_end, 1)],
        "check": {"checked": checked, "agree": agree},
    }


def child(out: str, n_stations: int, n: int, n_base: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    rng = random.Random(seed)
    info = {"build": build(n_stations, rng)}
    info.update(measure(n, n_base, rng))
    Path(out).write_text(json.dumps(info))


# --------------------------------------------------------------------------- one engine


def run_engine(engine: str, args) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix=f"nj-bench-near-{engine}-"))
    database_url, pg_name = scratch_database(engine, workdir)
    shown = database_url if engine == "sqlite" else pg_name
    print(f"\n=== {engine}: scratch database {shown}", flush=True)
    try:
        (workdir / "var").mkdir()
        env = scratch_environment(database_url, workdir)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0", "--skip-checks"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        out = workdir / "out.json"
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(out),
                "--stations",
                str(args.stations),
                "-n",
                str(args.n),
                "--baseline-n",
                str(args.baseline_n),
                "--seed",
                str(args.seed),
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        return report(engine, json.loads(out.read_text()))
    finally:
        clean_up(pg_name=pg_name, workdir=workdir)


def report(engine: str, info: dict) -> bool:
    b = info["build"]
    print(
        f"built {b['stations']} stations, {b['links']} amenity links, {b['closures']} closures today "
        f"in {b['seconds']} s (bulk_create; then {b['analyzed']})"
    )
    ours, base = info["ours"], info["baseline"]
    line = "{:<58} {:>6} {:>8.2f} {:>8.2f} {:>8.2f}"
    print(f"{'in process, ms':<58} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8}")
    print(
        line.format(
            "nearest(point, limit=10)  [stations.services.nearest]",
            ours["n"],
            ours["p50"],
            ours["p95"],
            ours["p99"],
        )
    )
    print(
        line.format(
            "baseline: all active ordered by distance in one query, [:10]",
            base["n"],
            base["p50"],
            base["p95"],
            base["p99"],
        )
    )
    cpu = info.get("ours_cpu")
    if cpu:
        label = "  the same, CPU time of this thread" + (
            " (SQLite: all of it)" if engine == "sqlite" else " (client only)"
        )
        print(line.format(label, cpu["n"], cpu["p50"], cpu["p95"], cpu["p99"]))
    hav = info["haversine"]
    print(
        line.format(
            "(also: the same with a haversine expression in the ORM)",
            hav["n"],
            hav["p50"],
            hav["p95"],
            hav["p99"],
        )
    )
    ratio = base["p50"] / ours["p50"]
    ratio99 = base["p50"] / ours["p99"]
    q = info["queries"]
    print(
        f"SQL per nearest() (first 200 calls): {q['min']}-{q['max']} (mean {q['mean']}); "
        f"open stations among the 10: mean "
        f"{info['open_in_10']['mean']}, {info['open_in_10']['under_10']} calls with fewer than 10 open; "
        f"first result at {info['first_km']['p50']} km median, {info['first_km']['max']} km max"
    )
    print(f"load average {info['load'][0]} when the timing began, {info['load'][1]} when it ended")
    c = info["check"]
    print(f"the open ones among the 10 = the nearest open ones by a full scan: {c['agree']}/{c['checked']}")
    ok_p99 = ours["p99"] <= TARGET_P99_MS
    ok_ratio = ratio >= TARGET_RATIO
    print(f"p99 {ours['p99']:.2f} ms vs ≤ {TARGET_P99_MS:.0f} ms: {'PASS' if ok_p99 else 'FAIL'}")
    print(
        f"baseline p50 / nearest p50 = {ratio:.0f}× (baseline p50 / nearest p99 = {ratio99:.0f}×) "
        f"vs ≥ {TARGET_RATIO:.0f}×: {'PASS' if ok_ratio else 'FAIL'}"
    )
    return ok_p99 and ok_ratio


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default=None)
    parser.add_argument("--stations", type=int, default=200_000)
    parser.add_argument("-n", type=int, default=1000, help="random worker locations measured")
    parser.add_argument("--baseline-n", type=int, default=50, help="locations for the baseline query")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not _in_venv() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606
    if args.child:
        child(args.child, args.stations, args.n, args.baseline_n, args.seed)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    has_pg = postgres_reachable()
    engines = {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}[
        args.db or ("both" if has_pg else "sqlite")
    ]
    if "postgres" in engines and not has_pg:
        sys.exit(f"PostgreSQL is not reachable at {PG_ADMIN_URL} (set BENCH_PG_URL)")
    if args.db is None and not has_pg:
        print("PostgreSQL not reachable: SQLite only (the issue asks for both)")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    results = {engine: run_engine(engine, args) for engine in engines}
    print("\n" + "; ".join(f"{e}: {'PASS' if ok else 'FAIL'}" for e, ok in results.items()))
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
