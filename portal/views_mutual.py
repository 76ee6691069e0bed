"""医疗互助 on the worker's H5: my coverage (plan, period), enrol while a plan's window is open, submit a
claim with documents (photos or PDF), and each claim's status. Every step calls rights.services.mutual."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import access
from rights.models import ClaimDocument, MutualAidClaim, MutualAidEnrollment
from rights.services import mutual
from rights.views.mutual import serve_document

from .views_rights import MultipleImageInput, PhotosField, _add_errors


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("理赔类别"), choices=mutual.CLAIM_KINDS)
    incurred_on = forms.DateField(
        label=gettext_lazy("就医日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount_claimed = forms.DecimalField(
        label=gettext_lazy("申请金额（元）"), max_digits=12, decimal_places=2, min_value=0.01
    )
    documents = PhotosField(
        label=gettext_lazy("材料：发票、病历、出院小结（照片或 PDF，每个不超过 10 MB）"),
        required=False,
        widget=MultipleImageInput(attrs={"accept": "image/*,application/pdf"}),
    )


def _person(request):
    if not hasattr(request.user, "person"):
        raise Http404
    return request.user.person


@never_cache
@access.requires(access.WORKER)
def mutual_home(request):
    """My coverage, the plans open to me now, and my claims."""
    person = _person(request)
    today = timezone.localdate()
    enrolments = list(
        MutualAidEnrollment.objects.filter(person=person)
        .select_related("plan", "plan__union")
        .order_by("-enrolled_on")
    )
    claims = list(
        MutualAidClaim.objects.filter(enrollment__person=person).select_related("enrollment__plan")[:50]
    )
    return render(
        request,
        "portal/mutual.html",
        {
            "enrolments": [(e, e.coverage_starts_on <= today <= e.coverage_ends_on) for e in enrolments],
            "open_plans": list(mutual.open_plans_for(person, today)),
            "claims": claims,
        },
    )


@require_POST
@access.requires(access.WORKER)
def mutual_enrol(request, pk):
    person = _person(request)
    plan = get_object_or_404(mutual.open_plans_for(person), pk=pk)
    try:
        enrolment = mutual.enrol(plan, person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("参保成功，保障期间 %(a)s 至 %(b)s")
            % {"a": enrolment.coverage_starts_on, "b": enrolment.coverage_ends_on},
        )
    return redirect("portal:mutual")


@never_cache
@access.requires(access.WORKER)
def mutual_claim(request, pk):
    """Submit a claim under one of my enrolments."""
    person = _person(request)
    enrolment = get_object_or_404(MutualAidEnrollment.objects.select_related("plan"), pk=pk, person=person)
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = mutual.submit_claim(
                enrolment,
                data["kind"],
                data["incurred_on"],
                data["amount_claimed"],
                documents=data["documents"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("理赔申请已提交，审核结果会通知您"))
            return redirect("portal:mutual-claim-status", pk=claim.pk)
    return render(request, "portal/mutual_claim.html", {"form": form, "enrolment": enrolment})


@never_cache
@access.requires(access.WORKER)
def mutual_claim_status(request, pk):
    person = _person(request)
    claim = get_object_or_404(
        MutualAidClaim.objects.select_related("enrollment__plan"), pk=pk, enrollment__person=person
    )
    return render(
        request, "portal/mutual_claim_status.html", {"claim": claim, "documents": list(claim.documents.all())}
    )


@access.requires(access.WORKER)
def mutual_document(request, pk):
    """One of my own claim's documents."""
    person = _person(request)
    document = get_object_or_404(ClaimDocument, pk=pk, claim__enrollment__person=person)
    return serve_document(document)
