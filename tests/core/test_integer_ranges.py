"""On SQLite as on PostgreSQL, a count or amount typed into a form or the API is held to the range of
PostgreSQL's column (core.db.sqlite3): found by fuzzing the pages, an employer's headcount of 9e18
was kept on SQLite, and two such rows made the statistics page a 500 (integer overflow in SUM)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations

from orgs.models import Employer

from .. import factories
from .test_dates import _ours

RANGES = BaseDatabaseOperations.integer_field_ranges


def _limits(field) -> tuple:
    lowest = max((v.limit_value for v in field.validators if isinstance(v, MinValueValidator)), default=None)
    highest = min((v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)), default=None)
    return lowest, highest


def test_every_integer_field_is_held_to_its_postgresql_column(db):
    wider = [
        f"{model.__name__}.{field.name}: {_limits(field)}"
        for model in _ours()
        for field in model._meta.concrete_fields
        if isinstance(field, models.IntegerField) and not field.primary_key
        for low, high in [RANGES[field.get_internal_type()]]
        if _limits(field)[0] is None
        or _limits(field)[0] < low
        or _limits(field)[1] is None
        or _limits(field)[1] > high
    ]
    assert wider == [], connection.vendor


def test_a_huge_headcount_is_refused_and_the_statistics_still_add_up(tree, login):
    client = login(factories.official("org-d", "organisation", tree["district"]))
    form = {"name": "极兔柯桥网点", "uscc": "", "kind": "site", "sector": "express", "region": "330603001"}
    for count in ("9000000000000000000", "13800138000"):  # a phone number typed into a count
        response = client.post("/console/employers/add/", {**form, "headcount": count, "count_courier": "3"})
        assert response.status_code == 200
        assert response.context["form"].errors["headcount"] == ["确保该值小于或等于2147483647。"]
    assert not Employer.objects.exists()
    most = RANGES["PositiveIntegerField"][1]
    for name in ("甲", "乙"):
        Employer.objects.create(
            name=name,
            sector="express",
            region=tree["town_a"].region,
            area_union=tree["town_a"],
            headcount=most,
        )
    assert client.get("/console/statistics/").status_code == 200
