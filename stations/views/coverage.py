"""Coverage gaps in the console: the analysis (with its map and xlsx), and the hot spots behind it."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.scoping import CHANGE, VIEW
from core.spreadsheets import FileError
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView
from orgs.choices import EmploymentForm

from ..choices import HotSpotSource
from ..filtersets.coverage import HotSpotFilterSet
from ..forms.coverage import CensusSyncForm, CoverageForm, HotSpotForm, HotSpotImportForm, union_choices
from ..models import HotSpot, Station
from ..services import coverage as services
from ..services import coverage_files

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAP_SPOTS = 3000  # beyond this many hot spots the map shows only the uncovered ones


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def map_context(analysis: services.Analysis, user) -> dict:
    """The map's points and circles: stations (grey when closed in the period), hot spots, suggestions."""
    from core.maps import map_data

    period = analysis.period
    mine = set(
        Station.objects.restrict(user, VIEW)
        .filter(pk__in=[s.pk for s in analysis.stations])
        .values_list("pk", flat=True)
    )
    # Hot spots first: the stations and the suggested sites are drawn over them.
    points, circles = [], []
    spots = analysis.spots if len(analysis.spots) <= MAP_SPOTS else analysis.uncovered[:MAP_SPOTS]
    for spot in spots:
        covered = spot.covered[period]
        points.append(
            {
                "lat": spot.lat,
                "lon": spot.lon,
                "label": spot.name,
                "url": reverse("stations:hotspot-detail", args=[spot.pk]),
                "kind": "hotspot-covered" if covered else "hotspot",
                "note": _("%(period)s %(n)d 人，%(state)s")
                % {
                    "period": analysis.period_label,
                    "n": spot.workers[period],
                    "state": _("已覆盖") if covered else _("未覆盖"),
                },
            }
        )
    for s in analysis.stations:
        points.append(
            {
                "lat": s.lat,
                "lon": s.lon,
                "label": s.name,
                "url": reverse("stations:station-detail", args=[s.pk]) if s.pk in mine else None,
                "kind": "station",
                "open": s.open[period],
                "note": _("此时段开放") if s.open[period] else _("此时段不开放"),
            }
        )
        if s.open[period]:
            circles.append({"lat": s.lat, "lon": s.lon, "radius_m": analysis.radius_m})
    for site in analysis.suggestions:
        label = _("建议%(rank)d：%(name)s") % {"rank": site.rank, "name": site.name}
        points.append(
            {
                "lat": site.lat,
                "lon": site.lon,
                "label": label,
                "kind": "suggested",
                "note": _("新增覆盖 %(n)d 人") % {"n": site.gain},
            }
        )
        circles.append({"lat": site.lat, "lon": site.lon, "radius_m": analysis.radius_m, "label": label})
    return map_data(
        points, circles, centre=(analysis.spots[0].lat, analysis.spots[0].lon) if analysis.spots else None
    )


@access.requires(access.SCOPED)
def coverage(request):
    # The defaults are filled in and shown, so a bare link (or one with just ?union=) analyses at once.
    data = request.GET.copy()
    for key, value in (
        ("radius_m", services.DEFAULT_RADIUS_M),
        ("period", services.DAY),
        ("k", services.DEFAULT_K),
    ):
        data.setdefault(key, value)
    if not data.get("union"):
        first = union_choices(request.user, VIEW).first()
        data["union"] = first.pk if first else ""
    form = CoverageForm(data, user=request.user)
    context = {"form": form, "analysis": None}
    if form.is_valid():
        data = form.cleaned_data
        analysis = services.analyse(data["union"], data["radius_m"], data["period"], data["k"])
        if request.GET.get("format") == "xlsx":
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            return _download(
                coverage_files.analysis_book(analysis), f"coverage-{data['union'].pk}-{stamp}.xlsx"
            )
        query = {
            "union": data["union"].pk,
            "radius_m": data["radius_m"],
            "period": data["period"],
            "k": data["k"],
        }
        context.update(
            analysis=analysis,
            instants={key: services.instant_label(at) for key, at in analysis.at.items()},
            export_query=urlencode({**query, "format": "xlsx"}),
            uncovered=analysis.uncovered[:200],
            can_change=union_choices(request.user, CHANGE).filter(pk=data["union"].pk).exists(),
        )
        try:
            context["map"] = map_context(analysis, request.user)
        except ImportError:  # the map module is optional: the page is its tables without it
            context["map"] = None
    return render(request, "stations/coverage.html", context)


class HotSpotListView(ConsoleListView):
    model = HotSpot
    filterset_class = HotSpotFilterSet
    columns = ["name", "union", "source", "day_workers", "night_workers", "latitude", "longitude"]
    ordering_fields = ["name", "day_workers", "night_workers", "created_at", "id"]
    default_ordering = "name"
    template_name = "stations/hotspot_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("stations:hotspot-add")
        context["extra_actions"] = [
            (reverse("stations:hotspot-import"), _("导入热点")),
            (reverse("stations:hotspot-census"), _("由普查生成")),
        ]
        return context


class HotSpotDetailView(ConsoleDetailView):
    model = HotSpot
    template_name = "stations/hotspot_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union", "employer")


class HotSpotCreateView(ConsoleCreateView):
    model = HotSpot
    form_class = HotSpotForm

    def save(self, form):
        form.instance.source = HotSpotSource.MANUAL
        return services.save_hot_spot(form.instance)

    def get_success_url(self):
        return self.object.get_absolute_url()


class HotSpotUpdateView(ConsoleUpdateView):
    model = HotSpot
    form_class = HotSpotForm

    def save(self, form):
        return services.save_hot_spot(form.instance)

    def get_success_url(self):
        return self.object.get_absolute_url()


@access.requires(access.SCOPED)
def hotspot_template(request):
    return _download(coverage_files.build_template(), "hot-spots-template.xlsx")


@access.requires(access.SCOPED)
def hotspot_import(request):
    form = HotSpotImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = coverage_files.import_file(
                form.cleaned_data["union"], request.user, upload.read(), upload.name
            )
        except FileError as error:
            form.add_error("file", str(error))
        else:
            if result["imported"]:
                messages.success(
                    request,
                    _("已导入 %(rows)d 行：新增 %(created)d 个，更新 %(updated)d 个，未变 %(unchanged)d 个")
                    % result,
                )
                return redirect(f"{reverse('stations:hotspot-list')}?within={form.cleaned_data['union'].pk}")
    return render(request, "stations/hotspot_import.html", {"form": form, "result": result})


@access.requires(access.SCOPED)
def hotspot_census(request):
    form = CensusSyncForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        union = form.cleaned_data["union"]
        outcome = services.sync_census(union)
        messages.success(
            request,
            _("普查热点：新增%(created)d，更新%(updated)d，未变%(unchanged)d，移除%(removed)d") % outcome,
        )
        return redirect(f"{reverse('stations:hotspot-list')}?within={union.pk}")
    return render(
        request,
        "stations/hotspot_census.html",
        {
            "form": form,
            "shares": [
                (EmploymentForm(form_).label, share * 100)
                for form_, share in sorted(services.night_shares().items(), key=lambda kv: -kv[1])
                if form_ in EmploymentForm.values
            ],
        },
    )
