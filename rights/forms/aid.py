"""Forms of hardship aid, shared by the console and the worker's H5: the application with its household
members (a formset), the visit, decisions, payments, the re-check and exit."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import limits, pii

from ..choices import AidTier
from ..services import aid as services

DATE = {"type": "date"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; each is checked by the service (PDF or photo, ≤ 10 MB)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class IdNumberField(forms.CharField):
    """An 18-digit ID number, checked (GB 11643) and returned normalised."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("min_length", 15)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "inputmode": "text", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        return pii.parse_id_number(value.strip().upper()).value


class ApplicationForm(forms.Form):
    tier = forms.ChoiceField(label=_("困难类别"), choices=AidTier.choices)
    cause = forms.CharField(
        label=_("致困原因"), widget=forms.Textarea(attrs={"rows": 4}), max_length=limits.REASON
    )
    annual_income = forms.DecimalField(
        label=_("家庭年收入（元）"), min_value=Decimal(0), max_digits=12, decimal_places=2
    )
    applicant_income = forms.DecimalField(
        label=_("申请人本人年收入（元）"),
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    documents = FilesField(
        label=_("证明材料（可选：收入证明、病历、事故认定等，PDF 或照片，每份不超过 10 MB）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/*"}),
    )
    consent = forms.BooleanField(
        label=_("申请人及家庭成员已同意工会为困难帮扶核实、公示（仅公示姓氏、类别和金额）而处理以上信息"),
        required=True,
    )


class OnBehalfForm(ApplicationForm):
    """The console's application on a worker's behalf: the file's union and who the applicant is."""

    union = forms.ModelChoiceField(label=_("建档工会"), queryset=None)
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=50)
    applicant_id_number = IdNumberField(label=_("申请人身份证号"))

    field_order = ["union", "applicant_name", "applicant_id_number"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from orgs.models import Union

        from ..models.legal import RIGHTS_OFFICIALS

        if user.is_superuser:
            unions = Union.objects.all()
        else:
            from django.db.models import Q

            paths = user.scope_paths(RIGHTS_OFFICIALS)
            covered = Q(pk__in=[])
            for path in paths:
                covered |= Q(path__startswith=path)
            unions = Union.objects.filter(covered)
        self.fields["union"].queryset = unions.order_by("path")


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(label=_("身份证号"))
    relation = forms.CharField(label=_("与申请人关系"), max_length=20)
    annual_income = forms.DecimalField(
        label=_("年收入（元）"), min_value=Decimal(0), max_digits=12, decimal_places=2, required=False
    )
    note = forms.CharField(label=_("健康、就业、就学情况"), max_length=200, required=False)

    def entry(self) -> services.MemberEntry:
        data = self.cleaned_data
        return services.MemberEntry(
            id_number=data["id_number"],
            name=data["name"],
            relation=data["relation"],
            annual_income=data.get("annual_income") or Decimal(0),
            note=data.get("note", ""),
        )


HouseholdFormSet = forms.formset_factory(
    MemberForm, extra=4, max_num=services.MAX_HOUSEHOLD, validate_max=True
)


def household_entries(formset) -> list[services.MemberEntry]:
    return [form.entry() for form in formset.forms if form.has_changed() and form.cleaned_data]


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs=DATE), initial=timezone.localdate
    )
    visitors = forms.CharField(label=_("走访人员"), max_length=100)
    findings = forms.CharField(
        label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.NOTE
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批意见"),
        choices=[("approve", _("同意")), ("send_back", _("退回")), ("reject", _("不予通过"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("意见或理由"), max_length=190, required=False)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("发放日期"), widget=forms.DateInput(attrs=DATE), initial=timezone.localdate
    )
    amount = forms.DecimalField(
        label=_("金额（元）"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    purpose = forms.CharField(label=_("用途"), max_length=100)


class RecheckForm(forms.Form):
    tier = forms.ChoiceField(label=_("复核后类别"), choices=AidTier.choices)
    note = forms.CharField(label=_("复核情况"), max_length=150, required=False)


class ExitForm(forms.Form):
    reason = forms.CharField(label=_("退出原因"), max_length=200)


class DocumentForm(forms.Form):
    documents = FilesField(
        label=_("上传材料（PDF 或照片，每份不超过 10 MB）"),
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/*"}),
    )
