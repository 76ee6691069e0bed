"""Move stored personal data to new keys.

Changing the encryption key (the site keeps running):
  1. NIANGJIA_PII_KEYS="<new>,<old>", restart: new data is written under <new>, old data still reads.
  2. manage.py rotate_pii_keys — re-encrypts every ciphertext under <new>; safe to stop and re-run.
  3. NIANGJIA_PII_KEYS="<new>", restart: the old key is gone.

Changing the HMAC key behind the lookup hashes (stop the web processes first: until the hashes
are moved, a search by ID number or phone finds nobody and a worker signing in would be
registered a second time):
  1. NIANGJIA_PII_HMAC_KEY="<new>" and NIANGJIA_PII_HMAC_KEY_OLD="<old>".
  2. manage.py rotate_pii_keys --rehash — hashes beside a ciphertext are recomputed from it with
     the new key; hashes kept without one (the SMS log's phone hashes) are remapped, which is
     what the old key is needed for.
  3. Unset NIANGJIA_PII_HMAC_KEY_OLD and start again. One-time codes pending at that moment stop
     working, and the hourly per-number and per-IP code limits start afresh.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import JobStatus
from core.history import acting_as, record_action
from core.jobs import Progress
from core.models import Job
from core.pii_rotation import UnreadableCiphertext, rotate_keys, rows_to_visit


class Command(BaseCommand):
    help = "Re-encrypt personal data under the first key of NIANGJIA_PII_KEYS; --rehash renews lookup hashes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rehash", action="store_true", help="renew lookup hashes after NIANGJIA_PII_HMAC_KEY changed"
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, rehash: bool, batch_size: int, **options):
        old_key = settings.PII_HMAC_KEY_OLD if rehash else ""
        if old_key and old_key == settings.PII_HMAC_KEY:
            raise CommandError("NIANGJIA_PII_HMAC_KEY_OLD equals NIANGJIA_PII_HMAC_KEY: nothing to move.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        with acting_as(None, "command:rotate_pii_keys"):
            job = Job.objects.create(
                kind="rotate_pii_keys",
                title=_("个人信息密钥轮换"),
                status=JobStatus.RUNNING,
                total=rows_to_visit(),
            )
            progress = Progress(job)
            try:
                stats = rotate_keys(
                    rehash=rehash, old_hmac_key=old_key, batch_size=batch_size, progress=progress.advance
                )
            except UnreadableCiphertext as error:
                Job.objects.filter(pk=job.pk).update(
                    status=JobStatus.FAILED, message=f"unreadable: {error}", finished_at=timezone.now()
                )
                raise CommandError(
                    f"No key in NIANGJIA_PII_KEYS decrypts {error}; earlier rows are done, re-run once fixed."
                ) from None
            job.refresh_from_db()
            job.status, job.result, job.finished_at = JobStatus.DONE, stats, timezone.now()
            job.save(update_fields=["status", "result", "finished_at"])
            record_action(job, "pii_keys_rotated", note="rehash" if rehash else "", data=stats)
        for column, counts in stats.items():
            self.stdout.write(f"{column}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if rehash and not old_key:
            self.stdout.write(
                "NIANGJIA_PII_HMAC_KEY_OLD is unset: hash-only columns (the SMS log) were not remapped."
            )
