"""A data migration run on data: the waitlist counter starts after every position already given."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import Registration, Session
from programs.services import registrations as engine

from . import engine as make
from .test_race import committed  # noqa: F401 (fixture)

BEFORE, AFTER = ("programs", "0004_pending_notices"), ("programs", "0005_waitlist_counter")


def test_the_counter_starts_at_the_highest_position_given(committed, tree):  # noqa: F811
    site = tree["site_a"]
    session = make.session(make.program(site, title="插花课"), capacity=1)
    empty = make.session(make.program(site, title="观影"), capacity=5)
    for name in ("甲", "乙", "丙", "丁"):
        engine.sign_up(session, make.worker(site, name))
    # As the waitlist stood before the counter: positions 1..3, the last one since cancelled.
    engine.cancel(Registration.objects.get(session=session, position=3))
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])  # drops the column
        executor.loader.build_graph()
        executor.migrate([AFTER])  # adds it and counts
        counted = dict(Session.objects.values_list("pk", "last_position"))
    finally:
        # Statements this connection prepared before the table changed would fail once on it
        # ("cached plan must not change result type"), as after a deploy's migration: a new one.
        connection.close()
    assert counted == {session.pk: 3, empty.pk: 0}
