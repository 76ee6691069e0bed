from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.scoping import ADD, CHANGE, registry
from core.steps import step
from core.views import ConsoleDetailView, ConsoleListView

from ..filtersets.organising import EstablishmentFilterSet
from ..forms.establishment import (
    AbandonForm,
    ApproveForm,
    DocumentForm,
    EstablishmentStartForm,
    StepForm,
)
from ..models import Establishment, EstablishmentDocument
from ..services import establishment as services


class EstablishmentListView(ConsoleListView):
    model = Establishment
    filterset_class = EstablishmentFilterSet
    columns = ["union", "stage", "preparation_on", "election_on", "approved_on", "responsible"]
    ordering_fields = ["preparation_on", "approved_on", "id"]
    default_ordering = "-id"

    def get_queryset(self):
        return super().get_queryset().select_related("union", "responsible")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("orgs:establishment-start")
        return context


class EstablishmentDetailView(ConsoleDetailView):
    model = Establishment
    template_name = "orgs/establishment_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union__parent", "union__region", "responsible")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        establishment = self.object
        context["employers"] = establishment.employers.select_related("region", "brand").order_by("name")
        context["documents"] = EstablishmentDocument.objects.restrict(self.request.user).filter(
            establishment=establishment
        )
        if context["can_change"]:
            stage = establishment.stage
            context["step_form"] = StepForm() if stage in services.NEXT else None
            context["approve_form"] = ApproveForm() if stage == services.Stage.APPROVAL else None
            context["abandon_form"] = (
                AbandonForm() if stage not in (services.Stage.ESTABLISHED, services.Stage.ABANDONED) else None
            )
            context["document_form"] = DocumentForm()
        return context


def _allowed_to_start(user) -> bool:
    return user.is_superuser or bool(user.scope_paths(registry[Establishment].roles[ADD]))


@access.requires(access.SCOPED)
def establishment_start(request):
    """Start establishing a union: it enters the tree as "preparing" under the chosen parent."""
    if not _allowed_to_start(request.user):
        raise Http404
    form = EstablishmentStartForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            establishment = form.start()
        except PermissionDenied:
            form.add_error(None, _("超出您的管理范围，未保存。"))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已启动筹备：%(name)s") % {"name": establishment.union.name})
            return redirect(establishment)
    return render(request, "core/form.html", {"form": form, "title": _("启动建会")})


def _changeable(request, pk) -> Establishment:
    return get_object_or_404(Establishment.objects.restrict(request.user, CHANGE), pk=pk)


def _step(request, pk, form_class, action):
    establishment = _changeable(request, pk)
    form = form_class(request.POST)
    return step(request, establishment, form, lambda data: action(establishment, data), _("已保存"))


@require_POST
@access.requires(access.SCOPED)
def establishment_advance(request, pk):
    return _step(
        request,
        pk,
        StepForm,
        lambda e, d: services.advance(e, d["on"], request.user, d["note"]),
    )


@require_POST
@access.requires(access.SCOPED)
def establishment_approve(request, pk):
    return _step(
        request,
        pk,
        ApproveForm,
        lambda e, d: services.approve(e, d["on"], d["reference"], request.user, d["note"]),
    )


@require_POST
@access.requires(access.SCOPED)
def establishment_abandon(request, pk):
    return _step(
        request,
        pk,
        AbandonForm,
        lambda e, d: services.abandon(e, d["on"], d["reason"], request.user),
    )


@require_POST
@access.requires(access.SCOPED)
def establishment_document_add(request, pk):
    establishment = _changeable(request, pk)
    return step(
        request,
        establishment,
        DocumentForm(request.POST, request.FILES),
        lambda d: services.add_document(establishment, d["kind"], d["title"], d["file"], request.user),
        _("已上传"),
    )


@access.requires(access.SCOPED)
def establishment_document(request, pk):
    """A document, to whoever may see its establishment; there is no public URL for it."""
    document = get_object_or_404(EstablishmentDocument.objects.restrict(request.user), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    extension = document.file.name.rsplit(".", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=f"{document.title}.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
