"""Expire offers past their deadline and send the day-before reminders (run every minute from cron)."""

from django.core.management.base import BaseCommand

from programs.tasks import run_tick


class Command(BaseCommand):
    help = "Expire waitlist offers past their deadline (the seat moves on) and send day-before reminders."

    def handle(self, *args, **options):
        done = run_tick()
        self.stdout.write(
            f"offers expired: {done['offers_expired']}; reminders sent: {done['reminders_sent']}"
        )
