"""Background work with progress: a Job row that pages follow, and the task that fills it.

Tasks go through Django's tasks API (the django-tasks backport). The default
backend is database-backed (`manage.py db_worker` runs them); tests and the
one-process setups may use the immediate backend, which runs them at once.
"""

import logging
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection
from django.utils import timezone

from .choices import JobStatus
from .history import acting_as
from .models import Job

log = logging.getLogger(__name__)


def start(kind: str, title: str, user, task, *args) -> Job:
    """Create the Job record, then queue `task(job_id, *args)`."""
    # A title may carry an upload's name, as long as the person made it.
    job = Job.objects.create(
        kind=kind, title=title[: Job._meta.get_field("title").max_length], created_by=user
    )
    task.enqueue(job.pk, *args)
    job.refresh_from_db()
    return job


class Progress:
    """Handed to the work function: report progress every so often (cheap: one UPDATE)."""

    def __init__(self, job: Job):
        self.job = job

    def total(self, total: int) -> None:
        Job.objects.filter(pk=self.job.pk).update(total=total)

    def advance(self, done: int, message: str = "") -> None:
        fields = {"done": done}
        if message:
            fields["message"] = message
        Job.objects.filter(pk=self.job.pk).update(**fields)


def run(job_id: int, work: Callable[[Job, Progress], dict]) -> None:
    """Run `work` for a job as its creator: status, errors and the result end up on the Job."""
    # A worker drops stale connections between jobs; run inline (the immediate backend) inside
    # the caller's transaction, closing would end that transaction, so the connection stays.
    if not connection.in_atomic_block:
        close_old_connections()
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    user = get_user_model().objects.filter(pk=job.created_by_id).first()
    try:
        with acting_as(user, f"task:{job.kind}"):
            result = work(job, Progress(job)) or {}
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, message=str(exc)[:500] or type(exc).__name__, finished_at=timezone.now()
        )
        return
    # Only the progress counters: a full refresh would drop the result_file the work just set.
    job.refresh_from_db(fields=["done", "total", "message"])
    job.status, job.result, job.finished_at = JobStatus.DONE, result, timezone.now()
    job.save(update_fields=["status", "result", "finished_at", "result_file"])
