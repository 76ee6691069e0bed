"""Filters for the modules' FilterSets (console lists and API alike) whose values need bounds.

django-filter's NumberFilter takes any decimal: `?station=1.7` filtered station 1, and
`?station=1e30` reached the database, where SQLite cannot hold it (a 500). An id or a year is a whole
number in its range, a yes/no is yes or no, or the list answers with the field's message (400 on the
API).
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .ids import ID_RANGE

YEAR_RANGE = (1900, 2100)


class _WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField
    bounds: tuple[int, int]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", self.bounds[0])
        kwargs.setdefault("max_value", self.bounds[1])
        super().__init__(*args, **kwargs)


class IdFilter(_WholeNumberFilter):
    """An object's number."""

    bounds = ID_RANGE


class YearFilter(_WholeNumberFilter):
    """A calendar year."""

    bounds = YEAR_RANGE


class _YesNoField(forms.NullBooleanField):
    """Yes, no or not given — and anything else said to be wrong: Django's NullBooleanField takes any
    other text as "not given", so `?overdue=maybe` listed everything as if unfiltered."""

    YES, NO = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}

    def __init__(self, *args, **kwargs):
        # A plain select hands the text over as sent (NullBooleanSelect turns what it does not know
        # into "not given" before to_python could say so).
        choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]
        kwargs.setdefault("widget", forms.Select(choices=choices))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise forms.ValidationError(_("请填 true 或 false"), code="invalid")


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter that refuses other values."""

    field_class = _YesNoField
