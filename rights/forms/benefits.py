"""Forms of mass benefits: the distribution, building its list by employment form, importing it, and
the redemption scan."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ScopedModelForm
from orgs.choices import EmploymentForm

from ..models import BenefitDistribution
from ..services import benefits as services


class DistributionForm(ScopedModelForm):
    class Meta:
        model = BenefitDistribution
        fields = ["union", "kind", "title", "items", "value", "starts_on", "ends_on", "stations"]
        widgets = {"stations": forms.SelectMultiple(attrs={"size": 8})}
        help_texts = {"stations": _("不选则不限站点（例如在活动现场发放）")}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("结束日期不能早于开始日期"))
        union, stations = data.get("union"), data.get("stations")
        if union and stations:
            outside = [s.name for s in stations if not s.union.path.startswith(union.path)]
            if outside:
                self.add_error(
                    "stations", _("站点不属于发放工会（含下级）：%(s)s") % {"s": "、".join(outside)}
                )
        return data


class BuildForm(forms.Form):
    employment_forms = forms.MultipleChoiceField(
        label=_("就业形态（不选则为全部在册会员）"),
        choices=EmploymentForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=services.outdoor_forms,
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("名单文件（.xlsx 或 .csv，含“身份证号”列）"))


class RedeemForm(forms.Form):
    code = forms.CharField(label=_("会员卡二维码内容"), max_length=1000)
