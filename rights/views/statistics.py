"""The rights statistics page (权益保障统计): a union of the official's scope, a period, plain tables with
bars, and an xlsx download. The API twin is rights.api.statistics; both read the same form."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from core import access
from orgs.forms.period import PeriodForm
from orgs.models import Union

from ..services import statistics


def bars(items: list) -> list[tuple[str, int, int]]:
    """(label, count, width in percent of the largest) for a plain CSS bar."""
    top = max((n for _v, _l, n in items), default=0)
    return [(label, n, round(n * 100 / top) if top else 0) for _v, label, n in items]


@access.requires(access.OFFICIAL)
def statistics_page(request):
    form = PeriodForm.for_page(request)
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
    context = {"form": form, "figures": figures, "querystring": form.data.urlencode()}
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
