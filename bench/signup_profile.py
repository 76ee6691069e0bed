"""Where a program sign-up's CPU goes, in one process, one request at a time: the companion of
bench/program_signups.py for finding what to make faster (it measures; it sets no target).

    python bench/signup_profile.py [--n 600] [--reps 3] [--signups 2000]
                                  [--cprofile K [--sort cumulative] [--only 'programs/'] | --statements]

A scratch PostgreSQL database is built as program_signups.py builds it (`--build`); then, in this
process, Django's WSGI handler answers the same requests the bench sends (`GET /api/v1/me/`, sign-ups
for a session's last seats and for a large session, each as a different worker with their session
cookie and CSRF token), with no HTTP server in between. Printed per run: Python CPU per request
(process_time: waiting for the database is not counted) and the PostgreSQL backend's CPU per
request (from /proc, 10 ms ticks: use a few hundred requests), the best and the median of the
repetitions; then the Python CPU of the sign-up's parts (each timed around its call, so nested parts
are inside their callers), or with --cprofile K the K functions that cost most (cProfile, CPU time;
its own overhead inflates every figure, so read them against each other). A reference run, the
"floor", is a POST to a view added in this process only that authenticates, checks CSRF, parses the
body and answers 201, doing nothing else: what a sign-up costs beyond it is its own work. Under
gunicorn and 64 clients every figure is larger (the bench's "CPU per request"), but what is cheaper
here is cheaper there.
"""

import argparse
import collections
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _scratch import clean_up, scratch_database, scratch_environment

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
CSRF = "c" * 32  # a valid unmasked CSRF secret, as the bench's


def _environ(method: str, path: str, key: str, body: bytes) -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": f"sessionid={key}; csrftoken={CSRF}",
        "HTTP_X_CSRFTOKEN": CSRF,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


# --------------------------------------------------------------------------- inside Django


def profile(info: dict, n: int, reps: int, cprofile: dict | None = None, statements: bool = False) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    _add_floor_view()
    app = WSGIHandler()
    statuses: collections.Counter = collections.Counter()

    def start_response(status, headers):
        statuses[status[:3]] += 1

    def call(method: str, path: str, key: str, body: bytes = b"") -> None:
        answer = app(_environ(method, path, key, body), start_response)
        b"".join(answer)
        answer.close()

    def sign_ups(which: str, keys: list[str]) -> list:
        body = json.dumps({"session": info[which]["session"]}).encode()
        return [("POST", "/api/v1/me/registrations/", key, body) for key in keys]

    def measure(jobs: list) -> tuple[float, float, float, float]:
        statuses.clear()
        collecting[:] = [0.0, 0.0, 0]
        backend, started = _backend_seconds(connection), time.process_time()
        for job in jobs:
            call(*job)
        python = (time.process_time() - started) / len(jobs) * 1e3
        postgres = (_backend_seconds(connection) - backend) / len(jobs) * 1e3
        unexpected = {code: k for code, k in statuses.items() if code not in ("200", "201")}
        if unexpected:
            sys.exit(f"unexpected answers: {unexpected}")
        return python, postgres, collecting[1] / len(jobs) * 1e3, collecting[2] / len(jobs)

    # The garbage collector's share of the Python: its runs (any generation) timed from start to stop.
    collecting = [0.0, 0.0, 0]  # started at, seconds, full (generation 2) runs

    def timed_collection(phase: str, info: dict) -> None:
        if phase == "start":
            collecting[0] = time.process_time()
        else:
            collecting[1] += time.process_time() - collecting[0]
            collecting[2] += info["generation"] == 2

    gc.callbacks.append(timed_collection)

    # Warm-up: imports, compiled reads, psycopg's prepared statements, the kept session read.
    for key in info["warm_open"]["keys"][:100]:
        call("GET", "/api/v1/me/", key)
    for which in ("warm_open", "warm_full"):
        for job in sign_ups(which, info[which]["keys"]):
            call(*job)
    last, large = info["last"]["keys"], info["large"]["keys"]
    for job in sign_ups("last", last[:40]):  # past the 30 seats: the rest of "last" is the waitlist
        call(*job)
    last = last[40:]
    if reps * n > min(len(last), len(large)):
        sys.exit(f"--n × --reps is more than the {min(len(last), len(large))} workers built (--signups)")

    runs = {
        "baseline GET /api/v1/me/": lambda rep: [("GET", "/api/v1/me/", key) for key in large[:n]],
        "sign-up, waitlisted": lambda rep: sign_ups("last", last[rep * n : (rep + 1) * n]),
        "sign-up, seat": lambda rep: sign_ups("large", large[rep * n : (rep + 1) * n]),
        "(floor: POST, nothing done)": lambda rep: [
            ("POST", FLOOR_PATH, key, json.dumps({"session": info["large"]["session"]}).encode())
            for key in large[rep * n : (rep + 1) * n]
        ],
    }
    figures: dict[str, list] = {label: [] for label in runs}
    for rep in range(reps - 1):  # the last repetition is the one with the parts timed
        for label, jobs in runs.items():
            figures[label].append(measure(jobs(rep)))
    if statements:  # instead of the timed parts: what each statement costs the server
        for label, jobs in runs.items():
            per_statement = _statement_costs(connection, lambda jobs=jobs: [call(*j) for j in jobs(reps - 1)])
            print(f"\n==== PostgreSQL CPU per request, {label}: ms in the statement (getrusage: user +")
            print("     system), ms of the backend while it was out (/proc), statements per request")
            for sql, (inside, whole, count) in sorted(per_statement.items(), key=lambda kv: -kv[1][1]):
                print(f"  {inside * 1e3 / n:6.3f} {whole * 1e3 / n:6.3f} {count / n:5.2f}  {sql}")
        return
    if cprofile:  # instead of the timed parts: where the last repetition's Python goes, function by function
        import cProfile
        import pstats

        for label, jobs in runs.items():
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for job in jobs(reps - 1):
                call(*job)
            profiler.disable()
            print(f"\n==== cProfile {label}")
            pstats.Stats(profiler).sort_stats(cprofile["sort"]).print_stats(*cprofile["only"], cprofile["k"])
        _time_sender(connection, cprofile)
        return
    parts = _time_parts()
    timed = {}
    _sender_costs(connection)  # the earlier repetitions' notices: the sender's figures below are per run
    senders = {}
    for label, jobs in runs.items():
        for times in parts.values():
            times[:] = [0.0, 0]
        figures[label].append(measure(jobs(reps - 1)))
        if label.startswith("sign-up"):  # a waitlist notice and a confirmation cost the sender apart
            senders[label] = _sender_costs(connection)
        timed[label] = {part: tuple(times) for part, times in parts.items() if times[1]}
    print(f"\nin process, one request at a time, ms per request ({reps} × {n} requests of each):")
    print(
        f"{'run':<26} {'Python best':>11} {'median':>7} {'PostgreSQL best':>16} {'median':>7}"
        f" {'of it GC':>9} {'full GCs':>9}"
    )
    for label, values in figures.items():
        python, postgres = [v[0] for v in values], [v[1] for v in values]
        collector, full = [v[2] for v in values], [v[3] for v in values]
        print(
            f"{label:<26} {min(python):>11.3f} {statistics.median(python):>7.3f} "
            f"{min(postgres):>16.3f} {statistics.median(postgres):>7.3f}"
            f" {statistics.median(collector):>9.3f} {statistics.median(full) * 1000:>7.1f}‰"
        )
    for label, found in timed.items():
        print(f"\nparts of {label} (Python ms per request; calls per request):")
        for name, (seconds, calls) in found.items():  # callers before what they call
            print(f"  {name:<48} {seconds / n * 1e3:>7.3f}  ({calls / n:.0f})")
    print("\nnotice sender (the worker's side), ms per notice, the notices of each run:")
    for label, (sent, waiting, python, postgres) in senders.items():
        print(f"  {label:<24} {sent} of {waiting} sent: Python {python:.3f}, PostgreSQL {postgres:.3f}")


def _time_sender(connection, cprofile: dict) -> None:
    """With --cprofile: the notice worker's side of the runs above, its dearest functions."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    sent, waiting, python, postgres = _sender_costs(connection, profiler)
    print(f"\nnotice sender (the worker's side), {sent} of {waiting} notices sent, ms per notice:")
    print(f"  Python {python:.3f}, PostgreSQL {postgres:.3f}")
    pstats.Stats(profiler).sort_stats(cprofile["sort"]).print_stats(*cprofile["only"], cprofile["k"])


def _sender_costs(connection, profiler=None) -> tuple[int, int, float, float]:
    """The notice worker's side of the sign-ups so far: their notices wait in the outbox (the sender's
    task rows are the database queue's, which nothing runs here); send them as the worker would.
    Returns (sent, waiting, Python ms a notice, PostgreSQL ms a notice). The console SMS backend
    writes to a scratch file, as the bench's worker writes to its log."""
    from programs.models import PendingNotice
    from programs.services import notices

    waiting = PendingNotice.objects.count()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            backend, started = _backend_seconds(connection), time.process_time()
            if profiler:
                profiler.enable()
            sent = notices.send_due_task.call()
            python = time.process_time() - started
            postgres = _backend_seconds(connection) - backend
        finally:
            if profiler:
                profiler.disable()
            os.dup2(saved, 2)
            os.close(saved)
    return sent, waiting, python / max(sent, 1) * 1e3, postgres / max(sent, 1) * 1e3


def _backend_seconds(connection) -> float:
    """The CPU seconds (user + system) of the connection's PostgreSQL backend so far, from /proc (read
    without a query: a statement to ask its pid would be measured too)."""
    connection.ensure_connection()
    stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _statement_costs(connection, run) -> dict:
    """{statement's first 100 characters: [seconds by getrusage, seconds by /proc, runs]} over run()."""
    import re

    costs: dict = collections.defaultdict(lambda: [0.0, 0.0, 0])
    notes: list[str] = []
    ready: set[int] = set()

    def measured(execute, sql, params, many, context):
        raw = connection.connection
        if id(raw) not in ready:  # each new connection: the server's statistics, sent as notices
            ready.add(id(raw))
            raw.add_notice_handler(lambda diagnostic: notes.append(diagnostic.message_detail or ""))
            raw.execute("SET client_min_messages = log")
            raw.execute("SET log_statement_stats = on")
        notes.clear()
        before = _backend_seconds(connection)
        try:
            return execute(sql, params, many, context)
        finally:
            cost = costs[re.sub(r"\s+", " ", sql)[:100]]
            for note in notes:
                found = re.search(r"([0-9.]+) s user, ([0-9.]+) s system", note)
                if found:
                    cost[0] += float(found[1]) + float(found[2])
            cost[1] += _backend_seconds(connection) - before
            cost[2] += 1

    with connection.execute_wrapper(measured):
        run()
    return costs


FLOOR_PATH = "/api/v1/_profile_floor/"


def _add_floor_view() -> None:
    """A reference for the sign-up, added to this process's URLs only: a worker's POST to the API that
    authenticates, passes the CSRF check, parses its JSON body and answers 201 with a small body, and
    does nothing else. What a sign-up costs beyond it is the sign-up's own work."""
    from django.urls import clear_url_caches, path
    from rest_framework import permissions
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from niangjia import urls

    class Floor(APIView):
        permission_classes = [permissions.IsAuthenticated]

        def post(self, request):
            return Response({"session": request.data.get("session"), "status": "confirmed"}, status=201)

    urls.urlpatterns.insert(0, path(FLOOR_PATH.lstrip("/"), Floor.as_view()))
    clear_url_caches()


def _time_parts() -> dict:
    """Wrap the sign-up's parts so that each call adds its process time and one call to its entry in the
    returned {label: [seconds, calls]}, whose order is the order of the wraps (callers first)."""
    from django.contrib import auth
    from rest_framework.authentication import SessionAuthentication

    from programs.api import serializers, views
    from programs.services import eligibility, notices, reads, registrations, seats

    parts: dict[str, list] = {}

    def wrap(owner, name: str, label: str) -> None:
        original = getattr(owner, name)
        times = parts[label] = [0.0, 0]

        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                times[0] += time.process_time() - started
                times[1] += 1

        setattr(owner, name, timed)

    wrap(auth, "get_user", "session and user (auth.get_user)")
    wrap(SessionAuthentication, "enforce_csrf", "CSRF check (parses the body)")
    wrap(views.IsSigningUpWorker, "has_permission", "permission (the person, unless read with the user)")
    wrap(views.MyRegistrationViewSet, "create", "view: create")
    wrap(serializers.ProgramSignUpSerializer, "is_valid", "  body's serializer")
    wrap(reads, "session_to_sign_up", "  session (kept a moment)")
    wrap(serializers.MyRegistrationSerializer, "represent", "  the 201's body")
    wrap(registrations, "sign_up", "  engine: sign_up")
    wrap(eligibility, "reasons", "    eligibility")
    wrap(registrations, "creation_entry", "    history row")
    wrap(notices, "outbox_sql", "    notice's outbox CTEs")
    wrap(notices, "queued", "    notice queued (wake-up)")
    wrap(seats, "take_seat_inserting", "    statement: seat + rows")
    wrap(seats, "insert_waitlisted", "    statement: position + waitlisted rows")
    wrap(seats, "insert_select", "      building the INSERTs")
    wrap(registrations, "mark_saved", "    mark_saved")
    return parts


# --------------------------------------------------------------------------- orchestration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=600, help="requests per run and repetition")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (the last also times the parts)")
    parser.add_argument("--signups", type=int, default=2000, help="workers built per session")
    parser.add_argument("--cprofile", type=int, default=0, metavar="K", help="cProfile's K dearest functions")
    parser.add_argument("--sort", default="tottime", help="with --cprofile: tottime, cumulative, ncalls…")
    parser.add_argument(
        "--only", help="with --cprofile: only functions whose file:line(name) matches this regex"
    )
    parser.add_argument(
        "--statements", action="store_true", help="PostgreSQL's CPU per SQL statement instead of the parts"
    )
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606
    if args.inside:
        cprofile = {"k": args.cprofile, "sort": args.sort, "only": [args.only] if args.only else []}
        profile(
            json.loads(Path(args.inside).read_text()),
            args.n,
            args.reps,
            cprofile if args.cprofile else None,
            args.statements,
        )
        return
    workdir = Path(tempfile.mkdtemp(prefix="nj-signup-profile-"))
    database_url, pg_name = scratch_database("postgres", workdir)
    print(f"=== postgres: scratch database {pg_name}", flush=True)
    try:
        (workdir / "var" / "static").mkdir(parents=True)
        env = scratch_environment(database_url, workdir, NIANGJIA_MANIFEST_STATIC="0")
        run = lambda *command: subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: E731
        run(sys.executable, "manage.py", "migrate", "--noinput", "-v0")
        out = workdir / "build.json"
        builder = str(ROOT / "bench" / "program_signups.py")
        run(sys.executable, builder, "--build", str(out), "--signups", str(args.signups))
        run(
            *(sys.executable, __file__, "--inside", str(out)),
            *("--n", str(args.n), "--reps", str(args.reps), "--cprofile", str(args.cprofile)),
            *("--sort", args.sort, *(("--only", args.only) if args.only else ())),
            *(("--statements",) if args.statements else ()),
        )
    finally:
        clean_up(pg_name=pg_name, workdir=workdir)


if __name__ == "__main__":
    main()
