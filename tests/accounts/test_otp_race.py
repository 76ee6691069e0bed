"""Codes asked for at the same moment: the per-number limit holds (each request counts and writes as
one step), on SQLite and PostgreSQL. Without it a burst sent a number as many texts as requests."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from accounts import services
from accounts.models import OneTimeCode
from core.notify import MemorySmsBackend
from tests.programs.test_race import committed, file_database, in_thread  # noqa: F401 (fixture)

PHONE = "13800138000"
THREADS = 12


@pytest.mark.usefixtures("committed")
def test_simultaneous_requests_respect_the_limit_per_number(tmp_path):
    assert THREADS > settings.OTP_MAX_PER_PHONE_PER_HOUR
    MemorySmsBackend.outbox.clear()
    with file_database(tmp_path):
        barrier = threading.Barrier(THREADS)
        outcomes: list[str] = []
        errors: list[BaseException] = []

        def ask(n: int) -> None:
            try:
                barrier.wait(timeout=60)
                services.issue_code(PHONE, f"10.0.0.{n}")  # each from its own address
                outcomes.append("sent")
            except services.RateLimited:
                outcomes.append("limited")
            except BaseException as exc:  # surfaced in the main thread
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors[:3]
        codes = in_thread(OneTimeCode.objects.count)
    limit = settings.OTP_MAX_PER_PHONE_PER_HOUR
    assert outcomes.count("sent") == codes == limit
    assert outcomes.count("limited") == THREADS - limit
    assert len(MemorySmsBackend.outbox) == limit
    MemorySmsBackend.outbox.clear()
