"""The H5 join form (扫码入会): what the worker types; the rules are in members.services.joining."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import limits, pii
from members.choices import EmploymentForm
from orgs.models import Brand, Employer

from .forms import PhoneField


class JoinForm(forms.Form):
    name = forms.CharField(
        label=_("真实姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = PhoneField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.RegexField(
        label=_("验证码"),
        regex=r"^[0-9]{6}$",
        required=False,
        error_messages={"invalid": _("验证码为6位数字")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
        ),
    )
    employment_form = forms.ChoiceField(label=_("就业形态"), choices=EmploymentForm.choices)
    brand = forms.ModelChoiceField(
        label=_("平台/品牌"), queryset=Brand.objects.all(), required=False, empty_label=_("（不选）")
    )
    employer = forms.ModelChoiceField(
        label=_("用人单位/站点"), queryset=Employer.objects.none(), required=False, empty_label=_("（不选）")
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护告知书》，同意工会为入会与会籍管理处理我的个人信息"),
        required=True,
        error_messages={"required": _("需要同意入会个人信息授权才能提交申请")},
    )
    account = forms.BooleanField(
        label=_("同时用本手机号开通“我的”，查看办理进度和电子会员卡"), required=False
    )

    def __init__(self, *args, employers=None, fixed_employer=None, signed_in=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_employer = fixed_employer
        if fixed_employer is not None or employers is None:
            del self.fields["employer"]
        else:
            self.fields["employer"].queryset = employers
        if signed_in:
            # A signed-in worker's phone is already verified: neither phone nor code is asked again.
            for name in ("phone", "code", "account"):
                del self.fields[name]

    def clean_id_number(self):
        try:
            return pii.parse_id_number(self.cleaned_data["id_number"]).value
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="id_number") from None


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("补充说明"), max_length=limits.REASON, widget=forms.Textarea(attrs={"rows": 3})
    )
