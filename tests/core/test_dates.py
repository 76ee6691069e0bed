"""Every day and plan year a person types is within the system's (core.dates): year 1 or 9999 in a form
or the API is refused with the range, as the programs' times are (found by fuzzing the pages: a
mutual-aid plan edited to 9999-12-31 was saved and told its 696 members)."""

import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from core.dates import validate_day_in_range, validate_historic_day, validate_year_in_range
from orgs.models import Union
from orgs.services import establishment as establishments

from .. import factories

DAY_RULES = {validate_day_in_range, validate_historic_day}


ROOT = Path(__file__).resolve().parents[2]


def _ours():
    """The project's own models (not Django's or a library's)."""
    return [
        model
        for model in apps.get_models()
        if Path(model._meta.app_config.path).is_relative_to(ROOT)
        and not Path(model._meta.app_config.path).is_relative_to(ROOT / ".venv")
    ]


def test_every_typed_day_and_plan_year_has_a_range():
    days = [
        f"{model.__name__}.{field.name}"
        for model in _ours()
        for field in model._meta.concrete_fields
        if type(field) is models.DateField and field.editable and not DAY_RULES & set(field.validators)
    ]
    years = [
        f"{model.__name__}.{field.name}"
        for model in _ours()
        for field in model._meta.concrete_fields
        if field.name == "year" or field.name.endswith("_year")
        if isinstance(field, models.IntegerField) and validate_year_in_range not in field.validators
    ]
    assert days == [] and years == [] and len(_ours()) > 40


@pytest.mark.parametrize(
    ("validator", "good", "bad"),
    [
        (
            validate_day_in_range,
            [datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)],
            [datetime.date(1999, 12, 31), datetime.date(9999, 12, 31), datetime.date(1, 1, 1)],
        ),
        (
            validate_historic_day,
            [datetime.date(1950, 10, 1), datetime.date(2099, 12, 31)],
            [datetime.date(1899, 12, 31), datetime.date(9999, 12, 31)],
        ),
        (validate_year_in_range, [2000, 2099], [0, 1, 1999, 2100, 32767]),
    ],
)
def test_the_ranges(validator, good, bad):
    for value in good:
        validator(value)
    for value in bad:
        with pytest.raises(ValidationError):
            validator(value)


def test_a_union_founded_before_the_system_is_kept_and_year_one_is_not(tree):
    union = tree["town_a"]
    union.established_on = datetime.date(1950, 10, 1)
    union.full_clean()
    union.established_on = datetime.date(1, 1, 1)
    with pytest.raises(ValidationError) as refused:
        union.full_clean()
    assert "日期须在 1900-01-01 至 2099-12-31 之间" in str(refused.value)


def test_an_establishment_cannot_start_in_year_9999(tree):
    official = factories.official("district", "admin", tree["district"])
    union = Union(name="新建工会", kind="grassroots", parent=tree["town_a"], region=tree["town_a"].region)
    for odd in (datetime.date(9999, 12, 31), datetime.date(1, 1, 1)):
        with pytest.raises(ValidationError):
            establishments.start(union=union, by=official, preparation_on=odd)
    assert not Union.objects.filter(name="新建工会").exists()
