"""Numbers past their range on every list filter and many-to-many choice: a message, never a 500.

django-filter's NumberFilter and Django's ModelMultipleChoiceField hand any integer to the database,
where SQLite cannot hold one past 64 bits; ids and years are bounded in core.filters and core.forms.
"""

import pytest
from django.test import Client

from accounts.models import User
from core.filters import IdFilter, YearFilter, YesNoFilter
from niangjia.api_urls import router

BOUNDED, YES_NO = [], []
for prefix, viewset, _basename in router.registry:
    filterset = getattr(viewset, "filterset_class", None)
    for name, declared in filterset.base_filters.items() if filterset else ():
        if isinstance(declared, IdFilter | YearFilter):
            BOUNDED.append((prefix, name))
        if isinstance(declared, YesNoFilter):
            YES_NO.append((prefix, name))


def test_every_number_and_yes_no_filter_is_bounded():
    from django_filters import BooleanFilter, NumberFilter

    loose = [
        (prefix, name)
        for prefix, viewset, _basename in router.registry
        for name, declared in (getattr(viewset, "filterset_class", None) or _NoFilters).base_filters.items()
        if (isinstance(declared, NumberFilter) and not isinstance(declared, IdFilter | YearFilter))
        or (isinstance(declared, BooleanFilter) and not isinstance(declared, YesNoFilter))
    ]
    assert BOUNDED and YES_NO and not loose


class _NoFilters:
    base_filters: dict = {}


@pytest.fixture
def root(db):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    return client


@pytest.mark.parametrize(("prefix", "name"), BOUNDED)
def test_a_number_filter_past_its_range_is_a_400(root, prefix, name):
    for value in ("1" + "0" * 30, str(2**63), "1.7", "-1"):
        answer = root.get(f"/api/v1/{prefix}/", {name: value})
        assert answer.status_code == 400 and name in answer.json(), (prefix, name, value, answer.status_code)
    assert root.get(f"/api/v1/{prefix}/", {name: "1"}).status_code in (200, 400)  # 400: a year out of range


@pytest.mark.parametrize(("prefix", "name"), YES_NO)
def test_a_yes_no_filter_takes_yes_or_no_only(root, prefix, name):
    answer = root.get(f"/api/v1/{prefix}/", {name: "maybe"})
    assert answer.status_code == 400 and name in answer.json(), (prefix, name, answer.status_code)
    for value in ("true", "false", "1", "0", ""):
        assert root.get(f"/api/v1/{prefix}/", {name: value}).status_code == 200, (prefix, name, value)


def test_many_to_many_choices_past_any_id_are_unknown_choices(tree, root):
    from programs.forms.catalogue import ProgramForm

    form = ProgramForm(
        {"union": tree["town_a"].pk, "title": "x", "kind": "course", "partners": ["1" + "0" * 30]},
        user=User.objects.get(username="root"),
    )
    assert not form.is_valid() and "partners" in form.errors
    page = root.post("/console/establishments/start/", {"employers": ["1" + "0" * 30], "name": "新工会"})
    assert page.status_code == 200 and "employers" in page.context["form"].errors


def test_digits_of_other_kinds_are_unknown_choices_not_errors(tree):
    from programs.forms.catalogue import ProgramForm

    root = User.objects.create_superuser("root2", password="x" * 12)
    for odd in ("²", "١٢", "-" + "9" * 30, "abc"):
        form = ProgramForm(
            {"union": tree["town_a"].pk, "title": "x", "kind": "course", "partners": [odd]}, user=root
        )
        assert not form.is_valid() and "partners" in form.errors, odd
