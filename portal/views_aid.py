"""困难帮扶 and 我的福利 on the worker's H5.

The worker applies for hardship aid for their own household (the file is kept by their union); the
household's ID numbers travel only in the POST body and are checked, hashed and masked by the service.
"我的帮扶" shows the file's status; "我的福利" shows the worker's benefit grants, redeemed or not, and where
and until when to redeem them (by showing the member card).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core import access
from rights.forms.aid import ApplicationForm, HouseholdFormSet, IdNumberField, household_entries
from rights.services import aid as aid_services
from rights.services import benefits as benefit_services
from rights.views.aid import add_errors


def _person(request):
    if not hasattr(request.user, "person"):
        raise Http404
    return request.user.person


class SelfApplicationForm(ApplicationForm):
    """The worker's own application; their ID number is asked only when their record has none."""

    def __init__(self, *args, needs_id: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_id:
            self.fields["own_name"] = forms.CharField(label=_("您的姓名"), max_length=50)
            self.fields["own_id_number"] = IdNumberField(label=_("您的身份证号"))
            self.order_fields(["own_name", "own_id_number"])


def _complete_own_record(person, data) -> None:
    """Give a phone-only worker record the ID number typed, unless it belongs to someone else."""
    from core import pii
    from members.models import Person

    digest = pii.lookup_hash("id", data["own_id_number"])
    if Person.objects.filter(id_number_hash=digest).exclude(pk=person.pk).exists():
        raise ValidationError(
            {"own_id_number": _("该身份证号已登记在另一账号下，请携带身份证到工会现场办理")}
        )
    person.set_id_number(data["own_id_number"])
    if not person.name:
        person.name = data["own_name"].strip()[:50]
    person.save()


@never_cache
@access.requires(access.WORKER)
def aid_apply(request):
    person = _person(request)
    membership = person.memberships.filter(status="active").select_related("union").first()
    current = aid_services.open_file_of([person.pk])
    needs_id = not person.id_number_hash
    form = SelfApplicationForm(request.POST or None, request.FILES or None, needs_id=needs_id)
    household = HouseholdFormSet(request.POST or None, prefix="m")
    if membership is not None and current is None and request.method == "POST":
        if form.is_valid() and household.is_valid():
            data = form.cleaned_data
            try:
                # One transaction: a refused application leaves the worker's record as it was.
                with transaction.atomic():
                    if needs_id:
                        _complete_own_record(person, data)
                    case = aid_services.apply(
                        union=membership.union,
                        applicant=person,
                        tier=data["tier"],
                        cause=data["cause"],
                        annual_income=data["annual_income"],
                        applicant_income=data.get("applicant_income"),
                        members=household_entries(household),
                        documents=[(u.name, u) for u in data.get("documents") or []],
                    )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request, _("申请已提交，档案编号 #%(pk)s。工会将入户走访核实。") % {"pk": case.pk}
                )
                return redirect("portal:my-aid")
    return render(
        request,
        "portal/aid_apply.html",
        {"form": form, "household": household, "membership": membership, "current": current},
    )


@never_cache
@access.requires(access.WORKER)
def my_aid(request):
    person = _person(request)
    aid_services.finish_notices()
    cases = list(aid_services.my_cases(person)[:20])
    amounts = aid_services.tier_amounts()
    rows = [
        {
            "case": case,
            "own": case.applicant_id == person.pk,
            "paid": aid_services.paid_total(case),
            "standard": amounts.get(case.tier),
            "household": list(case.household.select_related("person").order_by("pk"))
            if case.applicant_id == person.pk
            else [],
        }
        for case in cases
    ]
    return render(request, "portal/aid_mine.html", {"rows": rows})


@never_cache
@access.requires(access.WORKER)
def my_benefits(request):
    person = _person(request)
    today = timezone.localdate()
    grants = list(benefit_services.my_grants(person)[:50])
    has_card = person.memberships.filter(status="active").exists()
    return render(
        request, "portal/benefit_mine.html", {"grants": grants, "today": today, "has_card": has_card}
    )
