"""Expire offers past their deadline, send the day-before reminders and any notice still due (run every
minute from cron)."""

from django.core.management.base import BaseCommand

from programs.tasks import run_tick


class Command(BaseCommand):
    help = (
        "Expire waitlist offers past their deadline (the seat moves on), send day-before reminders and "
        "the sign-up notices still due."
    )

    def handle(self, *args, **options):
        done = run_tick()
        self.stdout.write(
            f"offers expired: {done['offers_expired']}; reminders sent: {done['reminders_sent']}; "
            f"notices sent: {done['notices_sent']}"
        )
