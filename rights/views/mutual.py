"""Console pages of mutual medical aid (职工医疗互助保障): plans (with their figures), batch enrolment
(a union subtree, or an xlsx/csv of ID numbers), one person on their behalf, enrolments (names masked),
claims on behalf, review (approve ≤ claimed / reject with reason), payment, and documents served
through an access-checked view (media has no public URL).

Every step calls rights.services.mutual; rows are read through restrict().
"""

import base64
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access, spreadsheets, steps
from core.scoping import CHANGE, VIEW, can
from core.steps import refused
from core.views import (
    ConsoleCreateView,
    ConsoleDetailView,
    ConsoleListView,
    ConsoleUpdateView,
    ScopedMixin,
)

from ..filtersets.mutual import ClaimFilterSet, EnrollmentFilterSet, PlanFilterSet
from ..forms.mutual import (
    ApproveForm,
    BatchForm,
    ClaimForm,
    PayForm,
    PersonEnrolForm,
    PlanForm,
    RejectForm,
)
from ..models import ClaimDocument, MutualAidClaim, MutualAidEnrollment, MutualAidPlan
from ..services import mutual as services

# ---------------------------------------------------------------- plans


class _WithPlansAbove(ScopedMixin):
    """Plans in scope and those of the unions above: officials enrol their own members into them."""

    def get_queryset(self):
        return services.plans_for(self.request.user)


class PlanListView(ConsoleListView, _WithPlansAbove):
    model = MutualAidPlan
    filterset_class = PlanFilterSet
    columns = ["name", "year", "union", "premium", "enrol_opens_on", "enrol_closes_on", "coverage_starts_on"]
    columns += ["coverage_ends_on", "enrolled", "collected"]
    ordering_fields = ["year", "name", "enrol_closes_on", "enrolled"]
    default_ordering = "-year"
    export_name = "mutual-plans"

    def get_queryset(self):
        # Enrolled and collected within the viewer's scope, as on the plan's page: one subquery each.
        mine = (
            MutualAidEnrollment.objects.restrict(self.request.user, VIEW)
            .filter(plan=OuterRef("pk"))
            .order_by()
            .values("plan")
        )
        return (
            super()
            .get_queryset()
            .select_related("union")
            .annotate(
                enrolled=Coalesce(Subquery(mine.annotate(n=Count("id")).values("n")), 0),
                collected=Coalesce(
                    Subquery(mine.annotate(s=Sum("premium_paid")).values("s")),
                    Value(Decimal(0)),
                    output_field=DecimalField(max_digits=14, decimal_places=2),
                ),
            )
        )

    def heading(self, column):
        labels = {"enrolled": _("参保人数"), "collected": _("已缴费（元）")}
        return labels.get(column) or super().heading(column)

    def cell(self, obj, column):
        if column == "collected":
            return Decimal(obj.collected or 0).quantize(Decimal("0.01"))
        return super().cell(obj, column)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("rights:mutual-plan-add")
        context["extra_actions"] = [
            (reverse("rights:mutual-enrollment-list"), _("参保名单")),
            (reverse("rights:mutual-claim-list"), _("理赔")),
        ]
        return context


class PlanDetailView(ConsoleDetailView):
    model = MutualAidPlan
    template_name = "rights/mutual_plan_detail.html"

    def get_queryset(self):
        # Also the plans of the unions above the official's: they enrol their own members into them.
        return services.plans_for(self.request.user).select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        enrolments = MutualAidEnrollment.objects.restrict(user, VIEW)
        claims = MutualAidClaim.objects.restrict(user, VIEW)
        batch_form = BatchForm(user=user, plan=plan)
        may_enrol = batch_form.fields["union"].queryset.exists()
        context.update(
            figures=services.plan_figures(plan, enrolments, claims),
            batches=list(
                enrolments.filter(plan=plan)
                .order_by()
                .values_list("batch")
                .annotate(n=Count("id"))
                .order_by("batch")
            ),
            window_open=services.window_open(plan),
            batch_form=batch_form if may_enrol else None,
            person_form=PersonEnrolForm() if may_enrol else None,
        )
        return context


class PlanCreateView(ConsoleCreateView):
    model = MutualAidPlan
    form_class = PlanForm

    def save(self, form):
        services.save_plan(form.instance, by=self.request.user)
        return form.instance


class PlanUpdateView(ConsoleUpdateView):
    model = MutualAidPlan
    form_class = PlanForm

    def save(self, form):
        told = services.save_plan(form.instance, by=self.request.user)
        if told:
            messages.success(
                self.request,
                _("计划已修改，将通知 %(n)d 名参保职工（人数多时在后台任务中发送）") % {"n": told},
            )
        return form.instance


def _plan(request, pk) -> MutualAidPlan:
    return get_object_or_404(services.plans_for(request.user).select_related("union"), pk=pk)


@access.requires(access.SCOPED)
def plan_enrol_batch(request, pk):
    """GET: the batch page; POST: enrol a subtree's members, or the people of a file of ID numbers."""
    plan = _plan(request, pk)
    form = BatchForm(request.POST or None, request.FILES or None, user=request.user, plan=plan)
    if not form.fields["union"].queryset.exists():
        raise Http404
    problems, result = [], None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        try:
            if upload:
                result = services.enrol_from_file(
                    plan, data["union"], upload.read(), upload.name, by=request.user, batch=data["batch"]
                )
                problems = result.problems
            else:
                result = services.enrol_batch(plan, data["union"], by=request.user, batch=data["batch"])
        except spreadsheets.FileError as error:
            form.add_error("file", str(error))
        except (ValidationError, PermissionDenied) as error:
            refused(request, error)
        else:
            if not problems:
                messages.success(
                    request,
                    _("批次“%(b)s”：新参保 %(n)d 人，已参保跳过 %(a)d 人")
                    % {"b": result.batch, "n": result.created, "a": result.already},
                )
                return redirect(plan)
    report = None
    if problems:
        # The whole list as an xlsx, carried in the page (data: link): nothing is stored on the server.
        rows = [{"row": p.row, "column": p.column, "message": p.message} for p in problems]
        report = base64.b64encode(spreadsheets.error_report(rows)).decode()
    return render(
        request,
        "rights/mutual_batch.html",
        {
            "plan": plan,
            "form": form,
            "problems": problems[:200],
            "problem_count": len(problems),
            "report": report,
            "window_open": services.window_open(plan),
        },
    )


@access.requires(access.SCOPED)
def plan_template(request, pk):
    _plan(request, pk)
    response = HttpResponse(
        services.template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="mutual-aid-enrolment.xlsx"'
    return response


@require_POST
@access.requires(access.SCOPED)
def plan_enrol_person(request, pk):
    """An official enrols one person on their behalf (the number is posted, never in a URL)."""
    plan = _plan(request, pk)
    form = PersonEnrolForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写身份证号"))
        return redirect(plan)
    try:
        enrolment = services.enrol_by_id_number(plan, form.cleaned_data["id_number"], by=request.user)
    except (ValidationError, PermissionDenied) as error:
        refused(request, error)
        return redirect(plan)
    messages.success(request, _("%(name)s 已参保") % {"name": enrolment.person.masked_name})
    return redirect(enrolment)


# ---------------------------------------------------------------- enrolments


class EnrollmentListView(ConsoleListView):
    model = MutualAidEnrollment
    filterset_class = EnrollmentFilterSet
    columns = ["id", "person", "plan", "union", "batch", "enrolled_on", "premium_paid", "coverage_starts_on"]
    columns += ["coverage_ends_on"]
    ordering_fields = ["id", "enrolled_on", "coverage_starts_on"]
    default_ordering = "-enrolled_on"
    export_name = "mutual-enrolments"

    def get_queryset(self):
        return super().get_queryset().select_related("plan", "union", "person")

    def heading(self, column):
        return _("编号") if column == "id" else super().heading(column)

    def cell(self, obj, column):
        if column == "person":
            return obj.person.masked_name
        return super().cell(obj, column)


class EnrollmentDetailView(ConsoleDetailView):
    model = MutualAidEnrollment
    template_name = "rights/mutual_enrollment_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("plan", "union", "person")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.object
        context.update(
            claims=list(MutualAidClaim.objects.restrict(self.request.user, VIEW).filter(enrollment=item)),
            claim_form=ClaimForm() if can(self.request.user, CHANGE, item) else None,
        )
        return context


@require_POST
@access.requires(access.SCOPED)
def enrollment_claim(request, pk):
    """An official submits a claim on the worker's behalf, with documents."""
    item = get_object_or_404(MutualAidEnrollment.objects.restrict(request.user, CHANGE), pk=pk)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写理赔信息"))
        return redirect(item)
    data = form.cleaned_data
    try:
        claim = services.submit_claim(
            item,
            data["kind"],
            data["incurred_on"],
            data["amount_claimed"],
            documents=request.FILES.getlist("documents"),
            by=request.user,
        )
    except (ValidationError, PermissionDenied) as error:
        refused(request, error)
        return redirect(item)
    messages.success(request, _("理赔申请已提交"))
    return redirect(claim)


# ---------------------------------------------------------------- claims


class ClaimListView(ConsoleListView):
    model = MutualAidClaim
    filterset_class = ClaimFilterSet
    columns = ["id", "person", "kind", "incurred_on", "amount_claimed", "amount_approved", "status"]
    columns += ["submitted_on", "paid_on"]
    ordering_fields = ["id", "submitted_on", "incurred_on", "amount_claimed", "status"]
    default_ordering = "-submitted_on"
    export_name = "mutual-claims"

    def get_queryset(self):
        return super().get_queryset().select_related("enrollment__person")

    def heading(self, column):
        return {"id": _("编号"), "person": _("职工")}.get(column) or super().heading(column)

    def cell(self, obj, column):
        if column == "person":
            return obj.enrollment.person.masked_name
        return super().cell(obj, column)


class ClaimDetailView(ConsoleDetailView):
    model = MutualAidClaim
    template_name = "rights/mutual_claim_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("enrollment__plan", "enrollment__person", "reviewed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        change = context["can_change"]
        submitted = claim.status == services.C.SUBMITTED
        context.update(
            documents=list(claim.documents.all()),
            approve_form=ApproveForm(initial={"amount_approved": claim.amount_claimed})
            if change and submitted
            else None,
            reject_form=RejectForm() if change and submitted else None,
            pay_form=PayForm() if change and claim.status == services.C.APPROVED else None,
        )
        return context


def _claim(request, pk, action=CHANGE) -> MutualAidClaim:
    return get_object_or_404(
        MutualAidClaim.objects.restrict(request.user, action).select_related("enrollment__person"), pk=pk
    )


@require_POST
@access.requires(access.SCOPED)
def claim_step(request, pk, step):
    claim = _claim(request, pk)
    user = request.user
    by_step = {
        "approve": (
            ApproveForm,
            lambda d: services.approve(claim, user, d["amount_approved"], d.get("note", "")),
            _("已核准，职工会收到通知"),
        ),
        "reject": (
            RejectForm,
            lambda d: services.reject(claim, user, d["reason"]),
            _("已作不予核准处理，职工会收到通知"),
        ),
        "pay": (
            PayForm,
            lambda d: services.pay(claim, user, d.get("paid_on")),
            _("已登记赔付，职工会收到通知"),
        ),
    }
    if step not in by_step:
        raise Http404
    form_class, run, success = by_step[step]
    return steps.step(request, claim, form_class(request.POST), run, success)


@access.requires(access.SCOPED)
def claim_document(request, pk):
    """A claim's document, for officials who may view the claim; never a public media URL."""
    document = get_object_or_404(ClaimDocument.objects.restrict(request.user, VIEW), pk=pk)
    return serve_document(document)


def serve_document(document: ClaimDocument):
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    name = document.file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, filename=name, as_attachment=name.endswith(".pdf"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
