"""Dates officials type: the years the system plans and records for, and what has already happened
(a visit, a payment, a case closed)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# The days the system plans and records for: a date outside them is a typo (0202 for 2020) or a probe,
# and years such as 1 or 9999 break the time-zone arithmetic at their edges.
EARLIEST_DAY, LATEST_DAY = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


def range_problem(day: datetime.date) -> str | None:
    """What is wrong with a day outside EARLIEST_DAY..LATEST_DAY; None if fine."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return _("日期须在 %(first)s 至 %(last)s 之间") % {"first": EARLIEST_DAY, "last": LATEST_DAY}


def validate_time_in_range(value: datetime.datetime) -> None:
    """A model field's validator: the local day of the time within range_problem's years."""
    problem = range_problem(timezone.localdate(value) if timezone.is_aware(value) else value.date())
    if problem:
        raise ValidationError(problem)


def past_day_problem(day: datetime.date, since: datetime.date) -> str | None:
    """What is wrong with the date of something done in a record's life: after today, or before what
    came first (`since`: a file's application, a claim's submission, the step before). None if fine.
    A date to come would block every later step that must not be earlier."""
    if day > timezone.localdate():
        return _("日期不能晚于今天")
    if day < since:
        return _("日期不能早于 %(day)s") % {"day": since.isoformat()}
    return None
