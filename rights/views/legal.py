"""Console pages of legal consultations: the lawyers' registry, consultations (list, thread, answer,
reassign, close, case), a lawyer's own phone-friendly queue, and duty days at stations.

Lawyers hold the assigned-only 公益律师 role: every list here reaches them through restrict(), so they
see only the consultations assigned to them. The worker appears masked only (Person.masked_name).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.scoping import CHANGE, DELETE, VIEW, can, check_write
from core.steps import refused, step
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from ..choices import ConsultationStatus
from ..filtersets.legal import ConsultationFilterSet, DutyDayFilterSet, LawyerFilterSet
from ..forms.legal import CaseForm, DutyDayForm, LawyerForm, ReassignForm, ReplyForm
from ..models import Consultation, ConsultationPhoto, DutyDay, Lawyer, RightsCase
from ..services import legal as services

S = ConsultationStatus


# ---------------------------------------------------------------- consultations


class ConsultationListView(ConsoleListView):
    model = Consultation
    filterset_class = ConsultationFilterSet
    columns = [
        "id",
        "category",
        "status",
        "union",
        "lawyer",
        "submitted_at",
        "due_at",
        "escalated_at",
        "rating",
    ]
    ordering_fields = ["id", "submitted_at", "due_at", "status", "rating"]
    default_ordering = "-submitted_at"
    export_name = "consultations"

    def get_queryset(self):
        return super().get_queryset().select_related("union", "lawyer")

    template_name = "rights/consultation_list.html"

    def heading(self, column):
        return _("编号") if column == "id" else super().heading(column)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_lawyer"] = Lawyer.objects.filter(user=self.request.user).exists()
        return context


class ConsultationDetailView(ConsoleDetailView):
    model = Consultation
    template_name = "rights/consultation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union", "lawyer", "person", "region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = self.object, self.request.user
        official = services.is_rights_official(user, item)
        lawyer = services.is_assigned_lawyer(user, item)
        open_ = item.status != S.CLOSED
        case = RightsCase.objects.filter(consultation=item).first()
        context.update(
            thread=list(item.messages.select_related("author").order_by("sent_at", "pk")),
            photos=list(item.photos.all()),
            is_official=official,
            is_lawyer=lawyer,
            reply_form=ReplyForm() if open_ and (official or lawyer) else None,
            reassign_form=ReassignForm(consultation=item, user=user) if open_ and official else None,
            can_close=open_ and (official or lawyer),
            case=case,
            can_make_case=case is None and (official or lawyer),
            case_form=CaseForm(instance=case) if case and (official or lawyer) else None,
            overdue=item.status in services.UNANSWERED and item.due_at and item.due_at < timezone.now(),
        )
        return context


def _consultation(request, pk, action=VIEW) -> Consultation:
    return get_object_or_404(
        Consultation.objects.restrict(request.user, action).select_related("union", "lawyer", "person"), pk=pk
    )


@require_POST
@access.requires(access.SCOPED)
def consultation_reply(request, pk):
    item = _consultation(request, pk, CHANGE)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写答复内容"))
        return redirect(item)
    try:
        services.answer(item, request.user, form.cleaned_data["body"])
    except (ValidationError, PermissionDenied) as error:
        refused(request, error)
    else:
        messages.success(request, _("已答复，职工会收到通知"))
    return redirect(
        reverse("rights:lawyer-mine") if request.POST.get("next") == "mine" else item.get_absolute_url()
    )


@require_POST
@access.requires(access.SCOPED)
def consultation_reassign(request, pk):
    item = _consultation(request, pk, CHANGE)
    form = ReassignForm(request.POST, consultation=item, user=request.user)
    if not form.is_valid():
        messages.error(request, _("请选择律师"))
        return redirect(item)
    try:
        services.reassign(item, form.cleaned_data["lawyer"], request.user)
    except (ValidationError, PermissionDenied) as error:
        refused(request, error)
    else:
        messages.success(request, _("已改派给 %(name)s") % {"name": form.cleaned_data["lawyer"].name})
    return redirect(item)


@require_POST
@access.requires(access.SCOPED)
def consultation_close(request, pk):
    item = _consultation(request, pk, CHANGE)
    try:
        services.close(item, request.user)
    except (ValidationError, PermissionDenied) as error:
        refused(request, error)
    else:
        messages.success(request, _("咨询已结束"))
    return redirect(item)


@require_POST
@access.requires(access.SCOPED)
def consultation_case(request, pk):
    """Make a rights case of the consultation."""
    item = _consultation(request, pk, CHANGE)
    try:
        services.make_case(item, request.user, request.POST.get("summary", ""))
    except (ValidationError, PermissionDenied) as error:
        refused(request, error)
    else:
        messages.success(request, _("已转为维权案件"))
    return redirect(item)


@require_POST
@access.requires(access.SCOPED)
def case_edit(request, pk):
    case = get_object_or_404(
        RightsCase.objects.restrict(request.user, CHANGE).select_related(
            "consultation__union", "consultation__lawyer"
        ),
        pk=pk,
    )
    return step(
        request,
        case.consultation,
        CaseForm(request.POST, instance=RightsCase.objects.get(pk=case.pk)),
        lambda data: services.update_case(
            case,
            request.user,
            data["outcome"],
            data["amount_recovered"],
            summary=data.get("summary", ""),
            closed_on=data.get("closed_on"),
        ),
        _("已保存办理结果"),
    )


@access.requires(access.SCOPED)
def consultation_photo(request, pk):
    photo = get_object_or_404(ConsultationPhoto.objects.restrict(request.user, VIEW), pk=pk)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@access.requires(access.SCOPED)
def lawyer_mine(request):
    """A lawyer's own queue on a phone: what awaits an answer first, then recent answered ones."""
    mine = Consultation.objects.restrict(request.user, VIEW).filter(lawyer__user=request.user)
    waiting = list(mine.filter(status=S.ASSIGNED).order_by("due_at", "pk").select_related("person"))
    recent = list(
        mine.filter(status__in=(S.ANSWERED, S.CLOSED))
        .order_by("-answered_at", "-pk")
        .select_related("person")[:30]
    )
    profile = Lawyer.objects.filter(user=request.user).first()
    return render(
        request,
        "rights/lawyer_mine.html",
        {
            "waiting": waiting,
            "recent": recent,
            "profile": profile,
            "now": timezone.now(),
            "reply_form": ReplyForm(),
        },
    )


# ---------------------------------------------------------------- lawyers


class LawyerListView(ConsoleListView):
    model = Lawyer
    filterset_class = LawyerFilterSet
    # The account first: it tells two lawyers of the same name apart (and in the export).
    columns = ["user", "name", "firm", "union", "max_open", "active"]
    ordering_fields = ["name", "max_open"]
    default_ordering = "name"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("rights:lawyer-add")
        return context


class LawyerDetailView(ConsoleDetailView):
    model = Lawyer
    template_name = "rights/lawyer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lawyer = self.object
        visible = Consultation.objects.restrict(self.request.user, VIEW).filter(lawyer=lawyer)
        context.update(
            open_count=lawyer.consultations.filter(status=S.ASSIGNED).count(),
            consultations=list(visible.order_by("-submitted_at", "-pk")[:20]),
            duty_days=list(
                DutyDay.objects.restrict(self.request.user, VIEW)
                .filter(lawyer=lawyer, day__gte=timezone.localdate())
                .select_related("station")[:20]
            ),
            regions=list(lawyer.regions.all()),
            category_labels=services.category_labels(lawyer.categories),
        )
        return context


class LawyerCreateView(ConsoleCreateView):
    model = Lawyer
    form_class = LawyerForm


class LawyerUpdateView(ConsoleUpdateView):
    model = Lawyer
    form_class = LawyerForm


# ---------------------------------------------------------------- duty days


class DutyDayListView(ConsoleListView):
    model = DutyDay
    filterset_class = DutyDayFilterSet
    # The station first: a day does not tell rows apart.
    columns = ["station", "day", "starts_at", "ends_at", "lawyer"]
    ordering_fields = ["day"]
    default_ordering = "day"

    def get_queryset(self):
        return super().get_queryset().select_related("lawyer", "station")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("rights:duty-add")
        return context


class DutyDayCreateView(ConsoleCreateView):
    model = DutyDay
    form_class = DutyDayForm

    def get_initial(self):
        return {"station": self.request.GET.get("station"), "lawyer": self.request.GET.get("lawyer")}

    def get_success_url(self):
        return reverse("rights:duty-list")


@access.requires(access.SCOPED)
def duty_edit(request, pk):
    """Change a duty day (a function view: the row has no text field for the generic update matrix);
    found through restrict(CHANGE), the save re-checked inside the transaction. The list links every
    row here: a role that sees duty days but does not arrange them is shown the lawyer's page, which
    lists them (a 404 was all it got)."""
    duty = DutyDay.objects.restrict(request.user, CHANGE).select_related("station").filter(pk=pk).first()
    if duty is None:
        seen = DutyDay.objects.restrict(request.user, VIEW).filter(pk=pk).first()
        lawyer = seen and Lawyer.objects.restrict(request.user, VIEW).filter(pk=seen.lawyer_id).first()
        if request.method != "GET" or not lawyer:
            raise Http404
        return redirect(lawyer)
    form = DutyDayForm(request.POST or None, instance=duty, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()
                check_write(request.user, CHANGE, saved)
        except PermissionDenied:
            form.add_error(None, _("超出您的管理范围，未保存。"))
        else:
            messages.success(request, _("已保存驻站安排"))
            return redirect("rights:duty-list")
    return render(
        request,
        "rights/duty_form.html",
        {"form": form, "object": duty, "opts": DutyDay._meta, "can_delete": can(request.user, DELETE, duty)},
    )


@require_POST
@access.requires(access.SCOPED)
def duty_delete(request, pk):
    duty = get_object_or_404(DutyDay.objects.restrict(request.user, DELETE), pk=pk)
    duty.delete()
    messages.success(request, _("已删除驻站安排"))
    return redirect("rights:duty-list")
