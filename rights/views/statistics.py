"""The rights statistics page (权益保障统计): a union of the official's scope, a period, plain tables with
bars, and an xlsx download. The API twin is rights.api.statistics; both read the same form."""

import datetime

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from orgs.models import Union

from ..services import statistics


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


def bars(items: list) -> list[tuple[str, int, int]]:
    """(label, count, width in percent of the largest) for a plain CSS bar."""
    top = max((n for _v, _l, n in items), default=0)
    return [(label, n, round(n * 100 / top) if top else 0) for _v, label, n in items]


@access.requires(access.OFFICIAL)
def statistics_page(request):
    data = request.GET.copy()
    if not data.get("union"):
        default = default_union(request.user)
        data["union"] = default.pk if default else ""
    first, last = this_year()
    data.setdefault("start", first.isoformat())
    data.setdefault("end", last.isoformat())
    form = PeriodForm(data, user=request.user)
    figures = None
    if form.is_valid():
        cleaned = form.cleaned_data
        figures = statistics.figures(cleaned["union"], cleaned["start"], cleaned["end"])
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(
                statistics.workbook(figures),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            name = f"rights-statistics-{figures.start:%Y%m%d}-{figures.end:%Y%m%d}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    elif not Union.objects.restrict(request.user).exists():
        raise Http404
    context = {"form": form, "figures": figures, "querystring": data.urlencode()}
    if figures is not None:
        share = figures.within_share
        context.update(
            category_bars=bars(figures.by_category),
            outcome_bars=bars(figures.by_outcome),
            tier_bars=bars(figures.aid_by_tier),
            status_bars=bars(figures.aid_by_status),
            within_percent=None if share is None else f"{share * 100:.1f}%",
        )
    return render(request, "rights/statistics.html", context)
