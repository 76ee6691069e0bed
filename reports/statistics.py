"""Organising statistics for a union's subtree and a period, and the seed's way of saying them.

"今年新建工会44家，新入会员4000余名，其中新业态新就业群体入会占比1/3": `sentence()` phrases the
figures in that style; `figures()` counts them (unions from orgs, members from members, coverage from
the census services over the employers as they stand today).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, IntegerField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.services.statistics import count_new_members
from orgs.models import Union
from orgs.services.census import employers_of
from orgs.services.employers import covered_q
from orgs.services.plans import share, unions_established

# Shares said as a fraction when the percentage rounds to the fraction's (33% → 1/3), as the seed does.
FRACTIONS = (Fraction(1, 3), Fraction(2, 3))


@dataclass(frozen=True)
class Coverage:
    employers: int
    employers_covered: int
    workers: int
    workers_covered: int

    @property
    def employer_rate(self) -> Decimal | None:
        return share(self.employers_covered, self.employers)

    @property
    def worker_rate(self) -> Decimal | None:
        return share(self.workers_covered, self.workers)


@dataclass(frozen=True)
class Figures:
    union: Union
    start: datetime.date
    end: datetime.date
    unions_established: int
    new_members: int
    new_form_members: int
    coverage: Coverage

    @property
    def new_form_share(self) -> Decimal | None:
        return share(self.new_form_members, self.new_members)


def coverage(union: Union) -> Coverage:
    """Employers whose area union is in the subtree, and those an established union covers, today."""
    covered = covered_q()

    def total(field, condition=None):
        return Coalesce(Sum(field, filter=condition), Value(0), output_field=IntegerField())

    row = employers_of(union).aggregate(
        employers=Count("id"),
        employers_covered=Count("id", filter=covered),
        workers=total("headcount"),
        workers_covered=total("headcount", covered),
    )
    return Coverage(**row)


def figures(union: Union, start: datetime.date, end: datetime.date) -> Figures:
    members, new_form = count_new_members(union.path, start, end)
    return Figures(
        union=union,
        start=start,
        end=end,
        unions_established=unions_established(union.path, start, end),
        new_members=members,
        new_form_members=new_form,
        coverage=coverage(union),
    )


# ------------------------------------------------------------------ phrasing


def about(n: int) -> tuple[int, bool]:
    """The round figure to say for `n` and whether it is "余" (more than): 4,0xx–4,9xx → (4000, True).

    Below 100 a count is said exactly; from 100 it keeps its leading digit (365 → 300余, 12,345 → 10000余).
    """
    if n < 100:
        return n, False
    unit = 10 ** (len(str(n)) - 1)
    rounded = n // unit * unit
    return rounded, rounded != n


def people(n: int) -> str:
    """A number of people in the seed's style: 44名, 300余名, 4000名, 4000余名, 1.2万余名 (in English:
    "over 12,000")."""
    rounded, more = about(n)
    figure = _count(rounded)
    if more:
        return _("%(n)s余名") % {"n": figure}
    return _("%(n)s名") % {"n": figure}


def _count(n: int) -> str:
    """Chinese counts tens of thousands in 万 (1.2万, 4000); other languages write the number out with
    separators (12,000, 4,000): "1.2 × 10,000" is no way to say it."""
    if not (get_language() or "").startswith("zh"):
        return f"{n:,}"
    if n >= 10_000:
        return f"{Decimal(n) / 10_000:f}".rstrip("0").rstrip(".") + "万"
    return str(n)


def organisations(n: int) -> str:
    return _("%(n)s家") % {"n": n}


def percent(value: Decimal | float | None) -> str:
    """28.6%; — when there is nothing to divide by."""
    if value is None:
        return "—"
    shown = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{shown:f}".removesuffix(".0") + "%"


def proportion(value: Decimal | float | None) -> str:
    """A share as the seed says it: 1/3 when it rounds to a third, otherwise a percentage (28.6%)."""
    if value is None:
        return "—"
    whole = (Decimal(str(value)) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    for fraction in FRACTIONS:
        if whole == (Decimal(fraction.numerator * 100) / fraction.denominator).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        ):
            return f"{fraction.numerator}/{fraction.denominator}"
    return percent(value)


def period_label(start: datetime.date, end: datetime.date, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    whole_year = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year
    if whole_year and start.year == today.year:
        return _("今年")
    if whole_year:
        return _("%(year)s年") % {"year": start.year}
    return _("%(start)s至%(end)s") % {"start": _day(start), "end": _day(end)}


def _day(day: datetime.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def sentence(f: Figures, today: datetime.date | None = None) -> str:
    """今年新建工会44家，新入会员4000余名，其中新业态新就业群体入会占比1/3."""
    text = _("%(period)s新建工会%(unions)s，新入会员%(members)s") % {
        "period": period_label(f.start, f.end, today),
        "unions": organisations(f.unions_established),
        "members": people(f.new_members),
    }
    if f.new_members:
        text += _("，其中新业态新就业群体入会占比%(share)s") % {"share": proportion(f.new_form_share)}
    return text
