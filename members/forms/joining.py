from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import limits, pii

from ..choices import EmploymentForm, JoinChannel


class DecisionForm(forms.Form):
    """One text box for the reviewer: a note (approve), a reason (reject) or a question (ask)."""

    text = forms.CharField(
        label=_("意见"), max_length=limits.REASON, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


ENROL_CHANNELS = [
    (value, label)
    for value, label in JoinChannel.choices
    if value in (JoinChannel.ON_SITE, JoinChannel.MOBILE_WINDOW, JoinChannel.COLLECTIVE)
]


class EnrolForm(forms.Form):
    """An official enrols a worker in person (现场办理, 流动窗口, 集体登记)."""

    union = forms.ModelChoiceField(label=_("入会工会"), queryset=None)
    channel = forms.ChoiceField(label=_("入会渠道"), choices=ENROL_CHANNELS)
    name = forms.CharField(label=_("真实姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    employment_form = forms.ChoiceField(label=_("就业形态"), choices=EmploymentForm.choices)
    consent = forms.BooleanField(
        label=_("职工已阅读《个人信息保护告知书》并签字同意入会个人信息授权"),
        error_messages={"required": _("需要职工签字同意入会个人信息授权")},
    )

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions

    def clean_id_number(self):
        try:
            return pii.parse_id_number(self.cleaned_data["id_number"]).value
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="id_number") from None

    def clean_phone(self):
        try:
            return pii.normalise_phone(self.cleaned_data["phone"])
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="phone") from None
