"""Data built once for a whole test module, for builds that cost seconds (a demo's load): made in a
transaction rolled back when the module ends. Each test inside runs in a savepoint of its own, rolled
back after it, as any test does; the data stays until the module ends, so a module's tests that need
the database without it come before its first test that asks for it."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def kept_for_module(django_db_blocker):
    """Inside: the database is open to a module-scoped fixture, and what it writes is rolled back at
    the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
