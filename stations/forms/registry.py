from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import geo
from core.forms import IdsField, ScopedModelForm
from core.spreadsheets import MAX_BYTES
from orgs.choices import RegionLevel

from .. import hours as rules
from ..models import Amenity, Station, StationClosure, StationPhoto
from ..services import hours as hours_service
from ..services import registry as services

COORDINATE_SYSTEMS = [
    (geo.GCJ02, _("GCJ-02（高德、腾讯地图）")),
    (geo.WGS84, _("WGS-84（GPS、天地图）")),
    (geo.BD09, _("BD-09（百度地图）")),
]
HOURS_HELP = _("如 08:30-17:00；多段用逗号分隔，如 08:00-12:00, 14:00-20:00；全天写“24小时”，不开放写“休息”")


def hours_field_name(day: int) -> str:
    return f"hours_{day}"


class StationForm(ScopedModelForm):
    """A station with its position in a named coordinate system, its week of hours and its amenities."""

    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=12, decimal_places=9)
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=13, decimal_places=9)
    coordinate_system = forms.ChoiceField(
        label=_("坐标系"),
        choices=COORDINATE_SYSTEMS,
        initial=geo.GCJ02,
        help_text=_(
            "从高德或腾讯地图拾取的坐标选 GCJ-02，百度地图选 BD-09，GPS 设备选 WGS-84；"
            "保存时统一换算为 WGS-84"
        ),
    )
    all_day = forms.BooleanField(label=_("每天24小时"), required=False)
    amenities = IdsField(
        label=_("设施服务"),
        queryset=Amenity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Station
        fields = [
            "name",
            "kind",
            "union",
            "partner",
            "address",
            "region",
            "phone",
            "opening_note",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")
        self.fields["partner"].queryset = (
            self.fields["partner"].queryset.select_related("union").order_by("union__path", "name")
        )
        self.fields["partner"].label_from_instance = lambda p: f"{p.name}（{p.union.name}）"
        self.fields["region"].queryset = self.fields["region"].queryset.filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWN]
        )
        station = self.instance
        # Inactive items are offered only where the station already has them, so an edit keeps them.
        amenities = Amenity.objects.filter(active=True)
        if station.pk:
            amenities = amenities | Amenity.objects.filter(stations=station)
        self.fields["amenities"].queryset = amenities.distinct().order_by("order", "code")
        for day, label in enumerate(rules.WEEKDAYS):
            self.fields[hours_field_name(day)] = forms.CharField(
                label=label, required=False, max_length=100, help_text=HOURS_HELP if day == 0 else ""
            )
        # Move opening_note after the week.
        self.fields["opening_note"] = self.fields.pop("opening_note")
        self.fields["active"] = self.fields.pop("active")
        if station.pk:
            # Editing shows what is stored (WGS-84); saving it unchanged must not move the station.
            self.initial.setdefault("coordinate_system", geo.WGS84)
            self.initial.setdefault("latitude", station.latitude)
            self.initial.setdefault("longitude", station.longitude)
            self.initial.setdefault("amenities", list(station.amenities.values_list("pk", flat=True)))
            self.initial.setdefault("all_day", rules.is_all_day(station.hours))
        for day, intervals in enumerate(station.hours or [[] for _d in range(7)]):
            self.initial.setdefault(hours_field_name(day), rules.format_day(intervals) if station.pk else "")

    def hours_fields(self):
        return [self[hours_field_name(day)] for day in range(7)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("all_day"):
            cleaned["hours"] = rules.always_open()
        else:
            week, errors = hours_service.parse_week(
                [cleaned.get(hours_field_name(day), "") for day in range(7)]
            )
            for day, message in errors.items():
                self.add_error(hours_field_name(day), message)
            cleaned["hours"] = week
        union, partner = cleaned.get("union"), cleaned.get("partner")
        if union and partner and not union.is_within(partner.union):
            self.add_error("partner", _("请选择本工会或上级工会的合作单位"))
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error(None, _("经纬度须同时填写或同时留空"))
        elif lat is not None and "coordinate_system" in cleaned:
            try:
                cleaned["position"] = geo.stored_position(lat, lon, cleaned["coordinate_system"])
            except ValidationError as error:
                self.add_error("latitude", error)
        return cleaned

    def _post_clean(self):
        # The model's own validation sees the converted WGS-84 position and the parsed week.
        cleaned = self.cleaned_data
        if "hours" in cleaned:
            self.instance.hours = cleaned["hours"]
        if "position" in cleaned:
            self.instance.latitude, self.instance.longitude = cleaned["position"]
        elif cleaned.get("latitude") is None and cleaned.get("longitude") is None:
            self.instance.latitude = self.instance.longitude = None
        super()._post_clean()


class ClosureForm(forms.ModelForm):
    class Meta:
        model = StationClosure
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }


class PhotoForm(forms.ModelForm):
    class Meta:
        model = StationPhoto
        fields = ["image", "caption"]
        widgets = {"image": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}

    def clean_image(self):
        image = self.cleaned_data["image"]
        services.check_photo(image)
        return image


class StationImportForm(forms.Form):
    union = forms.ModelChoiceField(
        label=_("所属工会"),
        queryset=None,
        required=False,
        empty_label=_("以文件中的“所属工会”列为准"),
        help_text=_("文件中“所属工会”一列留空的行，导入到这个工会"),
    )
    file = forms.FileField(label=_("文件"), help_text=_(".xlsx 或 .csv，最大 20 MB"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from ..services.station_files import addable_unions

        self.fields["union"].queryset = addable_unions(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                _("文件过大（超过 %(mb)d MB），请分批导入") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class KeeperAssignForm(forms.Form):
    """Pick a keeper among the users whose keeper role covers the station."""

    user = forms.ModelChoiceField(queryset=None, label=_("驿站管理员"), empty_label=_("请选择"))

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = services.keeper_candidates(station)
