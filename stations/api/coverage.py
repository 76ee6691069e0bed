"""Coverage gaps over the API: hot spots (CRUD in scope) and the analysis."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access, geo
from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import IsOfficial, ScopedViewSet
from core.scoping import CHANGE

from ..choices import HotSpotSource
from ..filtersets.coverage import HotSpotFilterSet
from ..forms.coverage import union_choices
from ..models import HotSpot
from ..services import coverage as services
from .serializers import CoordinateSystemField


class HotSpotSerializer(ScopedModelSerializer):
    """A hot spot. `latitude`/`longitude` are read as WGS-84 (`coordinate_system` reads wgs84); written
    in `coordinate_system` (wgs84 when absent, gcj02 for 高德/腾讯, bd09 for 百度) and stored as WGS-84."""

    coordinate_system = CoordinateSystemField(choices=geo.SYSTEMS, required=False)

    class Meta:
        model = HotSpot
        fields = [
            "id",
            "name",
            "union",
            "source",
            "employer",
            "latitude",
            "longitude",
            "coordinate_system",
            "day_workers",
            "night_workers",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["source", "employer", "created_at", "updated_at"]

    def validate(self, attrs):
        system = attrs.pop("coordinate_system", geo.WGS84)
        if isinstance(self.instance, HotSpot) and self.instance.source == HotSpotSource.CENSUS:
            raise serializers.ValidationError(_("普查生成的热点随用人单位数据更新，不能直接修改"))
        lat = attrs.get("latitude", getattr(self.instance, "latitude", None))
        lon = attrs.get("longitude", getattr(self.instance, "longitude", None))
        if ("latitude" in attrs or "longitude" in attrs) and lat is not None and lon is not None:
            try:
                attrs["latitude"], attrs["longitude"] = geo.stored_position(lat, lon, system)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"latitude": error.messages}) from None
        probe = HotSpot(**self._current())
        probe._state.adding = self.instance is None
        for name, value in attrs.items():
            setattr(probe, name, value)
        try:
            probe.full_clean(validate_unique=True, validate_constraints=True)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None
        return attrs

    def _current(self) -> dict:
        if not isinstance(self.instance, HotSpot):
            return {}
        return {f.attname: getattr(self.instance, f.attname) for f in HotSpot._meta.concrete_fields}


class HotSpotCensusSyncSerializer(serializers.Serializer):
    union = serializers.IntegerField(help_text="a union whose hot spots the caller may change")


class HotSpotCensusSyncResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    removed = serializers.IntegerField()


class HotSpotViewSet(ScopedViewSet):
    """Hot spots (需求热点) in the caller's scope: where outdoor workers work, with day and night counts."""

    queryset = HotSpot.objects.select_related("union")
    serializer_class = HotSpotSerializer
    filterset_class = HotSpotFilterSet
    ordering_fields = ["id", "name", "day_workers", "night_workers", "created_at"]
    ordering = ["name", "id"]

    def create_instance(self, serializer):
        spot = HotSpot(source=HotSpotSource.MANUAL, **serializer.validated_data)
        serializer.instance = services.save_hot_spot(spot)
        return serializer.instance

    def update_instance(self, serializer):
        spot = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(spot, name, value)
        return services.save_hot_spot(spot)

    @extend_schema(request=HotSpotCensusSyncSerializer, responses=HotSpotCensusSyncResultSerializer)
    @action(detail=False, methods=["post"], url_path="sync-census")
    def sync_census(self, request):
        """Make (or refresh) one census hot spot per employer with coordinates in the union's subtree."""
        body = HotSpotCensusSyncSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        union = union_choices(request.user, CHANGE).filter(pk=body.validated_data["union"]).first()
        if union is None:
            raise Http404
        with transaction.atomic():
            outcome = services.sync_census(union)
        return Response(HotSpotCensusSyncResultSerializer(outcome).data)


class CoverageQuery(serializers.Serializer):
    union = serializers.IntegerField()
    radius_m = serializers.IntegerField(
        required=False,
        default=services.DEFAULT_RADIUS_M,
        min_value=services.MIN_RADIUS_M,
        max_value=services.MAX_RADIUS_M,
    )
    period = serializers.ChoiceField(
        choices=[p for p, _l in services.PERIODS], required=False, default=services.DAY
    )
    k = serializers.IntegerField(
        required=False, default=services.DEFAULT_K, min_value=0, max_value=services.MAX_K
    )


class CoverageFiguresSerializer(serializers.Serializer):
    workers = serializers.IntegerField()
    covered = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=4, decimal_places=1, help_text="per cent")


class UncoveredHotSpotSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    source = serializers.CharField()
    latitude = serializers.FloatField(source="lat")
    longitude = serializers.FloatField(source="lon")
    workers = serializers.IntegerField(help_text="uncovered workers in the period")


class SuggestedSiteSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=list(services.SUGGESTION_KINDS))
    id = serializers.IntegerField(source="pk", help_text="the station, hot spot or employer")
    name = serializers.CharField()
    latitude = serializers.FloatField(source="lat")
    longitude = serializers.FloatField(source="lon")
    gain = serializers.IntegerField(help_text="workers it newly covers")
    total = serializers.IntegerField(help_text="covered workers after this pick")
    share = serializers.DecimalField(max_digits=4, decimal_places=1)
    hot_spots = serializers.ListField(child=serializers.IntegerField(), source="spots")


class StationCoverageSerializer(serializers.Serializer):
    union = serializers.IntegerField(source="union.pk")
    radius_m = serializers.IntegerField()
    period = serializers.CharField()
    day_at = serializers.CharField()
    night_at = serializers.CharField()
    day = CoverageFiguresSerializer()
    night = CoverageFiguresSerializer()
    stations = serializers.IntegerField(help_text="active stations with coordinates considered")
    hot_spots = serializers.IntegerField()
    uncovered = UncoveredHotSpotSerializer(many=True)
    suggestions = SuggestedSiteSerializer(many=True)


class CoverageView(APIView):
    """Coverage gaps of a union's subtree: the share of outdoor workers within `radius_m` metres of
    an open station by day and by night, the uncovered hot spots ranked for `period`, and up to `k`
    suggested sites (greedy maximum coverage). Coordinates are WGS-84.

    Query: `union` (id within the caller's scope; another is 404), `radius_m` (100–10000, default
    1000), `period` (day or night), `k` (0–50, default 5).
    """

    access = access.OFFICIAL
    permission_classes = [IsOfficial]
    serializer_class = StationCoverageSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("union", int, required=True),
            OpenApiParameter("radius_m", int),
            OpenApiParameter("period", str, enum=["day", "night"]),
            OpenApiParameter("k", int),
        ]
    )
    def get(self, request):
        query = CoverageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        union = union_choices(request.user, "view").filter(pk=data["union"]).first()
        if union is None:
            raise Http404
        analysis = services.analyse(union, data["radius_m"], data["period"], data["k"])
        period = analysis.period
        payload = {
            "union": union,
            "radius_m": analysis.radius_m,
            "period": period,
            "day_at": services.instant_label(analysis.at[services.DAY]),
            "night_at": services.instant_label(analysis.at[services.NIGHT]),
            "day": analysis.figures[services.DAY],
            "night": analysis.figures[services.NIGHT],
            "stations": len(analysis.stations),
            "hot_spots": len(analysis.spots),
            "uncovered": [
                {
                    "pk": s.pk,
                    "name": s.name,
                    "source": s.source,
                    "lat": s.lat,
                    "lon": s.lon,
                    "workers": s.workers[period],
                }
                for s in analysis.uncovered
            ],
            "suggestions": analysis.suggestions,
        }
        return Response(StationCoverageSerializer(payload).data)
