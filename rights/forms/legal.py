"""Console forms of legal consultations: lawyer profiles, duty days, replies, reassignment, cases."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import limits
from core.forms import ScopedModelForm
from core.scoping import CHANGE, VIEW

from ..choices import CaseOutcome, ConsultationCategory
from ..models import DutyDay, Lawyer, RightsCase
from ..services import legal


class LawyerForm(ScopedModelForm):
    """A pro bono lawyer's profile, for an account holding the 公益律师 role (granted in 账号与角色)."""

    categories = forms.MultipleChoiceField(
        label=_("擅长类别"),
        choices=ConsultationCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则接受所有类别"),
    )

    class Meta:
        model = Lawyer
        fields = ["user", "union", "name", "firm", "categories", "regions", "max_open", "active"]
        help_texts = {
            "user": _("持有“公益律师”角色的账号；先在“账号与角色”中授予角色"),
            "regions": _("不选则接受所有地区；选择区县即包含其下各街道"),
            "max_open": _("待答复的咨询达到此数后不再自动分配"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = legal.lawyer_accounts(self.user, self.instance)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")
        self.fields["regions"].widget.attrs["size"] = 8

    def clean(self):
        cleaned = super().clean()
        user, union = cleaned.get("user"), cleaned.get("union")
        if user and union and not legal.holds_lawyer_role(user, union):
            self.add_error("user", _("该账号在所选工会没有“公益律师”角色，请先在“账号与角色”中授予"))
        return cleaned


class DutyDayForm(ScopedModelForm):
    # Only lawyers of pools the user manages.
    choice_actions = {"lawyer": CHANGE}

    class Meta:
        model = DutyDay
        fields = ["lawyer", "station", "day", "starts_at", "ends_at"]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = self.fields["lawyer"].queryset.filter(active=True)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("答复内容"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 6})
    )


class ReassignForm(forms.Form):
    lawyer = forms.ModelChoiceField(label=_("改派给"), queryset=Lawyer.objects.none())

    def __init__(self, *args, consultation, user, **kwargs):
        super().__init__(*args, **kwargs)
        union = consultation.union
        pool = Lawyer.objects.restrict(user, VIEW).filter(active=True)
        self.fields["lawyer"].queryset = pool.filter(union__in=[union, *union.ancestors()]).order_by("name")


class CaseForm(forms.ModelForm):
    class Meta:
        model = RightsCase
        fields = ["outcome", "amount_recovered", "closed_on", "summary"]
        widgets = {
            "closed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"closed_on": _("咨询解决、调解结案时留空则记为今天；仲裁、诉讼进行中可留空")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = CaseOutcome.choices
