"""Ids as requests name them (core.ids) and the console lists' sort parameter: odd values answer
404, a message or the default, never a 500 (found by fuzzing the pages)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from core.choices import JobStatus
from core.forms import IdsField
from core.ids import IdConverter, id_from
from core.models import Job
from orgs.models import Union
from stations.models import Station

from .. import factories
from ..stations.helpers import station

BIGGEST = 2**63 - 1


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12),
        (str(BIGGEST), BIGGEST),
        (str(BIGGEST + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("²", None),  # str.isdigit() is true for it; int() refuses it
        ("١٢", None),  # Arabic-Indic digits: int() reads them, an id is ASCII
        (" 12", None),
        ("1_000", None),
        ("", None),
        (None, None),
    ],
)
def test_id_from(text, number):
    assert id_from(text) == number


def _patterns(resolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield entry
            yield from _patterns(entry)
        elif isinstance(entry, URLPattern):
            yield entry


def test_every_id_in_a_path_is_bounded():
    """No pattern takes Django's unbounded `<int:…>`: each id is `<id:…>`."""
    unbounded = [
        str(entry.pattern)
        for entry in _patterns(get_resolver())
        for converter in getattr(entry.pattern, "converters", {}).values()
        if isinstance(converter, IntConverter) and not isinstance(converter, IdConverter)
    ]
    bounded = [
        entry
        for entry in _patterns(get_resolver())
        if any(isinstance(c, IdConverter) for c in getattr(entry.pattern, "converters", {}).values())
    ]
    assert not unbounded and len(bounded) > 100


def test_an_id_past_a_bigint_in_a_path_is_not_found(tree, login):
    """On SQLite `keepers/99999999999999999999/remove/` was a 500: a foreign key's `user_id=` lookup is
    not guarded as `pk=` is."""
    made = station(tree["town_a"])
    client = login(factories.official("district", "admin", tree["district"]))
    for odd in ("99999999999999999999", str(BIGGEST + 1), "0"):
        assert client.post(f"/console/stations/{made.pk}/keepers/{odd}/remove/").status_code == 404, odd
        assert client.get(f"/console/stations/{odd}/").status_code == 404, odd


def test_a_sort_that_names_no_column_sorts_as_default(tree, login):
    station(tree["town_a"], "甲驿站")
    station(tree["town_a"], "乙驿站")
    client = login(factories.official("district", "admin", tree["district"]))
    default = [s.pk for s in client.get("/console/stations/").context["object_list"]]
    for odd in ("--id", "---name", "-", "nope"):  # `--id` passed the check and reached order_by: a 500
        page = client.get("/console/stations/", {"o": odd})
        assert page.status_code == 200, odd
        assert [s.pk for s in page.context["object_list"]] == default, odd
        assert page.context["order"] == "", odd
    assert client.get("/console/stations/", {"o": "-name"}).context["order"] == "-name"
    exported = client.get("/console/stations/", {"o": "--id", "format": "xlsx"})
    assert exported.status_code == 302
    assert Job.objects.get().status == JobStatus.DONE
    assert Station.objects.count() == 2


def test_a_many_to_many_choice_that_is_no_number_is_refused(tree):
    field = IdsField(queryset=Union.objects.all())
    assert [u.pk for u in field.clean([tree["town_a"].pk])] == [tree["town_a"].pk]
    for odd in ("--5", "99999999999999999999", "²", "abc"):  # "--5" reached int(): a 500
        with pytest.raises(ValidationError):
            field.clean([odd])
