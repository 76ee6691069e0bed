"""Console forms of employers and census rounds; the rules are in orgs.services."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import ScopedModelForm

from ..choices import EmploymentForm, UnionStatus
from ..models import CensusRound, Employer, Region, Union
from ..services.census_files import MAX_BYTES
from ..services.employers import area_union_for, region_prefix, settle_counts


def _form_field(form: str) -> str:
    return f"count_{form}"


class EmployerForm(ScopedModelForm):
    """The head counts come as one number field per employment form; the totals follow from them."""

    class Meta:
        model = Employer
        fields = [
            "name",
            "uscc",
            "kind",
            "brand",
            "platform",
            "sector",
            "region",
            "address",
            "latitude",
            "longitude",
            "area_union",
            "union",
            "headcount",
        ]
        help_texts = {
            "area_union": _("留空时按行政区划自动确定所在镇街总工会"),
            "headcount": _("留空时按各就业形态人数之和计算"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counts = self.instance.headcounts or {}
        for value, label in EmploymentForm.choices:
            self.fields[_form_field(value)] = forms.IntegerField(
                label=label, min_value=0, required=False, initial=counts.get(value)
            )
        self.fields["area_union"].required = False
        self.fields["headcount"].required = False
        if self.instance.pk is None:
            self.initial.setdefault("headcount", None)
        self.fields["union"].queryset = self.fields["union"].queryset.filter(status=UnionStatus.ACTIVE)
        if not self.user.is_superuser:
            prefixes = {
                region_prefix(code) for code in self._top_unions().values_list("region_id", flat=True)
            }
            condition = Q(pk__in=[])
            for prefix in prefixes:
                condition |= Q(code__startswith=prefix)
            self.fields["region"].queryset = Region.objects.filter(condition)

    def _top_unions(self):
        if self.user.is_superuser:
            return Union.objects.filter(parent__isnull=True)
        return Union.objects.filter(pk__in=self.user.top_unions())

    def clean_uscc(self):
        # Normalised by the service; an empty code is stored as none so that uniqueness ignores it.
        return (self.cleaned_data.get("uscc") or "").strip().upper() or None

    def clean(self):
        data = super().clean()
        counts = {
            value: data.get(_form_field(value))
            for value in EmploymentForm.values
            if data.get(_form_field(value)) is not None
        }
        try:
            counts, total, new_form = settle_counts(counts, data.get("headcount"))
        except ValidationError as error:
            self.add_error(None, error)
            return data
        # The model's own checks (new-form workers within the total) run on these next.
        data["headcount"] = total
        self.instance.headcounts, self.instance.new_form_headcount = counts, new_form
        region = data.get("region")
        if region and not data.get("area_union"):
            choices = self.fields["area_union"].queryset
            for root in self._top_unions().order_by("path"):
                area = area_union_for(region, root)
                if area is not None and choices.filter(pk=area.pk).exists():
                    data["area_union"] = self.instance.area_union = area
                    break
            else:
                self.add_error("area_union", _("无法按行政区划确定属地工会，请选择"))
        return data


class CensusRoundForm(ScopedModelForm):
    snapshot = forms.BooleanField(
        label=_("按现有单位数据生成普查记录"),
        required=False,
        initial=True,
        help_text=_("把组织工会范围内每个单位当前的人数和覆盖工会记入本次普查；也可稍后导入文件。"),
    )

    class Meta:
        model = CensusRound
        fields = ["union", "name", "taken_on", "threshold", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["snapshot"]


class CensusImportForm(forms.Form):
    file = forms.FileField(label=_("普查文件（.xlsx 或 .csv）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
            raise ValidationError(_("只支持 .xlsx 和 .csv 文件"))
        if upload.size > MAX_BYTES:
            raise ValidationError(
                _("文件过大（超过 %(mb)d MB），请分批导入") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload
