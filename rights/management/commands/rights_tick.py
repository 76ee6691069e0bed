"""Escalate overdue legal consultations and route waiting ones (run every 5 minutes from cron)."""

from django.core.management.base import BaseCommand

from core.history import acting_as
from rights.tasks import run_tick


class Command(BaseCommand):
    help = (
        "Escalate unanswered legal consultations past their response target to the union's rights "
        "officials (once each) and route consultations still waiting for a lawyer."
    )

    def handle(self, *args, **options):
        with acting_as(None, "command:rights_tick"):
            done = run_tick()
        self.stdout.write(f"escalated: {done['escalated']}; routed: {done['routed']}")
