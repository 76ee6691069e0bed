"""Periodic work of the capacity engine, as django-tasks task functions.

`tick` expires offers past their deadline (moving the seat on), sends the day-before reminders and
whatever the notice outbox still holds (the sender a sign-up wakes normally empties it within
seconds; the tick is its safety net); each step is idempotent, so running it every minute (cron →
`manage.py programs_tick`, or a scheduler enqueueing `tick`) never double-acts.
"""

from django.utils import timezone
from django_tasks import task

from core.history import acting_as

from .services import notices, registrations


def run_tick(now=None) -> dict:
    now = now or timezone.now()
    return {
        "offers_expired": registrations.expire_offers(now),
        "reminders_sent": registrations.send_reminders(now),
        "notices_sent": notices.send_due(),
    }


@task()
def expire_offers_task() -> int:
    with acting_as(None, "task:programs.expire_offers"):
        return registrations.expire_offers()


@task()
def send_reminders_task() -> int:
    with acting_as(None, "task:programs.send_reminders"):
        return registrations.send_reminders()


@task()
def tick() -> dict:
    with acting_as(None, "task:programs.tick"):
        return run_tick()
