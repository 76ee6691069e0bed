from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import geo
from core.forms import ScopedModelForm
from core.scoping import ADD, CHANGE, VIEW, owners_for
from core.spreadsheets import MAX_BYTES
from orgs.choices import UnionStatus
from orgs.models import Union

from ..choices import HotSpotSource
from ..models import HotSpot
from ..services import coverage as services

SYSTEM_CHOICES = [
    (geo.WGS84, _("WGS-84（GPS、天地图）")),
    (geo.GCJ02, _("GCJ-02（高德、腾讯地图）")),
    (geo.BD09, _("BD-09（百度地图）")),
]


def union_choices(user, action: str):
    """Active unions where `user` may `action` hot spots, tree order."""
    return owners_for(user, HotSpot, action, Union.objects.filter(status=UnionStatus.ACTIVE)).order_by("path")


class UnionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, union):
        # Indented by depth, so a long list still reads as the tree.
        return "\u3000" * max(0, union.path.count(".")) + union.name


class CoverageForm(forms.Form):
    """The analysis' inputs; read from the query string, so a result can be linked and exported."""

    union = UnionChoiceField(queryset=Union.objects.none(), label=_("工会（含下级）"), empty_label=None)
    radius_m = forms.IntegerField(
        label=_("服务半径（米）"),
        min_value=services.MIN_RADIUS_M,
        max_value=services.MAX_RADIUS_M,
        initial=services.DEFAULT_RADIUS_M,
    )
    period = forms.ChoiceField(label=_("时段"), choices=services.PERIODS, initial=services.DAY)
    k = forms.IntegerField(
        label=_("建议新增站点数"), min_value=0, max_value=services.MAX_K, initial=services.DEFAULT_K
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = union_choices(user, VIEW)


class HotSpotForm(ScopedModelForm):
    """A hot spot by hand; its coordinates in the system the official read them in, stored as WGS-84."""

    system = forms.ChoiceField(
        label=_("坐标系"),
        choices=SYSTEM_CHOICES,
        initial=geo.WGS84,
        help_text=_("从高德、腾讯地图取的坐标选 GCJ-02，从百度地图取的选 BD-09；保存时换算为 WGS-84"),
    )

    class Meta:
        model = HotSpot
        fields = ["name", "union", "latitude", "longitude", "system", "day_workers", "night_workers"]
        labels = {"latitude": _("纬度"), "longitude": _("经度")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")
        # Shown as stored (WGS-84, six places), whether the instance was read or just made.
        for name in ("latitude", "longitude"):
            value = getattr(self.instance, name)
            if value is not None:
                self.initial[name] = Decimal(str(value)).quantize(geo.SIX_PLACES)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.source == HotSpotSource.CENSUS:
            raise ValidationError(_("普查生成的热点随用人单位数据更新，请修改用人单位后重新生成"))
        lat, lon, system = cleaned.get("latitude"), cleaned.get("longitude"), cleaned.get("system")
        if lat is not None and lon is not None and system:
            try:
                position = geo.stored_position(lat, lon, system)
            except ValidationError as error:
                raise ValidationError({"latitude": error.messages}) from None
            self.instance.latitude, self.instance.longitude = position
            cleaned["latitude"], cleaned["longitude"] = position
        return cleaned


class HotSpotImportForm(forms.Form):
    union = UnionChoiceField(queryset=Union.objects.none(), label=_("导入到工会"), empty_label=_("请选择"))
    file = forms.FileField(label=_("热点文件（.xlsx 或 .csv）"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = union_choices(user, ADD)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
            raise ValidationError(_("只支持 .xlsx 和 .csv 文件"))
        if upload.size > MAX_BYTES:
            raise ValidationError(_("文件过大（超过 %(mb)d MB）") % {"mb": MAX_BYTES // (1024 * 1024)})
        return upload


class CensusSyncForm(forms.Form):
    union = UnionChoiceField(queryset=Union.objects.none(), label=_("工会（含下级）"), empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Making census hot spots adds and changes them in every area union of the subtree.
        self.fields["union"].queryset = union_choices(user, CHANGE)
