"""Console list pages and API list endpoints at district scale, next to a bare `SELECT 1` request.

    python bench/console_lists.py [--db sqlite|postgres|both] [--people 100000] [-n 200]

For each engine: a scratch database (PostgreSQL `nj_bench_<random>`, dropped at
the end even on error; SQLite a temporary file) is migrated and filled with
10^3 unions and 10^5 people and memberships (bench/_district.py); a real
gunicorn (2 sync workers, DEBUG off) serves it on a free loopback port; each
page, for the superuser, the district's admin and a town federation's official,
is fetched N times in interleaved rounds (one request after another, after
warm-up rounds), with `/healthz` taking its turn in every round. It prints
p50/p95/p99 of each page, the ratio of its p95 to that of `/healthz` (one
`SELECT 1`), PASS/FAIL against 100 ms p95, SQL queries per request, and the
number of queries a subtree costs at depths 1..5. It is not a test: it
measures, prints and cleans up.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

from _scratch import PG_ADMIN_URL, clean_up, scratch_database, scratch_environment, start_gunicorn

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
TARGET_MS = 100.0


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()


# --------------------------------------------------------------------------- pages


def pages(info: dict, user: str) -> list[tuple[str, str]]:
    """(label, path) of every page measured for one user; the deep page is page 500 or the last one."""
    deep_people = min(500, info["last_page"][user]["people"])
    deep_members = min(500, info["last_page"][user]["memberships"])
    town = info["town_id"]
    return [
        ("console people p1", "/console/people/"),
        (f"console people p{deep_people}", f"/console/people/?page={deep_people}"),
        ("console people filter", "/console/people/?employment_form=courier&gender=female"),
        ("console people search", "/console/people/?q=%E7%8E%8B"),  # 王: a name prefix
        ("console people order", "/console/people/?o=name"),
        ("console members p1", "/console/memberships/"),
        (f"console members p{deep_members}", f"/console/memberships/?page={deep_members}"),
        ("console members filter", "/console/memberships/?status=active&employment_form=courier"),
        ("console members order", "/console/memberships/?o=card_number"),
        ("console unions p1", "/console/unions/list/"),
        ("console unions filter", "/console/unions/list/?kind=grassroots&o=name"),
        ("console roles p1", "/accounts/roles/"),
        ("api people p1", "/api/v1/people/"),
        (f"api people p{deep_people}", f"/api/v1/people/?page={deep_people}"),
        ("api people filter+order", "/api/v1/people/?employment_form=courier&ordering=name"),
        ("api members p1", "/api/v1/memberships/"),
        ("api members filter", "/api/v1/memberships/?status=active&ordering=card_number"),
        ("api unions p1", "/api/v1/unions/"),
        ("api unions subtree", f"/api/v1/unions/?within={town}"),
    ]


# --------------------------------------------------------------------------- build (inside Django)


def build(out_path: str, n_people: int) -> None:
    """The in-process part: data, sessions and tokens, subtree and per-request query counts."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import _district
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from members.models import Membership, Person
    from orgs.models import Union

    started = time.perf_counter()
    tree = _district.build_unions()
    t_unions = time.perf_counter() - started
    _district.build_people(tree["grassroots"], n_people)
    t_people = time.perf_counter() - started - t_unions
    users = _district.build_officials(tree["district"], tree["towns"][0])
    analyzed = _district.analyze()
    build_seconds = time.perf_counter() - started

    info = {
        "build_seconds": round(build_seconds, 1),
        "analyzed": analyzed,
        "build_unions_seconds": round(t_unions, 1),
        "build_people_seconds": round(t_people, 1),
        "unions": Union.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "town_id": tree["towns"][0].pk,
        "town_unions": Union.objects.filter(path__subtree=tree["towns"][0].path).count(),
        "max_depth": max(u.depth for u in tree["unions"]),
        "users": {},
        "last_page": {},
    }
    per_page = 50
    for label, user in users.items():
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.UserBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(settings.SESSION_IDLE_MINUTES * 60)
        session.create()
        token = Token.objects.create(user=user)
        n_people_seen = Person.objects.restrict(user).count()
        n_members_seen = Membership.objects.restrict(user).count()
        info["users"][label] = {"session": session.session_key, "token": token.key, "people": n_people_seen}
        info["last_page"][label] = {
            "people": max(1, -(-n_people_seen // per_page)),
            "memberships": max(1, -(-n_members_seen // per_page)),
        }

    # A subtree is one query at every depth: the unions under a node, and the members in them.
    subtree = []
    deepest = Union.objects.filter(depth=info["max_depth"]).order_by("path").first()
    for node in [*deepest.ancestors().order_by("depth"), deepest]:
        depth = node.depth
        with CaptureQueriesContext(connection) as unions_q:
            n_unions = len(list(node.subtree()))
        with CaptureQueriesContext(connection) as members_q:
            n_members = len(list(Membership.objects.filter(union__path__subtree=node.path).only("pk")))
        subtree.append(
            {
                "depth": depth,
                "unions": n_unions,
                "union_queries": len(unions_q),
                "members": n_members,
                "member_queries": len(members_q),
            }
        )
    info["subtree"] = subtree

    # SQL statements per request, through the whole stack in-process (the server cannot tell us).
    queries = {}
    for label, user in users.items():
        console = Client(HTTP_HOST="127.0.0.1")
        console.force_login(user, backend="accounts.backends.UserBackend")
        api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {info['users'][label]['token']}")
        for page, path in pages(info, label):
            with CaptureQueriesContext(connection) as captured:
                response = (api if path.startswith("/api/") else console).get(path)
            queries[f"{label}|{page}"] = {"n": len(captured), "status": response.status_code}
    info["queries"] = queries
    Path(out_path).write_text(json.dumps(info))


# --------------------------------------------------------------------------- measure (over HTTP)


def fetch(port: int, path: str, headers: dict) -> tuple[float, int]:
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return elapsed, response.status


def measure(port: int, targets: list[tuple[str, dict]], n: int, warmup: int) -> list[dict]:
    """n rounds, each fetching every target once, one request after another. Interleaving spreads
    whatever else the machine is doing evenly over the rows and the baseline, instead of letting
    a busy minute land on a few rows."""
    for _ in range(warmup):
        for path, headers in targets:
            fetch(port, path, headers)
    times: list[list[float]] = [[] for _ in targets]
    bad: list[set[int]] = [set() for _ in targets]
    for done in range(1, n + 1):
        for i, (path, headers) in enumerate(targets):
            elapsed, status = fetch(port, path, headers)
            times[i].append(elapsed)
            if status != 200:
                bad[i].add(status)
        if done % 50 == 0 and done < n:
            print(f"  {done}/{n} rounds", flush=True)
    return [summary(t, b) for t, b in zip(times, bad, strict=True)]


def summary(times: list[float], bad: set[int]) -> dict:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"p50": statistics.median(times), "p95": cuts[94], "p99": cuts[98], "bad": sorted(bad)}


# --------------------------------------------------------------------------- one engine


def server_env(database_url: str, workdir: Path) -> dict:
    (workdir / "var" / "static").mkdir(parents=True)  # whitenoise warns when STATIC_ROOT is missing
    return scratch_environment(database_url, workdir, NIANGJIA_MANIFEST_STATIC="0")


def run_engine(engine: str, args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"nj-bench-{engine}-"))
    database_url, pg_name = scratch_database(engine, workdir)
    shown = database_url if engine == "sqlite" else pg_name
    print(f"\n=== {engine}: scratch database {shown}", flush=True)
    server = None
    try:
        env = server_env(database_url, workdir)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)
        out = workdir / "build.json"
        subprocess.run(
            [sys.executable, __file__, "--build", str(out), "--people", str(args.people)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        info = json.loads(out.read_text())
        print(
            f"build: {info['build_seconds']} s ({info['unions']} unions in {info['build_unions_seconds']} s, "
            f"{info['people']} people with encrypted ID numbers and phones and {info['memberships']} "
            f"memberships in {info['build_people_seconds']} s; bulk_create, so no history rows; "
            f"then {info['analyzed']})",
            flush=True,
        )
        print(
            f"town official's subtree: {info['town_unions']} unions, {info['users']['town']['people']} people"
        )
        print("subtree query count (CaptureQueriesContext):")
        for row in info["subtree"]:
            print(
                f"  depth {row['depth']}: {row['unions']:>4} unions in {row['union_queries']} query; "
                f"{row['members']:>6} memberships in {row['member_queries']} query"
            )
        if args.keep:
            print(f"--keep: DATABASE_URL={database_url}")
        server, port = start_gunicorn(env, workdir, "--workers", "2", "--worker-class", "sync")
        report(engine, info, port, args)
    finally:
        kept = args.keep
        clean_up([server], pg_name=None if kept else pg_name, workdir=None if kept else workdir)


def report(engine: str, info: dict, port: int, args) -> None:
    rows = [("/healthz (SELECT 1)", "anonymous", "/healthz", {})]
    for user in ("superuser", "district", "town"):
        creds = info["users"][user]
        for label, path in pages(info, user):
            if path.startswith("/api/"):
                headers = {"Authorization": f"Token {creds['token']}"}
            else:
                headers = {"Cookie": f"sessionid={creds['session']}"}
            rows.append((label, user, path, headers))
    print(
        f"\n{engine}: gunicorn 2 sync workers; {args.n} rounds of one sequential request per row, "
        f"after {args.warmup} warm-up rounds (ms); {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    results = measure(port, [(path, headers) for _l, _u, path, headers in rows], args.n, args.warmup)
    baseline = results[0]
    header = f"{'page':<28} {'user':<10} {'p50':>7} {'p95':>7} {'p99':>7} {'x base':>7} {'SQL':>4}  result"
    print(header)
    print("-" * len(header))
    line = "{:<28} {:<10} {:>7.1f} {:>7.1f} {:>7.1f} {:>7} {:>4}  {}"
    failed = 0
    for (label, user, _path, _headers), result in zip(rows, results, strict=True):
        if user == "anonymous":
            print(line.format(label, user, result["p50"], result["p95"], result["p99"], "1.0", 1, "baseline"))
            continue
        ok = result["p95"] <= TARGET_MS and not result["bad"]
        failed += not ok
        verdict = "PASS" if ok else "FAIL" + (f" (HTTP {result['bad']})" if result["bad"] else "")
        ratio = f"{result['p95'] / baseline['p95']:.1f}"
        n_sql = info["queries"][f"{user}|{label}"]["n"]
        print(line.format(label, user, result["p50"], result["p95"], result["p99"], ratio, n_sql, verdict))
    verdict = f"{failed} row(s) over {TARGET_MS:.0f} ms p95" if failed else "all rows PASS"
    print(f"{engine}: {verdict}; load average {os.getloadavg()[0]:.1f} at the end")


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
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("-n", type=int, default=200, help="measured requests per row")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up rounds")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (for EXPLAIN)")
    parser.add_argument("--build", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not _in_venv() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606
    if args.build:
        build(args.build, args.people)
        return
    # A kill still drops the scratch database: SIGTERM unwinds through the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    has_pg = postgres_reachable()
    engines = {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}.get(
        args.db or ("both" if has_pg else "sqlite")
    )
    if "postgres" in engines and not has_pg:
        sys.exit(f"PostgreSQL is not reachable at {PG_ADMIN_URL} (set BENCH_PG_URL)")
    if args.db is None and not has_pg:
        print("PostgreSQL not reachable: SQLite only (targets are set on PostgreSQL)")
    for engine in engines:
        run_engine(engine, args)


if __name__ == "__main__":
    main()
