"""The engine's messages to workers: SMS and in-site messages through core.notify, logged per person.

The phone is decrypted only here, at the moment of sending; the log keeps its hash and mask.
Two ways out, neither of which sends anything for a step that rolls back:
- `queue()` inside the step's transaction: a row of the outbox (PendingNotice) commits with the step
  and the sender (`send_due`, a background task woken by `wake`, and the minute tick) sends it
  afterwards in a batch with others, so the request never waits for an SMS gateway and a sign-up
  costs no task row of its own (sign-up and the lottery draw do this; the hottest sign-ups write the
  row and the wake-up in their one statement: `outbox_sql`);
- `send()` after the step's transaction has finished, in the request.
"""

import datetime
import functools
import logging
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_lazy
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from core import notify, pii
from core.compiled import Compiled
from core.history import acting_as

from ..choices import RegistrationStatus
from ..models import PendingNotice, Registration
from . import seats

log = logging.getLogger(__name__)
_tasks_log = logging.getLogger("django_tasks")

KINDS = {
    "confirmed": gettext_lazy("报名成功"),
    "waitlisted": gettext_lazy("已进入候补"),
    "entered": gettext_lazy("已参与抽签"),
    "offered": gettext_lazy("候补递补通知"),
    "reminder": gettext_lazy("活动提醒"),
    "cancelled": gettext_lazy("报名已取消"),
    "not_drawn": gettext_lazy("抽签结果"),
    "moved": gettext_lazy("场次变更"),
}


# Stands for the place in a waitlist text until it is sent: the place is counted then (those ahead + 1,
# as the pages show it), not when the text is written, and people ahead may have left in between.
PLACE_MARK = "\u2063place\u2063"


# Each kind's text. Translated once per language (_wording): gettext, three calls a notice, was a tenth
# of the sender's Python.
TEXTS = {
    "confirmed": gettext_lazy("您已报名「%(title)s」，%(when)s 在%(place)s，票号 %(code)s，请按时到场签到。"),
    "waitlisted": gettext_lazy(
        "「%(title)s」%(when)s 场次名额已满，您已进入候补第 %(position)s 位，有空位时会通知您。"
    ),
    "entered": gettext_lazy("您已参与「%(title)s」%(when)s 场次的抽签，抽签结果将另行通知。"),
    "offered": gettext_lazy(
        "「%(title)s」%(when)s 场次有空位递补给您，请在 %(deadline)s 前登录确认，逾期将顺延给下一位。"
    ),
    "reminder": gettext_lazy("提醒：您报名的「%(title)s」将于 %(when)s 在%(place)s举行，票号 %(code)s。"),
    "cancelled": gettext_lazy("您报名的「%(title)s」%(when)s 场次已取消。"),
    "not_drawn": gettext_lazy(
        "「%(title)s」%(when)s 场次抽签未中，您在候补第 %(position)s 位，有空位时会通知您。"
    ),
    "moved": gettext_lazy("您报名的「%(title)s」已调整到 %(when)s 在%(place)s的场次。"),
}
# The pages' format of a time (their templates use the same text).
WHEN = gettext_lazy("m月d日 H:i")


class Wording(NamedTuple):
    texts: dict[str, str]
    subjects: dict[str, str]
    when: str


@functools.lru_cache(maxsize=16)
def _wording(language: str | None) -> Wording:
    with translation.override(language):
        return Wording(
            {kind: str(template) for kind, template in TEXTS.items()},
            {kind: str(subject) for kind, subject in KINDS.items()},
            str(WHEN),
        )


def wording() -> Wording:
    """The notices' texts in the active language."""
    return _wording(translation.get_language())


@functools.lru_cache(maxsize=256)
def _formatted(value, form: str, zone) -> str:
    # A sender's batch tells many people of the same few sessions: each time is formatted once
    # (Django's dateformat was a fifth of a notice's Python).
    return dateformat.format(timezone.localtime(value, zone), form)


class About(NamedTuple):
    """What a notice says of a registration: its program, session, ticket and offer."""

    title: str
    starts_at: datetime.datetime
    place: str
    ticket_code: str | None
    offer_expires_at: datetime.datetime | None


def about(registration) -> About:
    session = registration.session
    return About(
        registration.program.title,
        session.starts_at,
        session.place,
        registration.ticket_code,
        registration.offer_expires_at,
    )


def text(kind: str, told: About) -> str:
    """The notice of this kind, in the active language; a waitlist place stands as PLACE_MARK."""
    words = wording()
    if kind not in words.texts:
        raise ValueError(kind)
    zone = timezone.get_current_timezone()
    values = {
        "title": told.title,
        "when": _formatted(told.starts_at, words.when, zone),
        "place": told.place,
        "code": told.ticket_code or "",
        "position": PLACE_MARK,
    }
    if kind == "offered":
        values["deadline"] = _formatted(told.offer_expires_at, words.when, zone)
    return words.texts[kind] % values


def send(registration, kind: str) -> None:
    """Tell the person by SMS (when a phone is on file) and by in-site message (when they have an account)."""
    _deliver(registration.person, kind, text(kind, about(registration)), registration.pk)


def deferred() -> bool:
    """True when the notice sender's wake-up is a row of the database queue (django_tasks_db), written
    in the caller's transaction and run by a worker after the commit."""
    return _database_queue(send_due_task.get_backend())


def _database_queue(backend) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def queue(registration, kind: str) -> None:
    """Queue the notice inside the step's transaction: a row of the outbox (PendingNotice), which
    commits or rolls back with the step, and a wake-up of the sender (`wake`). The text is written
    when it is sent, as things are then. A backend that runs tasks at once (tests, one-process setups)
    sends here, so callers queue once the step's outcome is certain."""
    queue_many([(registration, kind)])


def queue_many(pairs) -> None:
    """queue() for many (registration, kind) at once: one insert, one wake-up (a lottery draw)."""
    PendingNotice.objects.bulk_create(
        [PendingNotice(registration_id=registration.pk, kind=kind) for registration, kind in pairs],
        batch_size=1000,
    )
    wake()


def wake() -> None:
    """See that a sender runs after the commit: with the database queue, its task row in the caller's
    transaction unless one is already waiting (that one will find this notice too); with a backend
    that runs tasks at once, the sender now; with any other queue (Redis), one after the commit."""
    backend = send_due_task.get_backend()
    if deferred():
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(status="READY", task_path=send_due_task.module_path)
        if not waiting.exists():
            send_due_task.enqueue()
    elif isinstance(backend, ImmediateBackend):
        send_due_task.enqueue()
    else:
        transaction.on_commit(send_due_task.enqueue)


class OutboxSql(NamedTuple):
    """CTEs for a statement that inserts registrations: see outbox_sql."""

    sql: str
    params: tuple
    woke: bool  # the wake-up is in it: the statement's `wake` CTE returns the task's id, if written


def outbox_sql(kind: str, source: str = "reg") -> OutboxSql:
    """For one statement that inserts registrations (its CTE `source` returns their ids): CTEs that
    queue their notices as queue() would, the outbox rows and, with the database queue, the sender's
    task row unless one is waiting (`wake`). After the statement, call queued() with what `wake`
    returned."""
    return _outbox_sql(kind, source, send_due_task.get_backend(), connection.vendor)


@functools.cache
def _outbox_sql(kind: str, source: str, backend, vendor: str) -> OutboxSql:
    """outbox_sql's CTEs, the same for every statement of a kind: built once per process and backend."""
    notice_table = connection.ops.quote_name(PendingNotice._meta.db_table)
    sql = f"notice AS (INSERT INTO {notice_table} (registration_id, kind) SELECT id, %s FROM {source})"  # noqa: S608
    if not _database_queue(backend) or vendor != "postgresql":
        return OutboxSql(sql, (kind,), False)
    return OutboxSql(f"{sql}, wake AS ({_wake_sql(backend.alias, source)} RETURNING id)", (kind,), True)


@functools.cache
def _wake_sql(alias: str, source: str) -> str:
    """The sender's task row as the backend's enqueue() writes it, in SQL (the same for every sign-up:
    built once per process), inserted only when no sender's task is waiting. Its values, the same
    every time, are written into the text as literals (psycopg quotes them): a sign-up's statement
    sends a third fewer values, each looked up and converted at every run."""
    from django_tasks.utils import normalize_json
    from django_tasks_db.models import DBTaskResult

    backend = send_due_task.get_backend()
    backend.validate_task(send_due_task)
    row = DBTaskResult(
        args_kwargs=normalize_json({"args": [], "kwargs": {}}),
        priority=send_due_task.priority,
        task_path=send_due_task.module_path,
        queue_name=send_due_task.queue_name,
        run_after=send_due_task.run_after,
        backend_name=alias,
    )
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    waiting = f"SELECT 1 FROM {table} WHERE status = 'READY' AND task_path = %s"  # noqa: S608
    sql, params = seats.insert_select(
        DBTaskResult,
        row,
        f"(SELECT 1 FROM {source} LIMIT 1) AS one WHERE NOT EXISTS ({waiting})",  # noqa: S608 (names)
        {"id": ("gen_random_uuid()", []), "enqueued_at": ("statement_timestamp()", [])},
        source_params=[send_due_task.module_path],
    )
    # The statement it joins has placeholders of its own: a literal's "%" is doubled.
    return connection.ops.compose_sql(sql, params).replace("%", "%%")


def queued(outbox: OutboxSql, task_id) -> None:
    """After a statement with outbox_sql's CTEs has run: the sender's wake-up, told of (`woken`) when
    the statement wrote it, else done now."""
    if outbox.woke:
        woken(task_id)
    else:
        wake()


def woken(task_id) -> None:
    """After a statement from outbox_sql() wrote the sender's task row: what the backend's enqueue()
    does after inserting a row, the signal. Its one receiver by default is the library's own, which
    logs at DEBUG; with nobody else listening and that log off, there is nothing to do (and no row to
    read back)."""
    from django_tasks.signals import log_task_enqueued, task_enqueued
    from django_tasks_db.models import DBTaskResult

    if task_id is None:
        return
    sender = type(send_due_task.get_backend())
    receivers = [receiver for group in task_enqueued._live_receivers(sender) for receiver in group]
    if receivers == [log_task_enqueued] and not _tasks_log.isEnabledFor(logging.DEBUG):
        return
    task_enqueued.send(sender, task_result=DBTaskResult.objects.get(pk=task_id).task_result)


# Each claim takes this many notices; a sender holds them (and nobody else does) until they are sent.
BATCH = 200
# A notice is still true when its registration is still in one of these statuses.
STILL_TRUE = {
    "confirmed": (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED),
    "waitlisted": (RegistrationStatus.WAITLISTED,),
    "not_drawn": (RegistrationStatus.WAITLISTED,),
    "entered": (RegistrationStatus.ENTERED,),
}


# What text() and _send() read of a notice's registration, as plain values (model instances were a
# quarter of the sender's Python): its id and status, then About's fields, then the person's.
_TOLD = (
    "pk",
    "status",
    "program__title",
    "session__starts_at",
    "session__place",
    "ticket_code",
    "offer_expires_at",
    "person_id",
    "person__phone_cipher",
    "person__user_id",
)


def _still_true(kind: str, status: str) -> bool:
    return status in STILL_TRUE.get(kind, (status,))


def send_due(batch: int = BATCH) -> int:
    """Send the outbox's notices until it is empty; returns how many were sent. Each batch is claimed
    (its rows deleted, skipping rows another sender holds) in a short transaction of its own, then
    sent: a notice goes out at most once, and a sender on another worker takes other batches."""
    sent = 0
    while claimed := _claim(batch):
        sent += _send_batch(claimed)
    return sent


def _claim(batch: int) -> list[tuple[int, int, str]]:
    """Delete the oldest `batch` notices nobody else holds and return them (id, registration id, kind):
    one statement. The ORM's delete() read the rows back as instances to send post_delete for each
    (core.history listens to every model's), a fifth of the sender's Python; nothing tracks the outbox."""
    table = connection.ops.quote_name(PendingNotice._meta.db_table)
    # SQLite has no row locks and runs one writer at a time: there, the oldest are nobody else's.
    skip = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    sql = (
        f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY id LIMIT %s{skip}) "  # noqa: S608
        "RETURNING id, registration_id, kind"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [batch])
        return sorted(cursor.fetchall())  # RETURNING's order is not the table's


def _send_batch(claimed) -> int:
    ids = [registration_id for _, registration_id, _ in claimed]
    found = {row[0]: row for row in Registration.objects.filter(pk__in=ids).order_by().values_list(*_TOLD)}
    places = seats.places_of(ids)
    sent = 0
    with transaction.atomic(), notify.logged_together():  # the batch's log rows: one insert, one commit
        _relax_commit()
        for _, registration_id, kind in claimed:
            row = found.get(registration_id)
            body = text(kind, About(*row[2:7])) if row is not None else None
            if body is not None and PLACE_MARK in body:
                place = places.get(registration_id)  # none without a position: no place to tell
                body = body.replace(PLACE_MARK, str(place)) if place is not None else None
            if body is None or not _still_true(kind, row[1]):
                # Cancelled, offered, moved or drawn before this went out: it would no longer be true,
                # and the notice of what happened instead is theirs already or coming.
                log.info("programs notice %s: registration %s has moved on, not sent", kind, registration_id)
                continue
            person_id, phone_cipher, user_id = row[7:]
            try:
                _send(person_id, phone_cipher, user_id, kind, body)
            except Exception:  # one bad record must not cost the rest of the batch their notices
                log.exception("programs notice %s: registration %s not sent", kind, registration_id)
                continue
            sent += 1
    return sent


@task()
def send_due_task() -> int:
    """The worker's side of the outbox (queued by `wake`; the minute tick runs send_due too)."""
    with acting_as(None, "task:programs.notice"):
        return send_due()


def _person_to_tell(person_id: int):
    from members.models import Person

    return Person.objects.select_related("user").filter(pk=person_id).order_by("pk")[:1]


# Compiled once per worker process: building the queryset was 40 % of a notice's Python in the worker.
_to_tell = Compiled(_person_to_tell)


@task()
def send_notice_task(person_id: int, kind: str, body: str, registration_id: int | None = None) -> None:
    """A notice queued as a task of its own before the outbox (2026-11-30): such rows may still wait in
    a queue when a deployment upgrades, so the worker must still know them. (Tasks queued before the
    registration's id was passed have three arguments and no place left to fill in.)"""
    person = _to_tell.first(person_id)
    if person is None:  # erased meanwhile: nobody to tell
        return
    with acting_as(None, "task:programs.notice"):
        _deliver(person, kind, body, registration_id)


def _deliver(person, kind: str, body: str, registration_id: int | None) -> None:
    if PLACE_MARK in body:
        place = seats.place_of(registration_id) if registration_id else None
        if place is None:
            # Offered a seat, left or moved before this went out: "you are on the waitlist" would no
            # longer be true, and the notice of what happened instead is theirs already or coming.
            log.info("programs notice %s: registration %s no longer waiting, not sent", kind, registration_id)
            return
        body = body.replace(PLACE_MARK, str(place))
    with transaction.atomic():  # both log rows in one commit
        _relax_commit()
        _send(person.pk, person.phone_cipher, person.user_id, kind, body)


def _relax_commit() -> None:
    """Call first inside the transaction that logs sent messages. The step itself committed durably
    before this; the log of the messages need not wait for its own WAL flush (a crash may lose the
    last ~0.5 s of log rows, never corrupt anything). Inside a caller's transaction the commit is not
    ours to relax (an outermost atomic block has no savepoint ids)."""
    if connection.vendor == "postgresql" and not connection.savepoint_ids:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _send(person_id: int, phone_cipher: str, user_id: int | None, kind: str, body: str) -> None:
    code = f"programs.{kind}"
    if phone_cipher:
        try:
            phone = pii.decrypt(phone_cipher)
        except Exception:  # an undecryptable phone must not break a sign-up; the log says so
            log.warning("programs notice: phone of person %s could not be decrypted", person_id)
            phone = ""
        if phone:
            notify.send_sms(phone, body, kind=code, user=user_id)
    if user_id:
        notify.send_site_message(user_id, wording().subjects[kind], body, kind=code)
