from django import forms
from django.utils.translation import gettext_lazy as _

from core.scoping import ADD, owners_for
from orgs.models import Union

from ..models import ImportBatch
from ..services.imports import FIELDS


class ImportUploadForm(forms.Form):
    """The list to enrol and the union the people join; only unions the official may enrol into."""

    union = forms.ModelChoiceField(queryset=Union.objects.none(), label=_("入会工会"))
    file = forms.FileField(
        label=_("名单文件"),
        help_text=_("xlsx 或 csv（UTF-8 或 GBK 编码均可）；须有“姓名”“身份证号”列，可有“手机号”“就业形态”列"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = owners_for(user, ImportBatch, ADD, Union.objects.order_by("path"))


class MappingForm(forms.Form):
    """Which of the file's columns holds each of our fields."""

    def __init__(self, *args, headings: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("（无此列）"))] + [(h, h) for h in headings if h]
        for field, (label, required, _aliases) in FIELDS.items():
            self.fields[field] = forms.ChoiceField(choices=choices, label=label, required=required)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("import", _("导入有效行")), ("discard", _("全部不导入"))], label=_("处理方式")
    )
