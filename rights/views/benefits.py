"""Console pages of mass benefits (普惠发放): distributions (list, create, edit, detail with progress and
the list of grants), building the list by employment form, importing it from a spreadsheet, and the
redemption scan page used by officials and station keepers (camera through static/js/check.js, typed
fallback)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access, spreadsheets
from core.pagination import Paginator
from core.scoping import CHANGE, VIEW, can
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from ..filtersets.benefits import DistributionFilterSet
from ..forms.benefits import BuildForm, DistributionForm, ImportForm, RedeemForm
from ..models import BenefitDistribution, BenefitGrant
from ..services import benefits as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DistributionListView(ConsoleListView):
    model = BenefitDistribution
    filterset_class = DistributionFilterSet
    columns = ["title", "kind", "union", "items", "value", "starts_on", "ends_on"]
    ordering_fields = ["title", "starts_on", "ends_on", "value"]
    default_ordering = "-starts_on"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("rights:benefit-add")
        context["extra_actions"] = [(reverse("rights:benefit-redeem"), _("扫码核销"))]
        return context


class DistributionCreateView(ConsoleCreateView):
    model = BenefitDistribution
    form_class = DistributionForm


class DistributionUpdateView(ConsoleUpdateView):
    model = BenefitDistribution
    form_class = DistributionForm


class DistributionDetailView(ConsoleDetailView):
    model = BenefitDistribution
    template_name = "rights/benefit_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union").prefetch_related("stations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.object
        # The people only to roles that see them (finance and audit see the progress, not who).
        listed = BenefitGrant.objects.restrict(self.request.user, VIEW).filter(distribution=item)
        grants = listed.select_related("person", "station", "redeemed_by").order_by("pk")
        shown = self.request.GET.get("redeemed", "")
        if shown == "true":
            grants = grants.filter(redeemed_at__isnull=False)
        elif shown == "false":
            grants = grants.filter(redeemed_at__isnull=True)
        page = Paginator(grants, 50).get_page(self.request.GET.get("page"))
        context.update(
            progress=services.progress(item),
            by_station=services.by_station(item),
            page_obj=page,
            grants=page.object_list,
            shown=shown,
            people_hidden=not listed.exists() and item.grants.exists(),
            build_form=BuildForm() if context["can_change"] else None,
            import_form=ImportForm() if context["can_change"] else None,
        )
        return context


def _distribution(request, pk, action=CHANGE) -> BenefitDistribution:
    return get_object_or_404(
        BenefitDistribution.objects.restrict(request.user, action).select_related("union"), pk=pk
    )


@require_POST
@access.requires(access.SCOPED)
def benefit_build(request, pk):
    item = _distribution(request, pk)
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择就业形态"))
        return redirect(item)
    try:
        added = services.build_list(item, request.user, form.cleaned_data["employment_forms"])
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("名单已生成：新增 %(n)d 人（已在名单中的不重复添加）") % {"n": added})
    return redirect(item)


@access.requires(access.SCOPED)
def benefit_import(request, pk):
    """Import the list from a spreadsheet of ID numbers; all or nothing, problems with row and column."""
    item = _distribution(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_list(item, request.user, upload.read(), upload.name)
        except spreadsheets.FileError as error:
            form.add_error("file", str(error))
        else:
            if not result.problems:
                messages.success(
                    request,
                    _("导入完成：新增 %(n)d 人，已在名单 %(m)d 人")
                    % {"n": result.added, "m": result.already},
                )
                return redirect(item)
            problems = result.problems
    return render(request, "rights/benefit_import.html", {"object": item, "form": form, "problems": problems})


@access.requires(access.SCOPED)
def benefit_template(request, pk):
    _distribution(request, pk)
    response = HttpResponse(services.template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="benefit-list.xlsx"'
    return response


@access.requires(access.OFFICIAL)
def benefit_redeem(request):
    """Scan a member card to hand out a benefit: officials in their scope, keepers at their stations."""
    running = list(services.redeemable(request.user))
    chosen = next((d for d in running if str(d.pk) == (request.POST or request.GET).get("d", "")), None)
    if chosen is None and len(running) == 1:
        chosen = running[0]
    stations = services.stations_for(request.user, chosen) if chosen else []
    station_id = (request.POST or request.GET).get("s", "")
    station = next((s for s in stations if str(s.pk) == station_id), None)
    if station is None and len(stations) == 1:
        station = stations[0]
    form = RedeemForm(request.POST or None)
    result = error = None
    if request.method == "POST" and chosen is not None and form.is_valid():
        try:
            result = services.redeem(chosen, form.cleaned_data["code"], request.user, station=station)
        except (ValidationError, PermissionDenied) as refusal:
            error = " ".join(getattr(refusal, "messages", None) or [str(refusal) or _("没有权限")])
    elif request.method == "POST" and chosen is None:
        error = _("请先选择发放项目")
    return render(
        request,
        "rights/benefit_redeem.html",
        {
            "running": running,
            "chosen": chosen,
            "stations": stations,
            "station": station,
            "form": RedeemForm(),
            "result": result,
            "error": error,
            "progress": services.progress(chosen) if chosen and can(request.user, VIEW, chosen) else None,
        },
    )
