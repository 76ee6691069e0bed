"""The inputs every statistics page shares: a union of the official's scope and a period (default: this year).

Pages show the defaults in the form rather than only applying them, so a page says what it counts.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Union


def this_year(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


def default_union(user) -> Union | None:
    """The highest union the official's roles start from."""
    visible = Union.objects.restrict(user)
    if user.is_superuser:
        return visible.filter(parent__isnull=True).order_by("path").first()
    return visible.filter(pk__in=user.top_unions()).order_by("depth", "path").first()


class PeriodForm(forms.Form):
    """Which subtree (within the official's scope) and which period (default: this year)."""

    union = forms.ModelChoiceField(label=_("工会"), queryset=Union.objects.none(), required=False)
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["union"].queryset = Union.objects.restrict(user).order_by("path")

    def clean(self):
        cleaned = super().clean()
        first, last = this_year()
        cleaned["start"] = cleaned.get("start") or first
        cleaned["end"] = cleaned.get("end") or last
        if cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("截止日期不能早于起始日期"))
        elif (cleaned["end"] - cleaned["start"]).days > 366 * 20:
            self.add_error("start", _("统计期间不能超过20年"))
        if not cleaned.get("union") and "union" not in self.errors:
            cleaned["union"] = default_union(self.user)
            if cleaned["union"] is None:
                self.add_error("union", _("请选择工会"))
        return cleaned

    @classmethod
    def for_page(cls, request) -> "PeriodForm":
        """The form bound to the page's query string, with the defaults filled in where it is silent."""
        data = request.GET.copy()
        if not data.get("union"):
            default = default_union(request.user)
            data["union"] = default.pk if default else ""
        first, last = this_year()
        data.setdefault("start", first.isoformat())
        data.setdefault("end", last.isoformat())
        return cls(data, user=request.user)
