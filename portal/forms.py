from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import pii


class PhoneField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        try:
            return pii.normalise_phone(value)
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="phone") from None


class PhoneForm(forms.Form):
    phone = PhoneField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0000 0000"}
        ),
    )


class CodeForm(forms.Form):
    phone = PhoneField(label=_("手机号"), max_length=20, widget=forms.HiddenInput)
    code = forms.RegexField(
        label=_("验证码"),
        regex=r"^[0-9]{6}$",
        error_messages={"invalid": _("验证码为6位数字")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
        ),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护告知书》"),
        required=True,
        error_messages={"required": _("需要同意个人信息保护告知书才能登录")},
    )
