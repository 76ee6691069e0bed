"""Filters for the modules' FilterSets (console lists and API alike) whose values need bounds.

django-filter's NumberFilter takes any decimal: `?station=1.7` filtered station 1, and
`?station=1e30` reached the database, where SQLite cannot hold it (a 500). An id or a year is a whole
number in its range, or the list answers with the field's message (400 on the API).
"""

import django_filters
from django import forms

ID_RANGE = (1, 2**63 - 1)  # a database id (bigint)
YEAR_RANGE = (1900, 2100)


class IdFilter(django_filters.NumberFilter):
    """An object's number."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", ID_RANGE[0])
        kwargs.setdefault("max_value", ID_RANGE[1])
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """A calendar year."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", YEAR_RANGE[0])
        kwargs.setdefault("max_value", YEAR_RANGE[1])
        super().__init__(*args, **kwargs)
