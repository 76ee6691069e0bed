"""Program sign-ups through the full stack, next to the same server's trivial authenticated read.

    python bench/program_signups.py [--clients 64] [--signups 2000] [--workers 5] [--threads 1] [--keep]

A scratch PostgreSQL database (`nj_bench_<random>`, dropped at the end even on error) is migrated
and filled with one district, a published program with every eligibility condition switched on
(members only, employment forms, age range from the ID number, region) and two sessions, and
2 × N workers (real encrypted ID numbers and phones, active memberships, worker logins with a
server-side session each). A real gunicorn (sync workers, or gthread with --threads; DEBUG off, the
same server for every run) serves it, and one `db_worker` sends the queued notices meanwhile; C concurrent
clients (threads, a new connection per request sending bytes built beforehand, each request as a
different worker's session with its CSRF token) then run, in turn:

  baseline  GET  /api/v1/me/          (who is signed in: no query beyond the session's and the user's)
  root      GET  /api/v1/             (the API root, a reference: the same reads, plus ~50 URL reversals;
            the baseline until 2026-11-29, which made the ratios look 25-30 % better than they are)
  last      POST /api/v1/me/registrations/  for a session of 30 seats: N workers race, 30 win, the
            rest are waitlisted (the conditional UPDATE, the waitlist's row lock, positions)
  large     POST /api/v1/me/registrations/  for a session of 100 000 seats: everyone confirmed,
            with a signed ticket in the response

A warm-up (not measured) first sends every measured request through each gunicorn worker past
psycopg's prepare threshold, and the runs start once the warm-up's notices are sent.
The four runs are interleaved in rounds (a slice of each in turn), so that other load on the
machine falls on all of them alike, in four orders (a Williams square: `ORDERS`) in which each run
follows each other run once: the notice worker lags behind a burst, and some of one run's sending
falls into the next run's window (in a fixed order the large session always paid for the notices of
the last seats' waitlist, and `/me/` for the large session's).

Each sign-up runs eligibility, the seat UPDATE, the insert with its history row, queues the
confirmation or waitlist notice (a row of the outbox in the same statement, and the sender's task
row when none waits; the worker's sender sends the SMS to the console backend and writes the site
message, in batches) and signs the ticket.
It prints throughput (requests/s) and p50/p95/p99 of each run, the ratio of each sign-up run's
throughput to the baseline's with PASS/FAIL (>= 50 % and p99 <= 250 ms), and afterwards checks in
the database: no session over capacity, the seat counter equal to the seated rows, one active
registration per person, every 201 a row, and (once the queue has drained, how long after the last
request is printed) an SMS and a site message logged per sign-up. It is not a test: it measures,
prints and cleans up.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _scratch import PG_ADMIN_URL, clean_up, scratch_database, scratch_environment, start_gunicorn

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
MIN_RATIO = 0.5
P99_MS = 250.0
LAST_SEATS = 30
LARGE_SEATS = 100_000
WARM_SIGNUPS = 256  # per warm-up session: 50 per gunicorn worker and path, ten times the threshold
# The rounds' orders of the four runs: each run follows each other run once (see the docstring).
ORDERS = ((0, 1, 3, 2), (1, 2, 0, 3), (2, 3, 1, 0), (3, 0, 2, 1))
WORKER_NICE = 10  # as the README's service file runs the worker (Nice=10)
WORKER_ARGS = ["--queue-name", "*", "--no-startup-delay"]


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()


# --------------------------------------------------------------------------- build (inside Django)


def build(out_path: str, n_signups: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from core.pii import check_character
    from members.models import Membership, Person
    from orgs.models import Region, Union
    from programs.models import Program, Session

    started = time.perf_counter()
    # The migrations seed the region list; the district's may already be there.
    province = Region.objects.get_or_create(code="330000", defaults={"name": "浙江省", "level": "province"})[
        0
    ]
    city = Region.objects.get_or_create(
        code="330600", defaults={"name": "绍兴市", "level": "city", "parent": province}
    )[0]
    county = Region.objects.get_or_create(
        code="330603", defaults={"name": "柯桥区", "level": "county", "parent": city}
    )[0]
    district = Union.objects.create(name="柯桥区总工会", kind="federation", region=county)
    now = timezone.now()
    start = now + datetime.timedelta(days=3)

    def program(title: str, capacity: int) -> Session:
        prog = Program.objects.create(
            union=district,
            title=title,
            kind="course",
            status="published",
            signup_opens_at=now - datetime.timedelta(days=1),
            signup_closes_at=now + datetime.timedelta(days=2),
            members_only=True,
            employment_forms=["courier", "delivery_rider"],
            min_age=18,
            max_age=60,
        )
        prog.regions.set([county])
        return Session.objects.create(
            program=prog,
            place="柯桥区职工服务中心",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            capacity=capacity,
        )

    last = program("品质生活+ 插花课（最后名额）", LAST_SEATS)
    large = program("两癌筛查（大场次）", LARGE_SEATS)
    probe = program("查询计数用", 10)
    # Warm-up sign-ups (not measured) go to sessions of their own: one with room, one full after a seat.
    warm_open = program("预热用（有名额）", LARGE_SEATS)
    warm_full = program("预热用（候补）", 1)

    total = 2 * n_signups + 2 + 2 * WARM_SIGNUPS
    people = []
    for i in range(total):
        person = Person(name=f"职工{i}", employment_form="courier" if i % 2 else "delivery_rider")
        first17 = f"330621{1970 + i % 30}{1 + (i // 1000) % 12:02d}01{i % 1000:03d}"  # unique to 12000
        person.set_id_number(first17 + check_character(first17))
        person.set_phone(f"13{i:09d}")
        people.append(person)
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=2000)
        users = User.objects.bulk_create(
            [User(username=f"w{i}", is_worker=True, password="!") for i in range(total)], batch_size=2000
        )
        for person, user in zip(people, users, strict=True):
            person.user = user
        Person.objects.bulk_update(people, ["user"], batch_size=2000)
        Membership.objects.bulk_create(
            [Membership(person=p, union=district, card_number=f"B{p.pk:012d}") for p in people],
            batch_size=2000,
        )
    keys = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.UserBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(settings.WORKER_SESSION_DAYS * 86400)
        session.create()
        keys.append(session.session_key)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    # SQL statements per request, through the whole stack in-process.
    queries = {}
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(users[-1], backend="accounts.backends.UserBackend")
    with CaptureQueriesContext(connection) as captured:
        status = client.get("/api/v1/me/").status_code
    queries["baseline"] = {"n": len(captured), "status": status}
    for label, probe_user in (("confirmed", users[-1]), ("waitlisted", users[-2])):
        if label == "waitlisted":
            probe.capacity = 1  # full: the next one waits (a save: this process reads the session anew)
            probe.save(update_fields=["capacity"])
            client.force_login(probe_user, backend="accounts.backends.UserBackend")
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/api/v1/me/registrations/", {"session": probe.pk}, content_type="application/json"
            )
        queries[f"sign-up {label}"] = {"n": len(captured), "status": response.status_code}

    info = {
        "pending_sql": pending_sql(),
        "build_seconds": round(time.perf_counter() - started, 1),
        "workers": total,
        "last": {"session": last.pk, "capacity": LAST_SEATS, "keys": keys[:n_signups]},
        "large": {"session": large.pk, "capacity": LARGE_SEATS, "keys": keys[n_signups : 2 * n_signups]},
        "warm_open": {"session": warm_open.pk, "keys": keys[2 * n_signups :][:WARM_SIGNUPS]},
        "warm_full": {
            "session": warm_full.pk,
            "keys": keys[2 * n_signups :][WARM_SIGNUPS : 2 * WARM_SIGNUPS],
        },
        "queries": queries,
    }
    Path(out_path).write_text(json.dumps(info))


def pending_sql() -> str:
    """(Inside Django) the statement counting the notices not sent yet: the sender's tasks waiting or
    running, and the outbox's rows."""
    from django_tasks_db.models import DBTaskResult

    from programs.models import PendingNotice

    return (
        f"SELECT (SELECT count(*) FROM {DBTaskResult._meta.db_table} "  # noqa: S608 (model table names)
        "WHERE status IN ('READY', 'RUNNING')) "
        f"+ (SELECT count(*) FROM {PendingNotice._meta.db_table})"
    )


def drained(database_url: str, sql: str, limit: float = 600) -> tuple[float, int]:
    """Wait (at most `limit` seconds) until the worker has sent every queued notice: (seconds waited,
    notices still pending)."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        while (pending := conn.execute(sql).fetchone()[0]) and time.perf_counter() - started < limit:
            time.sleep(0.5)
    return round(time.perf_counter() - started, 1), pending


def verify(out_path: str, sessions: list[int]) -> None:
    """After the runs (inside Django): what the database says about seats, registrations and notices.

    The notices wait in the outbox for the sender (a background task the sign-ups wake, run by the
    worker): first wait for the queue and the outbox to drain (how long it took after the last request
    is reported), then count."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from core.models import Notification
    from programs.choices import ACTIVE_STATUSES, SEATED_STATUSES
    from programs.models import Registration, Session
    from programs.services.notices import send_due_task

    drain_seconds, pending = drained(os.environ["DATABASE_URL"], pending_sql())
    queue = {
        "drain_seconds": drain_seconds,
        "pending": pending,
        "failed": DBTaskResult.objects.filter(status="FAILED").count(),
        # How the sender's work was cut up: each of its tasks has a fixed cost (claimed, run, finished)
        # that its notices share.
        "sender_runs": sorted(
            DBTaskResult.objects.filter(status="SUCCESSFUL", task_path=send_due_task.module_path).values_list(
                "return_value", flat=True
            )
        ),
    }
    found = {"queue": queue}
    for session in Session.objects.filter(pk__in=sessions):
        regs = Registration.objects.filter(session=session)
        doubles = (
            Registration.objects.filter(status__in=ACTIVE_STATUSES, program=session.program_id)
            .values("person")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        positions = list(regs.filter(status="waitlisted").values_list("position", flat=True))
        told = Notification.objects.filter(
            kind__in=("programs.confirmed", "programs.waitlisted"),
            user__person__registrations__session=session,
        )
        found[str(session.pk)] = {
            "site_messages": told.filter(channel="site").count(),
            "sms": told.filter(channel="sms").count(),
            "capacity": session.capacity,
            "seated": session.seated,
            "seated_rows": regs.filter(status__in=SEATED_STATUSES).count(),
            "rows": regs.count(),
            "waitlisted": len(positions),
            "positions_distinct": len(set(positions)) == len(positions),
            "doubles": doubles,
        }
    Path(out_path).write_text(json.dumps(found))


# --------------------------------------------------------------------------- load (over HTTP)


def request_bytes(method: str, path: str, headers: dict, body: bytes | None) -> bytes:
    """A request as it goes on the wire, built once before the runs. The clients share the server's two
    CPUs, so what they spend is taken from the server: http.client built each request and parsed each
    answer's headers through the email package, ~0.6 ms a request of the clients' CPU (the bench's
    "clients" column), where sending these bytes and reading the answer to its end costs a fraction."""
    lines = [f"{method} {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    lines.append(
        "Connection: close"
    )  # the answer ends where the connection does (gunicorn's sync worker closes anyway)
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def request(port: int, raw: bytes) -> tuple[float, int, bytes]:
    """Send `raw` on a new connection and read the answer until the server closes it: (ms, status, body)."""
    started = time.perf_counter()
    with socket.socket() as sock:
        sock.settimeout(60)
        sock.connect(("127.0.0.1", port))
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    elapsed = (time.perf_counter() - started) * 1000
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return elapsed, int(head[9:12]), body  # "HTTP/1.1 201 Created": the status is at 9-12


def run_clients(port: int, clients: int, jobs: list[tuple[str, bytes]]) -> dict:
    """`clients` threads take jobs (method, request bytes) off a shared list as fast as the server
    answers (a closed loop)."""
    lock = threading.Lock()
    cursor = iter(range(len(jobs)))
    times: list[float] = []
    statuses: dict[int, int] = {}
    bodies: list[bytes] = []
    barrier = threading.Barrier(clients + 1)

    def worker():
        barrier.wait()
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            method, raw = jobs[index]
            elapsed, status, data = request(port, raw)
            with lock:
                times.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if method == "POST" and len(bodies) < 5:
                    bodies.append(data)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"times": times, "seconds": seconds, "statuses": statuses, "sample": bodies[:1]}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc); a process gone counts 0."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def process_groups(server_pid: int, worker_pid: int, database: str) -> dict[str, list[int]]:
    """The processes whose CPU a run is charged: gunicorn (master and workers), the PostgreSQL backends
    serving the scratch database, the notice worker; the clients are this process (getrusage)."""
    groups: dict[str, list[int]] = {"gunicorn": [server_pid], "postgres": [], "notice worker": [worker_pid]}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server_pid:
            groups["gunicorn"].append(int(entry.name))
        elif command.startswith("postgres:") and f" {database} " in f"{command} ":
            groups["postgres"].append(int(entry.name))
    return groups


def charged(groups: dict[str, list[int]]) -> dict[str, float]:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    now = {name: cpu_seconds(pids) for name, pids in groups.items()}
    now["clients"] = usage.ru_utime + usage.ru_stime
    return now


def merged(parts: list[dict]) -> dict:
    """One figure from the rounds of a run: requests over the time spent in them, percentiles of all."""
    times = [t for part in parts for t in part["times"]]
    seconds = sum(part["seconds"] for part in parts)
    statuses: dict[int, int] = {}
    for part in parts:
        for code, n in part["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "n": len(times),
        "seconds": seconds,
        "rps": len(times) / seconds,
        "p50": statistics.median(times),
        "p95": cuts[94],
        "p99": cuts[98],
        "statuses": statuses,
        "sample": next((part["sample"] for part in parts if part["sample"]), []),
    }


def _p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[98]


def headers_for(key: str, csrf: str) -> dict:
    return {
        "Cookie": f"sessionid={key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/json",
        "Host": "127.0.0.1",
    }


def read_jobs(path: str, keys: list[str], csrf: str, n: int) -> list:
    return [
        ("GET", request_bytes("GET", path, headers_for(keys[i % len(keys)], csrf), None)) for i in range(n)
    ]


def signup_jobs(keys: list[str], csrf: str, session_id: int) -> list:
    body = json.dumps({"session": session_id}).encode()
    path = "/api/v1/me/registrations/"
    return [("POST", request_bytes("POST", path, headers_for(key, csrf), body)) for key in keys]


# --------------------------------------------------------------------------- orchestration


def start_worker(env: dict, workdir: Path) -> subprocess.Popen:
    """The background worker that sends the queued notices (as in production, `db_worker`), running on
    the same machine throughout the runs: its work is deferred from the request, not left out. At
    the lower CPU priority the README's service file gives it (Nice=10): under a burst the requests
    come first and the notices follow (how long after the last request is printed)."""
    log = (workdir / "worker.log").open("w")
    return subprocess.Popen(
        ["nice", "-n", str(WORKER_NICE), sys.executable, "manage.py", "db_worker", *WORKER_ARGS],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def line(label: str, result: dict, ratio: str, verdict: str) -> str:
    codes = ",".join(f"{k}×{v}" for k, v in sorted(result["statuses"].items()))
    return (
        f"{label:<22} {result['n']:>6} {result['rps']:>8.1f} {result['p50']:>7.1f} {result['p95']:>7.1f} "
        f"{result['p99']:>7.1f} {ratio:>6}  {codes:<18} {verdict}"
    )


def run(args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="nj-bench-signups-"))
    database_url, pg_name = scratch_database("postgres", workdir)
    print(f"=== postgres: scratch database {pg_name}", flush=True)
    server = worker = None
    failed = 0
    try:
        (workdir / "var" / "static").mkdir(parents=True)
        env = scratch_environment(database_url, workdir, NIANGJIA_MANIFEST_STATIC="0")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)
        out = workdir / "build.json"
        subprocess.run(
            [sys.executable, __file__, "--build", str(out), "--signups", str(args.signups)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        info = json.loads(out.read_text())
        print(f"build: {info['build_seconds']} s, {info['workers']} workers with sessions", flush=True)
        print(
            "SQL per request (in-process): "
            + "; ".join(f"{k} {v['n']} (HTTP {v['status']})" for k, v in info["queries"].items())
        )
        server, port = start_gunicorn(
            env,
            workdir,
            *("--workers", str(args.workers), "--threads", str(args.threads), "--backlog", "2048"),
            *("--worker-class", "sync" if args.threads == 1 else "gthread"),
        )
        worker = start_worker(env, workdir)
        csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
        keys = info["last"]["keys"] + info["large"]["keys"]
        # Warm-up: every worker process imports, connects, compiles the hot reads and runs each of the
        # measured requests' statements past psycopg's prepare threshold (five runs per connection),
        # the sign-ups on sessions of their own: the figures are the steady state, not a cold start.
        for path in ("/api/v1/me/", "/api/v1/"):
            run_clients(port, args.clients, read_jobs(path, keys, csrf, args.clients * 4))
        for warm in ("warm_open", "warm_full"):
            run_clients(port, args.clients, signup_jobs(info[warm]["keys"], csrf, info[warm]["session"]))
        # The warm-up's notices are sent before the runs start: the worker (at a lower priority) sent
        # them during the first rounds, its CPU charged to whichever run was out.
        warm_drain, _ = drained(database_url, info["pending_sql"])
        load = os.getloadavg()[0]
        # Rounds interleave the three runs, so that whatever else the machine does meanwhile falls on
        # all of them alike; each round is `chunk` requests of each run by the same 64 clients.
        chunk = max(args.clients * 2, args.signups // args.rounds)
        last_jobs = signup_jobs(info["last"]["keys"], csrf, info["last"]["session"])
        large_jobs = signup_jobs(info["large"]["keys"], csrf, info["large"]["session"])
        base_jobs = read_jobs("/api/v1/me/", keys, csrf, args.signups)
        root_jobs = read_jobs("/api/v1/", keys, csrf, args.signups)
        parts: dict[str, list] = {"base": [], "root": [], "last": [], "large": []}
        # Where each run's CPU goes (every backend is connected after the warm-up: persistent connections).
        groups = process_groups(server.pid, worker.pid, pg_name)
        spent: dict[str, dict[str, float]] = {name: {} for name in parts}
        jobs_of = {"base": base_jobs, "root": root_jobs, "last": last_jobs, "large": large_jobs}
        names = list(jobs_of)
        for number, start_at in enumerate(range(0, args.signups, chunk)):
            window = slice(start_at, start_at + chunk)
            for name in (names[i] for i in ORDERS[number % len(ORDERS)]):
                jobs = jobs_of[name]
                before = charged(groups)
                parts[name].append(run_clients(port, args.clients, jobs[window]))
                after = charged(groups)
                for group, seconds in after.items():
                    spent[name][group] = spent[name].get(group, 0.0) + seconds - before[group]
        runs = [
            ("baseline GET /api/v1/me/", merged(parts["base"])),
            ("(API root GET /api/v1/)", merged(parts["root"])),
            (f"sign-up last {LAST_SEATS} seats", merged(parts["last"])),
            ("sign-up large session", merged(parts["large"])),
        ]
        base = runs[0][1]["rps"]
        print(
            f"\ngunicorn {args.workers} workers × {args.threads} thread(s), "
            f"{args.clients} concurrent clients "
            f"(threads, one connection per request), {os.cpu_count()} CPUs, "
            f"load average {load:.1f} at start (the warm-up's notices sent {warm_drain} s after it); "
            f"{len(parts['base'])} interleaved rounds of {chunk} requests per run"
        )
        header = (
            f"{'run':<22} {'n':>6} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} {'ratio':>6}  "
            f"{'HTTP':<18} result"
        )
        print(header)
        print("-" * len(header))
        for label, result in runs:
            if not label.startswith("sign-up"):
                print(
                    line(
                        label,
                        result,
                        f"{result['rps'] / base:.2f}",
                        "baseline" if result is runs[0][1] else "reference",
                    )
                )
                continue
            ratio = result["rps"] / base
            ok = ratio >= MIN_RATIO and result["p99"] <= P99_MS and set(result["statuses"]) == {201}
            failed += not ok
            why = []
            if ratio < MIN_RATIO:
                why.append(f"ratio < {MIN_RATIO:.2f}")
            if result["p99"] > P99_MS:
                why.append(f"p99 > {P99_MS:.0f} ms")
            if set(result["statuses"]) != {201}:
                why.append("non-201 answers")
            print(line(label, result, f"{ratio:.2f}", "PASS" if ok else "FAIL (" + ", ".join(why) + ")"))
        print(
            f"(a closed loop of {args.clients} clients waits {args.clients}/throughput on average (Little's "
            f"law): p99 <= {P99_MS:.0f} ms needs more than {args.clients * 1000 / P99_MS:.0f} req/s)"
        )
        # One slow round (the machine busy elsewhere, a checkpoint) can hold most of a run's worst 1 %.
        print("p99 of each round, ms (in order):")
        for (label, _result), name in zip(runs, parts, strict=True):
            cells = " ".join(f"{_p99(part['times']):>5.0f}" for part in parts[name])
            print(f"  {label:<24} {cells}")
        print(f"\nCPU per request, ms ({os.cpu_count()} CPUs: at most {os.cpu_count()} CPU-seconds a second)")
        names = list(next(iter(spent.values())))
        # "busy": CPUs these processes kept busy while the run's requests were out (its CPU-seconds a
        # second): well under the machine's count, its processes waited (for a lock, a disk flush).
        print(f"{'run':<22} " + " ".join(f"{n:>13}" for n in [*names, "all"]) + f" {'busy':>6}")
        for (label, result), name in zip(runs, spent, strict=True):
            per = {group: seconds * 1000 / result["n"] for group, seconds in spent[name].items()}
            cells = " ".join(f"{per[n]:>13.2f}" for n in names)
            busy = sum(spent[name].values()) * result["rps"] / result["n"]
            print(f"{label:<22} {cells} {sum(per.values()):>13.2f} {busy:>6.2f}")
        sample = runs[3][1]["sample"]
        if sample:
            shown = json.loads(sample[0])
            print(
                f"a large-session answer: status {shown.get('status')}, "
                f"ticket_code {shown.get('ticket_code')}, "
                f"signed ticket {len(shown.get('ticket') or '')} characters"
            )
        checked = workdir / "verify.json"
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--verify",
                str(checked),
                "--sessions",
                f"{info['last']['session']},{info['large']['session']}",
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        facts = json.loads(checked.read_text())
        queue = facts["queue"]
        print(
            f"\nnotice queue (1 db_worker): drained {queue['drain_seconds']} s after the last request, "
            f"{queue['pending']} pending, {queue['failed']} failed"
        )
        runs_sent = queue["sender_runs"]
        if runs_sent:
            print(
                f"  the sender ran {len(runs_sent)} times: notices per run median "
                f"{statistics.median(runs_sent):g}, max {max(runs_sent)}, {runs_sent.count(0)} with none"
            )
        failed += bool(queue["pending"] or queue["failed"])
        print("database afterwards:")
        for label, key, result in (("last", "last", runs[2][1]), ("large", "large", runs[3][1])):
            row = facts[str(info[key]["session"])]
            created = result["statuses"].get(201, 0)
            ok = (
                row["seated"] <= row["capacity"]
                and row["seated"] == row["seated_rows"]
                and row["doubles"] == 0
                and row["rows"] == created
                and row["positions_distinct"]
                and row["site_messages"] == created
                and row["sms"] == created
            )
            failed += not ok
            oversold = max(0, row["seated_rows"] - row["capacity"])
            print(
                f"  {label:<6} capacity {row['capacity']}, seated {row['seated']} "
                f"(rows {row['seated_rows']}), "
                f"waitlisted {row['waitlisted']} (positions distinct: {row['positions_distinct']}), "
                f"rows {row['rows']} = 201s {created}, double sign-ups {row['doubles']}, "
                f"oversold {oversold}, notices logged: {row['sms']} SMS + {row['site_messages']} site "
                f"— {'PASS' if ok else 'FAIL'}"
            )
        print(
            f"\nresult: {'PASS' if not failed else f'FAIL ({failed})'}; load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        if args.keep:
            print(f"--keep: DATABASE_URL={database_url}, files in {workdir}")
            clean_up([server, worker])
        else:
            clean_up([server, worker], pg_name=pg_name, workdir=workdir)
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--signups", type=int, default=2000, help="sign-ups per run (distinct workers)")
    parser.add_argument("--rounds", type=int, default=8, help="interleaved rounds")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (production: 2 × CPUs + 1)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1)")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--build", help=argparse.SUPPRESS)
    parser.add_argument("--verify", help=argparse.SUPPRESS)
    parser.add_argument("--sessions", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not _in_venv() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606
    if args.build:
        build(args.build, args.signups)
        return
    if args.verify:
        verify(args.verify, [int(x) for x in args.sessions.split(",")])
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            pass
    except Exception:
        sys.exit(f"PostgreSQL is not reachable at {PG_ADMIN_URL} (set BENCH_PG_URL); targets are set on it")
    sys.exit(run(args))


if __name__ == "__main__":
    main()
