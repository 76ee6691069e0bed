"""Bulk enrolment pages: upload, mapping and preview, the check's progress and result, the decision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.scoping import CHANGE, VIEW, can
from core.views import ConsoleDetailView, ConsoleListView

from ..choices import ImportStatus
from ..filtersets.imports import ImportBatchFilterSet
from ..forms.imports import DecideForm, ImportUploadForm, MappingForm
from ..models import ImportBatch
from ..services import imports as services
from ..services.import_files import ImportFileError

BUSY = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.IMPORTING)


class ImportBatchListView(ConsoleListView):
    model = ImportBatch
    filterset_class = ImportBatchFilterSet
    columns = ["file_name", "union", "status", "total_rows", "valid_rows", "error_rows", "created_at"]
    ordering_fields = ["created_at", "file_name", "id"]
    default_ordering = "-created_at"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("members:import-upload")
        return context


class ImportBatchDetailView(ConsoleDetailView):
    model = ImportBatch
    template_name = "members/import_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union", "job", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.object
        context.update(status_context(batch))
        if batch.upload and batch.status in (
            ImportStatus.CHECKED,
            ImportStatus.UPLOADED,
            ImportStatus.FAILED,
        ):
            try:
                shown = services.preview(batch)
            except ImportFileError as error:
                context["preview_error"] = str(error)
            else:
                context["preview"] = shown
                if context["can_change"]:
                    context["mapping_form"] = MappingForm(initial=batch.mapping, headings=shown["headings"])
        return context


def status_context(batch: ImportBatch) -> dict:
    return {"batch": batch, "busy": batch.status in BUSY, "job": batch.job}


@access.requires(access.SCOPED)
def import_status(request, pk):
    """The progress panel, polled by htmx while the check or the import runs (state lives in the database)."""
    batch = get_object_or_404(ImportBatch.objects.restrict(request.user, VIEW).select_related("job"), pk=pk)
    context = {**status_context(batch), "can_change": can(request.user, CHANGE, batch)}
    response = render(request, "members/_import_status.html", context)
    if request.htmx and not context["busy"]:
        response["HX-Refresh"] = "true"  # finished: the whole page shows the result and the choices
    return response


@access.requires(access.OFFICIAL)
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.upload(form.cleaned_data["union"], form.cleaned_data["file"], request.user)
        except ImportFileError as error:
            form.add_error("file", str(error))
        except PermissionDenied:
            form.add_error("union", _("超出您的管理范围"))
        else:
            return redirect(batch)
    return render(request, "members/import_upload.html", {"form": form})


def _changeable(request, pk) -> ImportBatch:
    batch = get_object_or_404(ImportBatch.objects.restrict(request.user, CHANGE), pk=pk)
    return batch


@require_POST
@access.requires(access.SCOPED)
def import_mapping(request, pk):
    batch = _changeable(request, pk)
    try:
        headings = services.preview(batch)["headings"]
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect(batch)
    form = MappingForm(request.POST, headings=headings)
    if form.is_valid():
        try:
            services.remap(batch, form.cleaned_data, request.user)
        except (services.ImportError_, ImportFileError) as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("请为必填列选择文件中的列"))
    return redirect(batch)


@require_POST
@access.requires(access.SCOPED)
def import_decide(request, pk):
    batch = _changeable(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理方式"))
        return redirect(batch)
    try:
        services.decide(batch, form.cleaned_data["decision"] == "import", request.user)
    except services.ImportError_ as error:
        messages.error(request, str(error))
    return redirect(batch)


@access.requires(access.SCOPED)
def import_report(request, pk):
    batch = get_object_or_404(ImportBatch.objects.restrict(request.user, VIEW), pk=pk)
    if not batch.error_report:
        raise Http404
    return FileResponse(batch.error_report.open("rb"), as_attachment=True, filename=f"errors-{batch.pk}.xlsx")
