"""Running the demo's seed in tests, and one demo district for a whole test module (seeding takes
~10 s: once rather than once a test)."""

import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command

from tests import factories
from tests.module_data import kept_for_module


def seed(*args: str) -> str:
    """`manage.py seed_demo *args`; what it printed."""
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def skip_steps(patch: pytest.MonkeyPatch, skip) -> None:
    """The seed without the steps named in `skip`, while `patch` lasts."""
    from demo import seed as seed_module

    patch.setattr(seed_module, "STEPS", [s for s in seed_module.STEPS if s.__name__ not in skip])


@contextmanager
def seeded_district(django_db_blocker, *args: str, skip=()):
    """`seed_demo *args` (without the steps named in `skip`) kept for the module (tests.module_data);
    yields its output."""
    with kept_for_module(django_db_blocker), pytest.MonkeyPatch.context() as patch:
        skip_steps(patch, skip)
        factories.reference_lists()
        yield seed(*args)
