"""Point 8: no oversell and no double sign-up with 500 concurrent sign-ups for the last seats.

Real threads, each with its own database connection, released together by a barrier: on PostgreSQL
against the test database, on SQLite against a file copy of it opened with the project's settings
(WAL, BEGIN IMMEDIATE, busy timeout) — an in-memory database would not be the engine users run.
The same test with the test-only PROGRAMS_SEAT_GUARD=False (read the free seats, then write, as naive
code does) must oversell, which shows the race the guard stops is real.
"""

import contextlib
import importlib
import sqlite3
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from members.models import Person
from programs.choices import ACTIVE_STATUSES, SEATED_STATUSES
from programs.models import Registration, Session
from programs.services import registrations as engine

from .. import factories
from . import engine as make

ATTEMPTS = 500
PEOPLE = 250  # each person tries twice, from two different threads
LAST_SEATS = 5
# Connections: PostgreSQL's default max_connections is 100 and other test runs share the server.
THREADS = {"postgresql": 40, "sqlite": 50}


@pytest.fixture
def committed(transactional_db):
    """Committed data, as threads see it; SQLite's flush (DELETE) needs the history trigger lifted.

    The same as tests/browser/conftest.py's live_db: PostgreSQL's TRUNCATE passes the trigger.
    """
    yield
    if connection.vendor == "sqlite":
        triggers = importlib.import_module("core.migrations.0002_history_append_only")
        with connection.cursor() as cursor:
            for statement in triggers.SQLITE_REVERSE:
                cursor.execute(statement)
            cursor.execute("DELETE FROM core_historyentry")
            for statement in triggers.SQLITE:
                cursor.execute(statement)


@contextlib.contextmanager
def file_database(tmp_path):
    """On SQLite: point new connections at a file copy of the (committed) test database."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    old = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = str(path)  # the dict every thread's new connection is made from
    try:
        yield
    finally:
        connection.settings_dict["NAME"] = old


def in_thread(fn):
    """Run fn on a fresh connection (the race's database) and return its result."""
    out = {}

    def run():
        try:
            out["value"] = fn()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out["value"]


def race(session: Session, people: list[Person]) -> Counter:
    """Every person signs up twice, from two threads, all released at once; outcomes counted."""
    attempts = [p for p in people for _ in range(2)][:ATTEMPTS]
    threads = THREADS[connection.vendor]
    # Interleave so that the two attempts of one person land in different threads.
    chunks = [attempts[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads)
    outcomes: Counter = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run(chunk):
        try:
            barrier.wait(timeout=60)
            for person in chunk:
                try:
                    status = str(engine.sign_up(session, person).status)
                except ValidationError as exc:
                    status = "already" if "已报名" in " ".join(exc.messages) else "refused"
                with lock:
                    outcomes[status] += 1
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors[:3]
    return outcomes


def scenario(tree, tmp_path):
    site = tree["site_a"]
    session = make.session(make.program(site, title="品质生活+ 最后名额"), capacity=LAST_SEATS)
    people = [factories.member(site, f"职工{i}") for i in range(PEOPLE)]
    return session, people


def facts(session):
    def read():
        fresh = Session.objects.get(pk=session.pk)
        regs = Registration.objects.filter(session=session)
        seated_rows = regs.filter(status__in=SEATED_STATUSES).count()
        per_person = Counter(regs.filter(status__in=ACTIVE_STATUSES).values_list("person_id", flat=True))
        return {
            "capacity": fresh.capacity,
            "seated": fresh.seated,
            "seated_rows": seated_rows,
            "registrations": regs.count(),
            "most_per_person": max(per_person.values(), default=0),
            "positions": sorted(regs.filter(status="waitlisted").values_list("position", flat=True)),
        }

    return in_thread(read)


def test_no_oversell_and_no_double_sign_up(committed, tree, tmp_path):
    session, people = scenario(tree, tmp_path)
    with file_database(tmp_path):
        outcomes = race(session, people)
        seen = facts(session)
    assert sum(outcomes.values()) == ATTEMPTS
    assert outcomes["confirmed"] == LAST_SEATS, outcomes
    assert outcomes["waitlisted"] == PEOPLE - LAST_SEATS, outcomes
    assert outcomes["already"] == ATTEMPTS - PEOPLE, outcomes
    assert seen["seated"] == seen["seated_rows"] == LAST_SEATS == seen["capacity"]
    assert seen["registrations"] == PEOPLE and seen["most_per_person"] == 1
    # The waitlist is served in a strict order: positions 1..n, each once.
    assert seen["positions"] == list(range(1, PEOPLE - LAST_SEATS + 1))


def test_without_the_guard_the_same_race_oversells(committed, tree, tmp_path, settings):
    """PROGRAMS_SEAT_GUARD=False (honoured only under TESTING): the read-then-write code oversells."""
    assert settings.TESTING
    settings.PROGRAMS_SEAT_GUARD = False
    session, people = scenario(tree, tmp_path)
    with file_database(tmp_path):
        outcomes = race(session, people)
        seen = facts(session)
    print(f"guard off on {connection.vendor}: {dict(outcomes)}; {seen['seated_rows']} seated of {LAST_SEATS}")
    # More people were told "confirmed" and hold a seat than the session has.
    assert outcomes["confirmed"] > LAST_SEATS, outcomes
    assert seen["seated_rows"] > seen["capacity"], seen
    # The one-active-registration index is the database's, not the guard's: still no double sign-up.
    assert seen["most_per_person"] == 1
