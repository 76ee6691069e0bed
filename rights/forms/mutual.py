"""Console forms of mutual medical aid: plans, batch enrolment (a subtree or a file of ID numbers),
one person on their behalf, claims on behalf, the review and the payment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ScopedModelForm
from core.scoping import ADD
from orgs.models import Union

from ..models import MutualAidEnrollment, MutualAidPlan
from ..services import mutual

DATE = {"type": "date"}


class PlanForm(ScopedModelForm):
    class Meta:
        model = MutualAidPlan
        fields = [
            "union",
            "name",
            "year",
            "premium",
            "enrol_opens_on",
            "enrol_closes_on",
            "coverage_starts_on",
            "coverage_ends_on",
            "members_only",
            "eligibility",
            "benefits",
        ]
        widgets = {
            name: forms.DateInput(attrs=DATE, format="%Y-%m-%d")
            for name in ("enrol_opens_on", "enrol_closes_on", "coverage_starts_on", "coverage_ends_on")
        } | {"eligibility": forms.Textarea(attrs={"rows": 3}), "benefits": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "premium": _("修改已有参保人的计划的缴费、日期或保障内容时，系统会通知所有参保职工"),
            "coverage_starts_on": _("保障开始后参保的，自参保次日起保障"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")


def _enrolling_unions(user, plan):
    """Unions of the plan's subtree where the user may enrol people."""
    from core.scoping import owners_for

    unions = Union.objects.filter(path__subtree=plan.union.path, status="active").order_by("path")
    return owners_for(user, MutualAidEnrollment, ADD, unions)


class BatchForm(forms.Form):
    union = forms.ModelChoiceField(label=_("参保工会（含下级）"), queryset=Union.objects.none())
    batch = forms.CharField(
        label=_("批次名称"), max_length=50, required=False, help_text=_("留空则按“工会名称 日期”命名")
    )
    file = forms.FileField(
        label=_("身份证号名单（可选，.xlsx 或 .csv）"),
        required=False,
        help_text=_("不上传名单时，所选工会（含下级）的全部在册会员参保"),
    )

    def __init__(self, *args, user, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = _enrolling_unions(user, plan)


class PersonEnrolForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=18, min_length=15)


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(label=_("理赔类别"), choices=mutual.CLAIM_KINDS)
    incurred_on = forms.DateField(label=_("就医日期"), widget=forms.DateInput(attrs=DATE))
    amount_claimed = forms.DecimalField(
        label=_("申请金额（元）"), max_digits=12, decimal_places=2, min_value=0.01
    )


class ApproveForm(forms.Form):
    amount_approved = forms.DecimalField(label=_("核准金额（元）"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予核准的原因"), max_length=200)


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("赔付日期"), required=False, widget=forms.DateInput(attrs=DATE))
