"""Console pages of visits and services: a station's figures, the figures of every station in scope,
and the list (and xlsx export) of service records."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core import access
from core.scoping import VIEW
from core.views import ConsoleListView
from orgs.models import Union

from ..filtersets.visits import ServiceRecordFilterSet
from ..forms.visits import PeriodForm
from ..models import ServiceRecord, Station
from ..services import visit_stats


@access.requires(access.SCOPED)
def station_visits(request, pk):
    station = get_object_or_404(Station.objects.restrict(request.user, VIEW).select_related("union"), pk=pk)
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    return render(
        request,
        "stations/visit_station.html",
        {
            "station": station,
            "form": form,
            "figures": visit_stats.station_figures(station, start, end),
            "records_url": f"{reverse('stations:service-list')}?station={station.pk}"
            f"&after={start.isoformat()}&before={end.isoformat()}",
        },
    )


@access.requires(access.SCOPED)
def visit_overview(request):
    """Every station the official may see (a union's subtree when one is picked), added up."""
    stations = Station.objects.restrict(request.user, VIEW)
    unions = Union.objects.restrict(request.user, VIEW).order_by("path")
    form = PeriodForm(request.GET or None, unions=unions)
    start, end = form.period()
    # The union asked for while it is valid, whatever the dates (as form.period() keeps the dates).
    union = form.cleaned_data.get("union") if form.is_bound and "union" not in form.errors else None
    if union is not None:
        stations = stations.filter(union__path__subtree=union.path)
    query = f"after={start.isoformat()}&before={end.isoformat()}" + (f"&within={union.pk}" if union else "")
    return render(
        request,
        "stations/visit_overview.html",
        {
            "form": form,
            "union": union,
            "figures": visit_stats.figures(stations, start, end),
            "records_url": f"{reverse('stations:service-list')}?{query}",
        },
    )


class ServiceRecordListView(ConsoleListView):
    model = ServiceRecord
    filterset_class = ServiceRecordFilterSet
    # The station first: it names a row (the permission matrix and readers of the export tell rows by it).
    columns = ["station", "served_on", "kind", "count", "employment_form", "recorded_by", "note"]
    ordering_fields = ["served_on", "count", "created_at", "id"]
    default_ordering = "-served_on"

    def get_queryset(self):
        return super().get_queryset().select_related("station", "kind", "recorded_by")
