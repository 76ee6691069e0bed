"""Dates officials type for what has already happened (a visit, a payment, a case closed)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def past_day_problem(day: datetime.date, since: datetime.date) -> str | None:
    """What is wrong with the date of something done in a record's life: after today, or before what
    came first (`since`: a file's application, a claim's submission, the step before). None if fine.
    A date to come would block every later step that must not be earlier."""
    if day > timezone.localdate():
        return _("日期不能晚于今天")
    if day < since:
        return _("日期不能早于 %(day)s") % {"day": since.isoformat()}
    return None
