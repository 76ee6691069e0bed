"""Sign-up with the database task queue (as deployed): on PostgreSQL a seat, the registration, its
history row, its notice in the outbox and (when none waits) the sender's task row are written by one
statement; the notices go out when the worker runs the sender. The rest of the suite runs tasks at
once (the immediate backend), so this file switches to the database backend for its tests."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import HistoryEntry, Notification
from programs.models import PendingNotice, Program, Registration, Session
from programs.services import notices
from programs.services import registrations as engine

from .. import factories
from . import engine as make
from .test_race import committed, file_database, race  # noqa: F401 (fixture)


@pytest.fixture
def db_queue(settings):
    """The database task backend (setting_changed resets django-tasks' handler; the fixture restores)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


SENDER = notices.send_due_task.module_path


def run_queue():
    """What the worker does: run each waiting task and mark it done."""
    for row in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        row.task.call(*row.task_result.args, **row.task_result.kwargs)
        DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL")


def senders_waiting() -> int:
    return DBTaskResult.objects.filter(status="READY", task_path=SENDER).count()


def test_confirmed_waitlisted_and_already_with_the_queue(db, db_queue, tree):
    assert notices.deferred()
    site = tree["site_a"]
    session = make.session(make.program(site, title="插花课"), capacity=1)
    first, second = make.worker(site, "甲"), make.worker(site, "乙")
    mine = engine.sign_up(session, first)
    assert mine.status == "confirmed" and mine.pk and mine.ticket_code
    stored = Registration.objects.get(pk=mine.pk)
    assert (stored.status, stored.ticket_code) == ("confirmed", mine.ticket_code)
    assert Session.objects.get(pk=session.pk).seated == 1
    history = HistoryEntry.objects.get(
        content_type__model="registration", object_id=str(mine.pk), kind="created"
    )
    assert history.changes["id"] == [None, mine.pk] and history.changes["status"] == [None, "confirmed"]
    with pytest.raises(ValidationError, match="已报名"):
        engine.sign_up(session, first)
    assert Session.objects.get(pk=session.pk).seated == 1
    theirs = engine.sign_up(session, second)
    assert (theirs.status, theirs.position) == ("waitlisted", 1)
    # Nothing sent yet: two notices in the outbox and one sender's task (the first sign-up's wake-up;
    # the second found it waiting) for the worker; no task row per sign-up.
    assert not Notification.objects.exists()
    assert sorted(PendingNotice.objects.values_list("registration_id", "kind")) == [
        (mine.pk, "confirmed"),
        (theirs.pk, "waitlisted"),
    ]
    assert DBTaskResult.objects.filter(status="READY").count() == senders_waiting() == 1
    # On PostgreSQL the sign-up's statement wrote that task (its values as literals in the text): the
    # same row as the library's enqueue() writes.
    written = DBTaskResult.objects.get(status="READY", task_path=SENDER)
    enqueued = DBTaskResult.objects.get(pk=notices.send_due_task.enqueue().id)
    fields = DBTaskResult._meta.concrete_fields
    columns = [f.attname for f in fields if f.attname not in ("id", "enqueued_at")]
    assert [getattr(written, c) for c in columns] == [getattr(enqueued, c) for c in columns]
    enqueued.delete()
    run_queue()
    assert not PendingNotice.objects.exists()
    sent = set(Notification.objects.values_list("user_id", "channel", "kind"))
    assert sent == {
        (first.user_id, "sms", "programs.confirmed"),
        (first.user_id, "site", "programs.confirmed"),
        (second.user_id, "sms", "programs.waitlisted"),
        (second.user_id, "site", "programs.waitlisted"),
    }
    # The saved registration behaves as one saved the usual way: a change is recorded as a change.
    engine.cancel(mine)
    assert HistoryEntry.objects.filter(
        content_type__model="registration", object_id=str(mine.pk), kind="changed"
    ).exists()


def test_a_seat_freed_after_the_session_was_read_full_is_taken(db, db_queue, tree):
    # The session read full, then a seat came free: the waitlist's one-round-trip insert (PostgreSQL)
    # writes nothing and the sign-up takes the seat; the person is confirmed, not waitlisted.
    site = tree["site_a"]
    session = make.session(make.program(site, title="空出名额"), capacity=1)
    first, second = make.worker(site, "甲"), make.worker(site, "乙")
    mine = engine.sign_up(session, first)
    stale = Session.objects.select_related("program").get(pk=session.pk)
    assert stale.seated == stale.capacity == 1
    engine.cancel(mine)
    assert Session.objects.get(pk=session.pk).seated == 0
    theirs = engine.sign_up(stale, second)
    assert (theirs.status, theirs.position) == ("confirmed", None)
    assert Registration.objects.filter(session=session, person=second).get().status == "confirmed"
    assert Session.objects.get(pk=session.pk).seated == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_race_with_the_queue_neither_oversells_nor_doubles(committed, db_queue, tree, tmp_path):  # noqa: F811
    site = tree["site_a"]
    session = make.session(make.program(site, title="最后名额"), capacity=5)
    people = [factories.member(site, f"职工{i}") for i in range(60)]
    with file_database(tmp_path):
        outcomes = race(session, people)
    assert outcomes["confirmed"] == 5 and outcomes["waitlisted"] == 55 and outcomes["already"] == 60, outcomes
    fresh = Session.objects.get(pk=session.pk)
    assert fresh.seated == Registration.objects.filter(session=session, status="confirmed").count() == 5
    positions = sorted(
        Registration.objects.filter(session=session, status="waitlisted").values_list("position", flat=True)
    )
    assert positions == list(range(1, 56))
    assert PendingNotice.objects.count() == 60
    # At least one sender waits; statements that ran side by side may each have written one.
    assert senders_waiting() >= 1
    run_queue()
    assert not PendingNotice.objects.exists()
    assert Notification.objects.filter(channel="sms", kind="programs.waitlisted").count() == 55
    assert connection.vendor == "postgresql"


def test_a_waitlist_text_tells_the_place_when_it_is_sent(db, db_queue, tree):
    # Three waitlisted while the worker is busy; the first leaves before the texts go out. The others'
    # texts tell their places then (1 and 2, as their pages show), not their stored positions (2 and 3),
    # and the one who left is not told "you are on the waitlist".
    site = tree["site_a"]
    session = make.session(make.program(site, title="候补名次"), capacity=1)
    seated, *waiting = [make.worker(site, name) for name in ("甲", "乙", "丙", "丁")]
    engine.sign_up(session, seated)
    first, second, third = (engine.sign_up(session, person) for person in waiting)
    assert [r.position for r in (first, second, third)] == [1, 2, 3]
    engine.leave_waitlist(first)
    run_queue()

    def waitlist_texts(person):
        return list(
            Notification.objects.filter(
                user_id=person.user_id, kind="programs.waitlisted", channel="sms"
            ).values_list("body", flat=True)
        )

    assert waitlist_texts(waiting[0]) == []
    (told_second,) = waitlist_texts(waiting[1])
    (told_third,) = waitlist_texts(waiting[2])
    assert "候补第 1 位" in told_second and "候补第 2 位" in told_third
    assert notices.PLACE_MARK not in told_second + told_third
    assert [engine.place(Registration.objects.get(pk=r.pk)) for r in (second, third)] == [1, 2]


def test_places_of_a_batch_are_the_places_each_would_be_told(db, tree):
    # The sender reads a batch's places in one pass over their queues: the same places as counting
    # those ahead of each, across sessions and gaps; the seated and those who left get none.
    from programs.services import seats

    site = tree["site_a"]
    sessions = [make.session(make.program(site, title=f"候补{i}"), capacity=1) for i in range(2)]
    made = []
    for number, session in enumerate(sessions):
        for i in range(5):
            made.append(engine.sign_up(session, make.worker(site, f"职工{number}{i}")))
    engine.leave_waitlist(made[2])  # a gap in the first queue
    engine.leave_waitlist(made[6])  # and in the second
    ids = [r.pk for r in made]
    waiting = Registration.objects.filter(pk__in=ids, status="waitlisted")
    expected = dict(seats.with_place(waiting).values_list("pk", "place"))
    assert seats.places_of(ids) == expected
    assert sorted(expected.values()) == [1, 1, 2, 2, 3, 3]
    assert seats.places_of(ids[:2]) == {made[1].pk: 1}


def test_a_draw_queues_its_texts_and_the_worker_tells_each_place(db, db_queue, tree):
    # The draw queues a notice per entry in its own transaction and sends nothing itself; the worker
    # tells the winners their ticket and the rest their place in the drawn order.
    site = tree["site_a"]
    prog = make.program(site, mode="lottery", title="免费电影")
    session = make.session(prog, capacity=1)
    people = [make.worker(site, f"观众{i}") for i in range(4)]
    for person in people:
        engine.sign_up(session, person)
    run_queue()  # the "entered" texts
    Notification.objects.all().delete()
    DBTaskResult.objects.all().delete()
    Program.objects.filter(pk=prog.pk).update(signup_closes_at=timezone.now() - datetime.timedelta(seconds=1))
    prog.refresh_from_db()
    engine.draw_lottery(prog, by=factories.official("service_a", "service", tree["district"]), seed="s")
    assert not Notification.objects.exists()
    assert PendingNotice.objects.count() == 4 and senders_waiting() == 1
    run_queue()
    by_rank = Registration.objects.filter(session=session).order_by("draw_rank")
    texts = [Notification.objects.get(user_id=r.person.user_id, channel="sms").body for r in by_rank]
    assert "票号" in texts[0]
    assert ["候补第 1 位" in texts[1], "候补第 2 位" in texts[2], "候补第 3 位" in texts[3]] == [True] * 3


def test_the_enqueued_signal_reaches_whoever_listens(db, db_queue, tree, caplog):
    """The one-statement sign-up writes the sender's task row itself and skips building the signal's
    TaskResult only when nobody would see it: a receiver of our own hears each row written (as a seat
    and as a waitlist place), and so does the library's log at DEBUG."""
    from django_tasks.signals import task_enqueued

    site = tree["site_a"]
    session = make.session(make.program(site, title="信号"), capacity=1)
    heard = []

    def listener(sender, task_result, **kwargs):
        heard.append(str(task_result.id))

    task_enqueued.connect(listener)
    try:
        for name in ("甲", "乙"):  # as a request reads it: the session as of now
            engine.sign_up(
                Session.objects.select_related("program").get(pk=session.pk), make.worker(site, name)
            )
            run_queue()  # the sender ran: the next sign-up wakes a new one
    finally:
        task_enqueued.disconnect(listener)
    assert sorted(heard) == sorted(str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True))
    assert len(heard) == 2
    with caplog.at_level("DEBUG", logger="django_tasks"):
        engine.sign_up(session, make.worker(site, "丙"))
    assert any("enqueued" in record.getMessage() for record in caplog.records)


def test_the_sender_sends_each_notice_once_in_batches(db, db_queue, tree):
    # Five notices, batches of two: one sender empties the outbox in three claims; a second sender
    # (another worker) finds nothing left, and nobody is told twice.
    site = tree["site_a"]
    session = make.session(make.program(site, title="分批"), capacity=3)
    people = [make.worker(site, f"职工{i}") for i in range(5)]
    for person in people:
        engine.sign_up(session, person)
    assert PendingNotice.objects.count() == 5
    assert notices.send_due(batch=2) == 5
    assert notices.send_due(batch=2) == 0
    assert not PendingNotice.objects.exists()
    for person in people:
        assert Notification.objects.filter(user_id=person.user_id, channel="sms").count() == 1


def test_two_senders_claim_different_notices(committed, db_queue, tree):  # noqa: F811
    # A sender holds its batch (its claim not yet committed): a second sender skips those rows and takes
    # the rest, and when the first gives its batch back (a rollback), the notices are there again.
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite runs one writer at a time)")
    import threading

    from django.db import connections, transaction

    site = tree["site_a"]
    session = make.session(make.program(site, title="两个发送者"), capacity=2)
    for i in range(4):
        engine.sign_up(session, make.worker(site, f"职工{i}"))
    held, release, first = threading.Event(), threading.Event(), []

    def other_sender():
        try:
            with transaction.atomic():
                first.extend(notices._claim(2))
                held.set()
                release.wait(10)
                transaction.set_rollback(True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_sender)
    thread.start()
    try:
        assert held.wait(10)
        second = notices._claim(10)
    finally:
        release.set()
        thread.join(10)
    ids = sorted(PendingNotice.objects.values_list("pk", flat=True))
    assert len(first) == len(second) == 2 and not {r[0] for r in first} & {r[0] for r in second}
    assert sorted(r[0] for r in first) == ids  # given back


def test_the_sender_reads_a_batch_in_as_many_queries_whatever_its_size(db, db_queue, tree):
    # A column the sender forgot to load (it loads only what a text needs) would be read per notice.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site = tree["site_a"]
    counts = []
    for size in (2, 6):
        session = make.session(make.program(site, title=f"批量{size}"), capacity=3)
        for i in range(size):
            engine.sign_up(session, make.worker(site, f"职工{size}-{i}"))
        with CaptureQueriesContext(connection) as queries:
            assert notices.send_due() == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_notice_that_is_no_longer_true_is_not_sent(db, db_queue, tree):
    # Cancelled before the sender ran: "报名成功，票号…" would be false; the cancellation is told.
    site = tree["site_a"]
    session = make.session(make.program(site, title="已取消"), capacity=1)
    person = make.worker(site, "甲")
    engine.cancel(engine.sign_up(session, person))
    run_queue()
    assert list(Notification.objects.filter(channel="sms").values_list("kind", flat=True)) == [
        "programs.cancelled"
    ]


def test_the_minute_tick_sends_what_no_sender_took(db, db_queue, tree):
    # A sender's task lost (or a sign-up that committed just after the sender's last claim): the tick
    # empties the outbox.
    from programs.tasks import run_tick

    site = tree["site_a"]
    session = make.session(make.program(site, title="兜底"), capacity=5)
    person = make.worker(site, "甲")
    engine.sign_up(session, person)
    DBTaskResult.objects.all().delete()
    assert run_tick()["notices_sent"] == 1
    assert Notification.objects.filter(user_id=person.user_id, kind="programs.confirmed").count() == 2
    assert not PendingNotice.objects.exists()


def test_a_waitlist_notice_with_no_place_to_tell_costs_the_batch_nothing(db, db_queue, tree):
    # A waitlisted registration without a position (data repaired by hand): its text has no true place
    # to tell and is not sent; the batch's other notices still go out.
    site = tree["site_a"]
    session = make.session(make.program(site, title="候补无名次"), capacity=1)
    seated, waiting = make.worker(site, "甲"), make.worker(site, "乙")
    engine.sign_up(session, seated)
    engine.sign_up(session, waiting)
    Registration.objects.filter(person=waiting).update(position=None)
    assert notices.send_due() == 1
    assert not PendingNotice.objects.exists()
    assert set(Notification.objects.values_list("user_id", "kind")) == {
        (seated.user_id, "programs.confirmed")
    }


def test_without_database_constraints_the_orm_still_guards_the_outbox_and_history(db, db_queue, tree):
    # The outbox's registration and the history's content type have no constraint in the database
    # (their checks cost every sign-up's commit); deleting through the ORM still cascades or refuses.
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import ProtectedError

    session = make.session(make.program(tree["site_a"], title="约束"), capacity=2)
    registration = engine.sign_up(session, make.worker(tree["site_a"], "甲"))
    assert PendingNotice.objects.filter(registration=registration).exists()
    PendingNotice.objects.filter(registration=registration).first().registration.delete()
    assert not PendingNotice.objects.filter(registration_id=registration.pk).exists()
    with pytest.raises(ProtectedError):
        ContentType.objects.get_for_model(Registration).delete()


def test_insert_select_prepares_each_value_as_the_field_would(db, tree):
    # The one statement's values skip the field's preparation for common types (text, ids, integers,
    # aware times): each must be what get_db_prep_save gives, type included (psycopg's Int4 for an
    # integer column on PostgreSQL), for every field and for the values that take the field's way.
    import zoneinfo

    from programs.services import seats

    site = tree["site_a"]
    session = make.session(make.program(site), capacity=3)
    person = make.worker(site)
    shanghai = datetime.datetime(2026, 12, 3, 18, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    now = timezone.now()
    sign_up = {"program": session.program, "session": session, "person": person, "holder": "p1"}
    objects = [
        Registration(
            **sign_up,
            status="confirmed",
            ticket_code="ABCDEFGH",
            signed_up_at=shanghai,
            position=3,
            draw_rank=0,
        ),
        Registration(**sign_up, status="waitlisted", signed_up_at=now, offer_expires_at=now),
        HistoryEntry(kind="created", object_id="1", object_repr="x", changes={"a": [None, 1]}, actor_id=None),
    ]
    for obj in objects:
        model = type(obj)
        _, params = seats.insert_select(model, obj, "src")
        expected = []
        for field in model._meta.local_concrete_fields:
            if field.primary_key:
                continue
            value = getattr(obj, field.attname)  # an auto_now time as insert_select's pre_save set it
            prepared = None if value is None and field.null else field.get_db_prep_save(value, connection)
            # A choice (the channel's default, a str subclass) goes as its plain text: the same value.
            expected.append(str.__str__(prepared) if isinstance(prepared, str) else prepared)
        same = [
            (a == b or (hasattr(a, "obj") and a.obj == b.obj)) and type(a) is type(b)
            for a, b in zip(params, expected, strict=True)
        ]
        assert all(same), [(a, b) for a, b, ok in zip(params, expected, same, strict=True) if not ok]
    # A naive time goes the field's way (made aware, with Django's warning), as save() would.
    naive = Registration(**sign_up, signed_up_at=datetime.datetime(2026, 12, 3, 18, 30))
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        _, params = seats.insert_select(Registration, naive, "src")
    field = Registration._meta.get_field("signed_up_at")
    assert field.get_db_prep_save(timezone.make_aware(naive.signed_up_at), connection) in params
