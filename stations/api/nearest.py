"""GET /api/v1/stations/nearest/: the open stations nearest to a point, for mini-programs and apps.

Public (no sign-in): where stations are and when they open is public information, every outdoor
worker may use them whether a member or not, and a mini-program asking for the nearest station
should not have to sign its user in first. A per-address throttle keeps it from being scraped
in bulk. The caller's point is used for the query only: it is not stored, and the access log
(gunicorn.conf.py) keeps the path without the query string.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core import access, geo

from .. import hours as rules
from ..choices import StationKind
from ..models import Amenity
from ..services import hours as hours_service
from ..services import nearest as service


class NearestQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text=_("纬度，十进制度"))
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text=_("经度，十进制度"))
    system = serializers.ChoiceField(
        choices=geo.SYSTEMS,
        help_text=_("lat/lon 所用坐标系：wgs84（GPS、浏览器定位）、gcj02（高德、腾讯）、bd09（百度）"),
        error_messages={
            "required": _("请用 system 说明坐标系：wgs84、gcj02 或 bd09"),
            "invalid_choice": _("坐标系“{input}”无效：请用 wgs84、gcj02 或 bd09"),
        },
    )
    limit = serializers.IntegerField(min_value=1, max_value=service.MAX_LIMIT, default=10)
    kind = serializers.MultipleChoiceField(choices=StationKind.choices, required=False)
    amenity = serializers.ListField(child=serializers.SlugField(), required=False)
    open_only = serializers.BooleanField(default=False)
    within_m = serializers.FloatField(min_value=1, max_value=service.MAX_RADIUS_M, required=False)

    def validate_amenity(self, codes):
        known = set(Amenity.objects.filter(code__in=codes, active=True).values_list("code", flat=True))
        unknown = sorted(set(codes) - known)
        if unknown:
            message = _("未知的设施服务代码：%(codes)s") % {"codes": ", ".join(unknown)}
            raise serializers.ValidationError(message)
        return codes


class NavigationSerializer(serializers.Serializer):
    amap = serializers.URLField(help_text=_("高德地图（GCJ-02）"))
    baidu = serializers.URLField(help_text=_("百度地图（BD-09）"))


class NearestStationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    partner_name = serializers.CharField(allow_null=True)
    address = serializers.CharField()
    phone = serializers.CharField()
    latitude = serializers.FloatField(help_text="WGS-84")
    longitude = serializers.FloatField(help_text="WGS-84")
    coordinates = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField()),
        help_text=_("各坐标系下的 [纬度, 经度]：wgs84、gcj02（高德/腾讯）、bd09（百度）"),
    )
    distance_m = serializers.IntegerField()
    distance_text = serializers.CharField()
    open_now = serializers.BooleanField()
    hours_today = serializers.CharField()
    hours_text = serializers.CharField()
    amenities = serializers.ListField(child=serializers.CharField())
    navigation = NavigationSerializer()
    url = serializers.CharField(help_text=_("驿站的手机页面"))


class NearestResponseSerializer(serializers.Serializer):
    system = serializers.CharField(help_text=_("结果中 latitude/longitude 的坐标系：总是 wgs84"))
    count = serializers.IntegerField()
    results = NearestStationSerializer(many=True)


class NearestThrottle(AnonRateThrottle):
    scope = "stations_nearest"
    rate = "120/min"


def present(found: service.Found, today: int, request=None) -> dict:
    """One result as the API (and the H5 page's data) gives it."""
    from django.urls import reverse

    station = found.station
    coords = service.coordinates(station)
    path = reverse("portal:station", args=[station.pk])
    hours = station.hours or []
    return {
        "id": station.pk,
        "name": station.name,
        "kind": station.kind,
        "kind_label": str(station.get_kind_display()),
        "partner_name": station.partner.name if station.partner_id else None,
        "address": station.address,
        "phone": station.phone,
        "latitude": coords[geo.WGS84][0],
        "longitude": coords[geo.WGS84][1],
        "coordinates": {system: list(value) for system, value in coords.items()},
        "distance_m": round(found.distance_m),
        "distance_text": service.distance_text(found.distance_m),
        "open_now": found.open_now,
        "hours_today": rules.format_day(hours[today]) if len(hours) == 7 else "",
        "hours_text": hours_service.week_text(hours),
        "amenities": [a.code for a in station.amenities.all()],
        "navigation": service.navigation(station),
        "url": request.build_absolute_uri(path) if request is not None else path,
    }


class NearestStationsView(APIView):
    """The stations nearest to a point, open now first, then by distance."""

    access = access.PUBLIC
    permission_classes = [AllowAny]
    throttle_classes = [NearestThrottle]

    @extend_schema(
        operation_id="stations_nearest",
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="纬度 latitude"),
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True, description="经度 longitude"),
            OpenApiParameter(
                "system",
                OpenApiTypes.STR,
                required=True,
                enum=list(geo.SYSTEMS),
                description="lat/lon 的坐标系（必填）：wgs84 GPS/浏览器定位，gcj02 高德/腾讯，bd09 百度",
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1-{service.MAX_LIMIT}, default 10"),
            OpenApiParameter("kind", OpenApiTypes.STR, many=True, enum=list(StationKind.values)),
            OpenApiParameter("amenity", OpenApiTypes.STR, many=True, description="设施服务代码，须全部具备"),
            OpenApiParameter("open_only", OpenApiTypes.BOOL, description="只要此刻开放的"),
            OpenApiParameter("within_m", OpenApiTypes.DOUBLE, description="只在此距离（米）以内"),
        ],
        responses=NearestResponseSerializer,
    )
    def get(self, request):
        data = {key: request.query_params.get(key) for key in ("lat", "lon", "system", "limit", "open_only")}
        data = {key: value for key, value in data.items() if value not in (None, "")}
        if request.query_params.get("within_m"):
            data["within_m"] = request.query_params["within_m"]
        data["kind"] = [k for k in request.query_params.getlist("kind") if k]
        data["amenity"] = [a for a in request.query_params.getlist("amenity") if a]
        query = NearestQuerySerializer(data=data)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        point = geo.to_wgs84(q["lat"], q["lon"], q["system"])
        found = service.nearest(
            point,
            limit=q["limit"],
            kinds=sorted(q.get("kind") or ()),
            amenities=q.get("amenity") or (),
            open_only=q["open_only"],
            within_m=q.get("within_m"),
        )
        service.prefetch([f.station for f in found])
        today = hours_service.local().weekday()
        results = [present(f, today, request) for f in found]
        response = Response({"system": geo.WGS84, "count": len(results), "results": results})
        # The distances say where the caller is: no shared cache keeps them.
        response["Cache-Control"] = "private, no-store"
        return response
