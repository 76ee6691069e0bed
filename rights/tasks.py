"""Periodic work of legal consultations, as django-tasks task functions.

`tick` escalates unanswered consultations past their response target and routes those still waiting
for a lawyer. Both steps are idempotent (a consultation is escalated once, by its escalated_at), so
running it every few minutes — cron → `manage.py rights_tick`, or a scheduler enqueueing `tick` —
never notifies twice.
"""

from django.utils import timezone
from django_tasks import task

from core.history import acting_as

from .services import legal


def run_tick(now=None) -> dict:
    from orgs.models import Union

    from .models import Consultation

    now = now or timezone.now()
    escalated = legal.escalate_overdue(now)
    routed = 0
    waiting = Consultation.objects.filter(status="submitted", lawyer__isnull=True).values("union_id")
    for union in Union.objects.filter(pk__in=waiting):
        routed += legal.route_waiting(union, now)
    return {"escalated": escalated, "routed": routed}


@task()
def tick() -> dict:
    with acting_as(None, "task:rights.tick"):
        return run_tick()
