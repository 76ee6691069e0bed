"""Console pages of hardship aid (困难帮扶): the files with their filters, applying on a worker's behalf,
a file's page (household masked, visits, documents, decisions, payments, re-check, exit), and the
printable public notice.

Every step calls rights.services.aid. People appear masked only (masked name, ID mask); files whose
notice period has ended are made active when these pages are opened (services.finish_notices), so no
scheduler is needed for that step.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.scoping import CHANGE, VIEW, can
from core.steps import step
from core.views import ConsoleDetailView, ConsoleListView

from ..choices import AidStatus
from ..filtersets.aid import AidCaseFilterSet
from ..forms.aid import (
    DecisionForm,
    DocumentForm,
    ExitForm,
    HouseholdFormSet,
    OnBehalfForm,
    PaymentForm,
    RecheckForm,
    VisitForm,
    household_entries,
)
from ..models import AidCase, AidDocument
from ..services import aid as services

S = AidStatus


def add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class AidCaseListView(ConsoleListView):
    model = AidCase
    filterset_class = AidCaseFilterSet
    columns = ["id", "applicant", "tier", "status", "union", "awaiting", "applied_on", "next_review_on"]
    ordering_fields = ["id", "applied_on", "next_review_on", "status", "tier"]
    default_ordering = "-applied_on"

    def get(self, request, *args, **kwargs):
        services.finish_notices()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("union", "awaiting", "applicant")

    def heading(self, column):
        return _("档案编号") if column == "id" else super().heading(column)

    def cell(self, obj, column):
        if column == "id":
            return f"#{obj.pk}"
        if column == "applicant":
            return obj.applicant.masked_name or obj.applicant.id_number_mask
        if column in ("union", "awaiting"):
            union = getattr(obj, column)
            return union.name if union else ""
        return super().cell(obj, column)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("rights:aid-add")
        context["extra_actions"] = [(reverse("rights:aid-notice"), _("公示名单"))]
        return context


@access.requires(access.SCOPED)
def aid_create(request):
    """Apply on a worker's behalf: applicant and household found or created by ID number."""
    form = OnBehalfForm(request.POST or None, request.FILES or None, user=request.user)
    household = HouseholdFormSet(request.POST or None, prefix="m")
    if not form.fields["union"].queryset.exists():
        raise Http404
    if request.method == "POST" and form.is_valid() and household.is_valid():
        data = form.cleaned_data
        try:
            case = services.apply_on_behalf(
                applicant_id_number=data["applicant_id_number"],
                applicant_name=data["applicant_name"],
                union=data["union"],
                tier=data["tier"],
                cause=data["cause"],
                annual_income=data["annual_income"],
                applicant_income=data.get("applicant_income"),
                members=household_entries(household),
                documents=[(upload.name, upload) for upload in data.get("documents") or []],
                by=request.user,
            )
        except PermissionDenied:
            form.add_error("union", _("超出您的管理范围"))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("已建档，档案编号 #%(pk)s；下一步：入户走访") % {"pk": case.pk})
            return redirect(case)
    return render(request, "rights/aid_form.html", {"form": form, "household": household})


class AidCaseDetailView(ConsoleDetailView):
    model = AidCase
    template_name = "rights/aid_detail.html"

    def get(self, request, *args, **kwargs):
        services.finish_notices()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("union", "awaiting", "applicant", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        changeable = can(user, CHANGE, case)
        open_ = case.status in services.OPEN_STATUSES
        deciding = case.status in services.DECIDING and case.awaiting_id
        may_decide = bool(deciding) and services.is_deciding_official(user, case.awaiting)
        chain = services.approval_chain(case.union)
        may_object = case.status == S.NOTICE and services.is_deciding_official(user, chain[-1])
        context.update(
            household=list(case.household.select_related("person").order_by("pk")),
            visits=list(case.visits.select_related("recorded_by")),
            documents=list(case.documents.all()),
            decisions=list(case.decisions.select_related("union", "decided_by")),
            payments=list(case.payments.select_related("recorded_by")),
            paid_total=services.paid_total(case),
            chain=chain,
            standard=services.tier_amounts().get(case.tier),
            sent_back_prefix=services.SENT_BACK,
            visit_form=VisitForm() if changeable and open_ else None,
            document_form=DocumentForm() if changeable and open_ else None,
            decision_form=DecisionForm() if may_decide else None,
            may_object=may_object,
            payment_form=PaymentForm() if changeable and case.status == S.ACTIVE else None,
            recheck_form=RecheckForm(initial={"tier": case.tier})
            if changeable and case.status == S.ACTIVE
            else None,
            exit_form=ExitForm() if changeable and open_ else None,
            review_due=case.status == S.ACTIVE
            and case.next_review_on
            and case.next_review_on <= timezone.localdate(),
        )
        return context


def _case(request, pk, action=CHANGE) -> AidCase:
    return get_object_or_404(
        AidCase.objects.restrict(request.user, action).select_related("union", "awaiting"), pk=pk
    )


def _step(request, pk, form_class, run, success: str, action=CHANGE):
    case = _case(request, pk, action)
    form = form_class(request.POST, request.FILES or None)
    return step(request, case, form, lambda data: run(case, data), success)


@require_POST
@access.requires(access.SCOPED)
def aid_visit(request, pk):
    return _step(
        request,
        pk,
        VisitForm,
        lambda case, d: services.record_visit(
            case, request.user, d["visited_on"], d["visitors"], d["findings"]
        ),
        _("已记录入户走访"),
    )


@require_POST
@access.requires(access.SCOPED)
def aid_decide(request, pk):
    """Approve, send back or reject, by the awaiting union's rights officials (checked by the service)."""

    def run(case, data):
        note = data.get("note", "")
        if data["decision"] == "approve":
            services.approve(case, request.user, note)
        elif data["decision"] == "send_back":
            services.send_back(case, request.user, note)
        else:
            services.reject(case, request.user, note)

    return _step(request, pk, DecisionForm, run, _("审批意见已记录"), action=VIEW)


@require_POST
@access.requires(access.SCOPED)
def aid_object(request, pk):
    """During the notice: an objection upheld ends the file (the last approving union decides)."""
    return _step(
        request,
        pk,
        ExitForm,
        lambda case, d: services.reject(case, request.user, d["reason"]),
        _("公示异议成立，档案未通过"),
        action=VIEW,
    )


@require_POST
@access.requires(access.SCOPED)
def aid_document(request, pk):
    def run(case, data):
        services.add_documents(case, [(u.name, u) for u in data["documents"]], request.user)

    return _step(request, pk, DocumentForm, run, _("材料已上传"))


@require_POST
@access.requires(access.SCOPED)
def aid_payment(request, pk):
    return _step(
        request,
        pk,
        PaymentForm,
        lambda case, d: services.record_payment(case, request.user, d["paid_on"], d["amount"], d["purpose"]),
        _("已登记发放"),
    )


@require_POST
@access.requires(access.SCOPED)
def aid_recheck(request, pk):
    return _step(
        request,
        pk,
        RecheckForm,
        lambda case, d: services.recheck(case, request.user, d["tier"], d.get("note", "")),
        _("年度复核已记录，下次复核在一年后"),
    )


@require_POST
@access.requires(access.SCOPED)
def aid_exit(request, pk):
    return _step(
        request,
        pk,
        ExitForm,
        lambda case, d: services.exit_case(case, request.user, d["reason"]),
        _("档案已退出帮扶；该家庭今后可重新申请"),
    )


@access.requires(access.SCOPED)
def aid_document_file(request, pk):
    document = get_object_or_404(AidDocument.objects.restrict(request.user, VIEW), pk=pk)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="aid-{document.aid_case_id}-{document.pk}"'
    return response


@access.requires(access.SCOPED)
def aid_notice(request):
    """The public notice (公示) of files in their notice period, printable: masked name, tier, amount."""
    services.finish_notices()
    cases = services.in_notice(AidCase.objects.restrict(request.user, VIEW))
    amounts = services.tier_amounts()
    rows = [(case, amounts.get(case.tier)) for case in cases[:500]]
    return render(
        request,
        "rights/aid_notice.html",
        {"rows": rows, "today": timezone.localdate(), "days": services.notice_days()},
    )
