"""Dates officials type: the years the system plans and records for, and what has already happened
(a visit, a payment, a case closed)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# The days the system plans and records for: a date outside them is a typo (0202 for 2020) or a probe,
# and years such as 1 or 9999 break the time-zone arithmetic at their edges.
EARLIEST_DAY, LATEST_DAY = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
# The first day a record may name of what happened before the system: a union founded in 1950, a member
# who joined in 1988, a cadre whose term began in 1998.
HISTORY_FIRST_DAY = datetime.date(1900, 1, 1)


def range_problem(day: datetime.date, first: datetime.date = EARLIEST_DAY) -> str | None:
    """What is wrong with a day outside first..LATEST_DAY; None if fine."""
    if first <= day <= LATEST_DAY:
        return None
    return _("日期须在 %(first)s 至 %(last)s 之间") % {"first": first, "last": LATEST_DAY}


# Every editable DateField of a model has one of these two (tests/core/test_dates.py walks them), and
# every year of a plan the third: a form, the API and the admin then refuse year 1 or 9999 alike.
def validate_day_in_range(value: datetime.date) -> None:
    """A model field's validator: a day the system plans or records for (range_problem)."""
    if problem := range_problem(value):
        raise ValidationError(problem)


def validate_historic_day(value: datetime.date) -> None:
    """A model field's validator for a day that may be from before the system: since HISTORY_FIRST_DAY."""
    if problem := range_problem(value, HISTORY_FIRST_DAY):
        raise ValidationError(problem)


def validate_year_in_range(value: int) -> None:
    """A model field's validator: a plan's year within the system's days."""
    if not EARLIEST_DAY.year <= value <= LATEST_DAY.year:
        raise ValidationError(
            _("年份须在 %(first)s 至 %(last)s 之间") % {"first": EARLIEST_DAY.year, "last": LATEST_DAY.year}
        )


def validate_time_in_range(value: datetime.datetime) -> None:
    """A model field's validator: the local day of the time within range_problem's years."""
    validate_day_in_range(timezone.localdate(value) if timezone.is_aware(value) else value.date())


def past_day_problem(day: datetime.date, since: datetime.date) -> str | None:
    """What is wrong with the date of something done in a record's life: after today, or before what
    came first (`since`: a file's application, a claim's submission, the step before). None if fine.
    A date to come would block every later step that must not be earlier."""
    if day > timezone.localdate():
        return _("日期不能晚于今天")
    if day < since:
        return _("日期不能早于 %(day)s") % {"day": since.isoformat()}
    return None
