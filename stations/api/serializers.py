from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import geo
from core.api.serializers import ScopedModelSerializer

from ..models import Amenity, ServiceKind, Station, StationClosure, StationPhoto
from ..services import hours as hours_service
from ..services import registry as services

FIELDS = [
    "id",
    "name",
    "kind",
    "union",
    "partner",
    "partner_name",
    "address",
    "region",
    "latitude",
    "longitude",
    "coordinate_system",
    "coordinates",
    "phone",
    "hours",
    "hours_text",
    "hours_week",
    "open_now",
    "opening_note",
    "amenities",
    "closures",
    "photos",
    "active",
    "created_at",
    "updated_at",
]


class ClosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = StationClosure
        fields = ["id", "starts_on", "ends_on", "reason"]


class PhotoSerializer(serializers.ModelSerializer):
    """A photo: `url` the full image, `thumbnail_url` 320 px wide (add `?w=160|320|640` to `url`)."""

    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = StationPhoto
        fields = ["id", "caption", "url", "thumbnail_url"]

    def get_url(self, photo) -> str:
        path = reverse("stations:photo", args=[photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_thumbnail_url(self, photo) -> str:
        return f"{self.get_url(photo)}?w=320"


class HoursDaySerializer(serializers.Serializer):
    day = serializers.CharField()
    text = serializers.CharField()


class CoordinateSystemField(serializers.ChoiceField):
    """Written: the system `latitude`/`longitude` are given in. Read: always wgs84, as they are returned
    (so a read row written back unchanged does not move the station)."""

    def get_attribute(self, instance):
        return geo.WGS84

    def to_representation(self, value):
        return value


class StationSerializer(ScopedModelSerializer):
    """A station. `latitude`/`longitude` read as WGS-84 decimal degrees; on write they are read in
    `coordinate_system` (wgs84, gcj02 or bd09; required with coordinates) and stored as WGS-84.
    `coordinates` gives the position in each system (高德/腾讯 draw gcj02, 百度 bd09).
    `hours` is the week, Monday first: per day a list of [opens, closes] minutes after midnight
    (closes may be 1440; closes <= opens runs past midnight). `amenities` are codes (see /amenities/)."""

    latitude = serializers.DecimalField(
        max_digits=13, decimal_places=9, required=False, allow_null=True, coerce_to_string=True
    )
    longitude = serializers.DecimalField(
        max_digits=13, decimal_places=9, required=False, allow_null=True, coerce_to_string=True
    )
    coordinate_system = CoordinateSystemField(choices=geo.SYSTEMS, required=False)
    coordinates = serializers.SerializerMethodField()
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)
    hours_text = serializers.SerializerMethodField()
    hours_week = serializers.SerializerMethodField()
    open_now = serializers.SerializerMethodField()
    amenities = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Amenity.objects.all()
    )
    closures = ClosureSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Station
        fields = FIELDS
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # As stored: six decimals of WGS-84.
        for name in ("latitude", "longitude"):
            value = getattr(instance, name)
            data[name] = None if value is None else str(value)
        return data

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {s: {"type": "array", "items": {"type": "number"}} for s in geo.SYSTEMS},
        }
    )
    def get_coordinates(self, station) -> dict | None:
        if station.latitude is None:
            return None
        return {
            system: [round(x, 6) for x in services.position_in(station, system)] for system in geo.SYSTEMS
        }

    def get_hours_text(self, station) -> str:
        return hours_service.week_text(station.hours)

    @extend_schema_field(HoursDaySerializer(many=True))
    def get_hours_week(self, station):
        return [{"day": day, "text": text} for day, text in hours_service.week_table(station.hours)]

    def get_open_now(self, station) -> bool:
        flags = self.context.get("open_flags")
        if flags is not None and station.pk in flags:
            return flags[station.pk]
        return hours_service.open_now(station)

    def validate_amenities(self, value):
        inactive = [a.code for a in value if not a.active and not self._has_amenity(a)]
        if inactive:
            raise serializers.ValidationError(
                _("已停用的设施服务：%(codes)s") % {"codes": ", ".join(inactive)}
            )
        return value

    def _has_amenity(self, amenity) -> bool:
        return isinstance(self.instance, Station) and self.instance.amenities.filter(pk=amenity.pk).exists()

    def validate(self, attrs):
        attrs = dict(attrs)
        system = attrs.pop("coordinate_system", None)
        amenities = attrs.pop("amenities", None)
        if "latitude" in attrs or "longitude" in attrs:
            lat, lon = attrs.get("latitude"), attrs.get("longitude")
            if (lat is None) != (lon is None):
                raise serializers.ValidationError({"latitude": [_("经纬度须同时填写或同时留空")]})
            if lat is not None:
                if system is None:
                    raise serializers.ValidationError(
                        {"coordinate_system": [_("给出坐标时须注明坐标系：wgs84、gcj02 或 bd09")]}
                    )
                try:
                    attrs["latitude"], attrs["longitude"] = geo.stored_position(lat, lon, system)
                except DjangoValidationError as error:
                    raise serializers.ValidationError({"latitude": error.messages}) from None
        # The model's own rules (coordinates together, unique name in a union, hours) answer 400, not 500.
        probe = Station(**self._current())
        # An update probes the existing row, so its own primary key is not a clash.
        probe._state.adding = self.instance is None
        for name, value in attrs.items():
            setattr(probe, name, value)
        try:
            probe.full_clean(validate_unique=True, validate_constraints=True)
            services.check_partner(probe)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None
        if amenities is not None:
            attrs["amenities"] = amenities
        return attrs

    def _current(self) -> dict:
        if not isinstance(self.instance, Station):
            return {}
        return {
            field.attname: getattr(self.instance, field.attname) for field in Station._meta.concrete_fields
        }


class AmenitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Amenity
        fields = ["id", "code", "name", "order", "active"]


class ServiceKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceKind
        fields = ["id", "code", "name", "order", "active"]
