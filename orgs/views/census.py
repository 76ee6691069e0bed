"""Console pages of census rounds: list, detail with coverage and 应建未建, snapshot, import, exports."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from core import access, jobs
from core.models import Job
from core.scoping import CHANGE, EXPORT
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from ..filtersets.census import CensusEntryFilterSet, CensusRoundFilterSet
from ..forms.census import CensusImportForm, CensusRoundForm
from ..models import CensusEntry, CensusRound
from ..services import census as census_services
from ..services.census_exports import export_coverage
from ..services.census_files import build_template
from ..services.census_import import start_import

DUE_SHOWN = 200


class CensusRoundListView(ConsoleListView):
    model = CensusRound
    filterset_class = CensusRoundFilterSet
    columns = ["name", "union", "taken_on", "threshold"]
    ordering_fields = ["name", "taken_on"]
    default_ordering = "-taken_on"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("orgs:census-add")
        context["extra_actions"] = [(reverse("orgs:employer-list"), pgettext("plural", "用人单位"))]
        return context


class CensusRoundDetailView(ConsoleDetailView):
    model = CensusRound
    template_name = "orgs/census_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        census = self.object
        context["totals"] = census_services.coverage_totals(census)
        context["groups"] = [
            (_("按镇街（行政区划）"), census_services.coverage(census, "region")),
            (_("按行业"), census_services.coverage(census, "sector")),
            (_("按品牌"), census_services.coverage(census, "brand")),
        ]
        context["brands"] = (
            CensusEntry.objects.filter(census=census, employer__brand__isnull=False)
            .values("employer__brand")
            .distinct()
            .count()
        )
        context["due"] = census_services.due_uncovered(census)[:DUE_SHOWN]
        context["due_shown"] = DUE_SHOWN
        context["due_list_url"] = (
            reverse("orgs:census-entry-list") + f"?census={census.pk}&due_uncovered=true"
        )
        return context


class CensusRoundCreateView(ConsoleCreateView):
    model = CensusRound
    form_class = CensusRoundForm

    def get_initial(self):
        return {"union": self.request.GET.get("union")}

    def save(self, form):
        data = form.cleaned_data
        return census_services.create_round(
            data["union"],
            data["name"],
            data["taken_on"],
            data["threshold"],
            data.get("note", ""),
            snapshot=data.get("snapshot", False),
        )


class CensusRoundUpdateView(ConsoleUpdateView):
    model = CensusRound
    form_class = CensusRoundForm


class CensusEntryListView(ConsoleListView):
    """A round's entries; with due_uncovered=true it is the round's 应建未建 list, exportable."""

    model = CensusEntry
    filterset_class = CensusEntryFilterSet
    columns = ["employer", "census", "headcount", "new_form_headcount", "members", "union"]
    ordering_fields = ["headcount", "new_form_headcount", "members"]
    default_ordering = "-headcount"

    def get_queryset(self):
        return super().get_queryset().select_related("employer__region", "employer__brand", "census", "union")


def _round(request, pk, action):
    # Another union's round, or one the user may only see, is simply not found.
    return get_object_or_404(
        CensusRound.objects.restrict(request.user, action).select_related("union"), pk=pk
    )


@require_POST
@access.requires(access.SCOPED)
def census_snapshot(request, pk):
    census = _round(request, pk, CHANGE)
    n = census_services.take_snapshot(census)
    messages.success(request, _("已按现有单位数据记录 %(n)d 家单位") % {"n": n})
    return redirect(census)


@access.requires(access.SCOPED)
def census_template(request, pk):
    census = _round(request, pk, CHANGE)
    response = HttpResponse(
        build_template(census, request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="census-template-{census.pk}.xlsx"'
    return response


@access.requires(access.SCOPED)
def census_import(request, pk):
    census = _round(request, pk, CHANGE)
    form = CensusImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_import(census, request.user, form.cleaned_data["file"])
        return redirect("orgs:census-import-job", pk=census.pk, job_pk=job.pk)
    return render(request, "orgs/census_import.html", {"census": census, "form": form})


@access.requires(access.SCOPED)
def census_import_job(request, pk, job_pk):
    census = _round(request, pk, CHANGE)
    job = get_object_or_404(Job, pk=job_pk, created_by=request.user, kind="census_import")
    context = {"census": census, "job": job, "result": job.result or {}}
    if request.htmx:
        return render(request, "orgs/_census_import_status.html", context)
    return render(request, "orgs/census_import_job.html", context)


@require_POST
@access.requires(access.SCOPED)
def census_coverage_export(request, pk):
    census = _round(request, pk, EXPORT)
    job = jobs.start(
        "export",
        _("导出：%(name)s 覆盖情况") % {"name": census.name},
        request.user,
        export_coverage,
        census.pk,
    )
    return redirect("core:job-detail", pk=job.pk)
