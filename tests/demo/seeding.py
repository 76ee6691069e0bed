"""One demo district for a whole test module (seeding takes ~10 s, once rather than once a test)."""

import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import transaction

from tests import factories


@contextmanager
def seeded_district(django_db_blocker, *args: str, skip=()):
    """`seed_demo *args` (without the steps named in `skip`) in a transaction rolled back at the end;
    yields its output. Each test inside it runs in a savepoint of its own, rolled back after it, as any
    test does; the district stays until the module ends, so a module's tests that need an empty
    database come before its first test that asks for it."""
    from demo import seed as seed_module

    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, transaction.atomic():
        patch.setattr(seed_module, "STEPS", [s for s in seed_module.STEPS if s.__name__ not in skip])
        factories.reference_lists()
        out = io.StringIO()
        call_command("seed_demo", *args, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
