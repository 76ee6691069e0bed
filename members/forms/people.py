from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import services


class PersonLookupForm(forms.Form):
    """Exact search by full ID number or phone: sent by POST so the number never lands in a URL."""

    number = forms.CharField(
        label=_("身份证号/手机号"),
        max_length=30,
        error_messages={"required": _("请输入完整的18位身份证号或11位手机号")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
    )

    def clean_number(self):
        try:
            return services.lookup_key(self.cleaned_data["number"])
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="lookup") from None
