import pytest
from django.test import Client

from accounts.backends import USER_BACKEND

from . import factories

# --strict-skips (used by ./test under CI=true) and the `postgres` marker; --clock (tests/plugins/clock.py).
pytest_plugins = ["tests.plugins.strict_skips", "tests.plugins.clock"]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language: a request in English (Accept-Language) leaves English
    active in the thread, and a later test calling the services directly would get English messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_reads():
    """Each test starts with nothing kept in memory by programs.services.reads: a rolled-back test's
    session ids come back in the next one's rows."""
    from programs.services import reads

    reads.forget_sessions()


@pytest.fixture(autouse=True)
def reference_lists(request):
    """The lists data migrations seed (regions, amenities, service kinds), as a fresh database has them.

    A transactional test (browser tests, races) ends with a flush that empties every table, data
    migrations' rows included, so a later test in the same process would find the lists empty (the
    seed's stations then found no 街道 for their region).
    """
    names = set(request.fixturenames)
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    elif not request.node.get_closest_marker("django_db"):
        return
    factories.reference_lists()


@pytest.fixture
def tree(db):
    """A district like the seed's (factories.tree): district, town_a, town_b, site_a, site_b."""
    return factories.tree()


@pytest.fixture
def login():
    """login(user) -> a Django test client signed in as that user; login(user, raise_request_exception=False)
    answers a view's exception with a 500 instead of raising it (to list every failing request)."""

    def make(user, **client_options):
        client = Client(**client_options)
        client.force_login(user, backend=USER_BACKEND)
        return client

    return make
