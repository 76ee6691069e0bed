"""The engine's messages to workers: SMS and in-site messages through core.notify, logged per person.

The phone is decrypted only here, at the moment of sending; the log keeps its hash and mask.
Two ways out, neither of which sends anything for a step that rolls back:
- `queue()` inside the step's transaction: the text is written now and a background task
  (`send_notice_task`, django-tasks) is enqueued in the same transaction; the worker sends the SMS and
  the site message after the commit, so the request never waits for an SMS gateway (sign-up and the
  lottery draw do this);
- `send()` after the step's transaction has finished, in the request.
"""

import logging
from functools import partial

from django.db import connection, transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from core import notify
from core.compiled import Compiled
from core.history import acting_as

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


def _when(value) -> str:
    # The pages' format (their templates use the same text), in the language the message is written in.
    return dateformat.format(timezone.localtime(value), _("m月d日 H:i"))


def text(kind: str, registration) -> str:
    session, program = registration.session, registration.program
    base = {"title": program.title, "when": _when(session.starts_at), "place": session.place}
    if kind == "confirmed":
        return _("您已报名「%(title)s」，%(when)s 在%(place)s，票号 %(code)s，请按时到场签到。") % {
            **base,
            "code": registration.ticket_code or "",
        }
    if kind == "waitlisted":
        return _("「%(title)s」%(when)s 场次名额已满，您已进入候补第 %(position)s 位，有空位时会通知您。") % {
            **base,
            "position": PLACE_MARK,
        }
    if kind == "entered":
        return _("您已参与「%(title)s」%(when)s 场次的抽签，抽签结果将另行通知。") % base
    if kind == "offered":
        return _(
            "「%(title)s」%(when)s 场次有空位递补给您，请在 %(deadline)s 前登录确认，逾期将顺延给下一位。"
        ) % {**base, "deadline": _when(registration.offer_expires_at)}
    if kind == "reminder":
        return _("提醒：您报名的「%(title)s」将于 %(when)s 在%(place)s举行，票号 %(code)s。") % {
            **base,
            "code": registration.ticket_code or "",
        }
    if kind == "cancelled":
        return _("您报名的「%(title)s」%(when)s 场次已取消。") % base
    if kind == "not_drawn":
        return _("「%(title)s」%(when)s 场次抽签未中，您在候补第 %(position)s 位，有空位时会通知您。") % {
            **base,
            "position": PLACE_MARK,
        }
    if kind == "moved":
        return _("您报名的「%(title)s」已调整到 %(when)s 在%(place)s的场次。") % base
    raise ValueError(kind)


def send(registration, kind: str) -> None:
    """Tell the person by SMS (when a phone is on file) and by in-site message (when they have an account)."""
    _deliver(registration.person, kind, text(kind, registration), registration.pk)


def deferred() -> bool:
    """True when queued notices are rows of the database queue (django_tasks_db), written in the
    caller's transaction and run by a worker after the commit."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(send_notice_task.get_backend(), DatabaseBackend)


def queue(registration, kind: str) -> None:
    """Queue the notice; call it inside the step's transaction. The text is fixed now, as of this step
    (the ticket code), but for a waitlist place, counted when it is sent. The database queue's row
    commits or rolls back with the step; a backend that runs tasks at once (tests, one-process setups)
    runs it here, so callers queue once the step's outcome is certain; any other queue (Redis) gets it
    after the commit."""
    args = (registration.person_id, kind, text(kind, registration), registration.pk)
    if deferred() or isinstance(send_notice_task.get_backend(), ImmediateBackend):
        send_notice_task.enqueue(*args)
    else:
        transaction.on_commit(partial(send_notice_task.enqueue, *args))


def task_row(registration, kind: str):
    """The unsaved task row `queue()` would insert with the database backend (django_tasks_db), for a
    caller that writes it in the same statement as the registration; None with any other backend.
    The registration's id goes in as it is (None before the insert: the caller's statement fills
    it in where the text has a place to tell). After the statement, call `enqueued(row)`."""
    from django_tasks.utils import normalize_json
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = send_notice_task.get_backend()
    if type(backend) is not DatabaseBackend:
        return None
    task_ = send_notice_task
    backend.validate_task(task_)
    args = [registration.person_id, kind, text(kind, registration), registration.pk]
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": args, "kwargs": {}}),
        priority=task_.priority,
        task_path=task_.module_path,
        queue_name=task_.queue_name,
        run_after=task_.run_after,
        backend_name=backend.alias,
    )


def enqueued(row) -> None:
    """What the backend's enqueue() does after inserting its row: the signal. Its one receiver by
    default is the library's own, which logs at DEBUG; the TaskResult it is given costs as much Python
    to build as the row itself (a tenth of a sign-up's), so with nobody else listening and that log
    off, nothing is built: what the signal would have done is nothing."""
    from django_tasks.signals import log_task_enqueued, task_enqueued

    receivers = task_enqueued._live_receivers(type(send_notice_task.get_backend()))
    receivers = [receiver for group in receivers for receiver in group]  # (sync, async)
    if receivers == [log_task_enqueued] and not _tasks_log.isEnabledFor(logging.DEBUG):
        return
    task_enqueued.send(type(send_notice_task.get_backend()), task_result=row.task_result)


def _person_to_tell(person_id: int):
    from members.models import Person

    return Person.objects.select_related("user").filter(pk=person_id).order_by("pk")[:1]


# Compiled once per worker process: building the queryset was 40 % of a notice's Python in the worker.
_to_tell = Compiled(_person_to_tell)


@task()
def send_notice_task(person_id: int, kind: str, body: str, registration_id: int | None = None) -> None:
    """The worker's side of `queue()`: decrypt the phone, send, log per person. (Tasks queued before
    the registration's id was passed have three arguments and no place left to fill in.)"""
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
    code = f"programs.{kind}"
    inside_caller = connection.in_atomic_block  # then the caller's commit is not ours to relax
    with transaction.atomic():  # both log rows in one commit
        if connection.vendor == "postgresql" and not inside_caller:
            # The step itself committed durably before this (and a queued notice's task row is marked
            # done by a flushed commit after it); the log of the message need not wait for its own
            # WAL flush (a crash may lose the last ~0.5 s of log rows, never corrupt anything).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        _send(person, kind, code, body)


def _send(person, kind: str, code: str, body: str) -> None:
    if person.phone_cipher:
        try:
            phone = person.decrypted("phone")
        except Exception:  # an undecryptable phone must not break a sign-up; the log says so
            log.warning("programs notice: phone of person %s could not be decrypted", person.pk)
            phone = ""
        if phone:
            notify.send_sms(phone, body, kind=code, user=person.user)
    if person.user_id:
        notify.send_site_message(person.user, str(KINDS[kind]), body, kind=code)
