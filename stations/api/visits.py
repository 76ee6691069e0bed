"""API of visits (read, scoped), service records (list and create by keepers and officials) and the
statistics of a station or of every station in scope."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import IsOfficial, ScopedViewSet
from core.ids import id_from
from core.scoping import CHANGE, VIEW, check_write
from orgs.models import Union

from ..filtersets.visits import ServiceRecordFilterSet, VisitFilterSet
from ..models import ServiceKind, ServiceRecord, Station, Visit
from ..services import visit_stats
from ..services import visits as services


class VisitSerializer(serializers.ModelSerializer):
    """A check-in; `signed_in` says a member was signed in (who it was is not given out here)."""

    signed_in = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "station", "at", "employment_form", "signed_in"]
        read_only_fields = fields

    def get_signed_in(self, visit) -> bool:
        return visit.person_id is not None


class VisitViewSet(ScopedViewSet):
    """Check-ins at the stations in the caller's scope (keepers: their stations). Read only."""

    http_method_names = ["get", "head", "options"]
    queryset = Visit.objects.all()
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    ordering_fields = ["id", "at"]
    ordering = ["-at", "-id"]


class ServiceRecordSerializer(ScopedModelSerializer):
    """Services given at a station on a day; `recorded_by` is the caller."""

    kind = serializers.SlugRelatedField(slug_field="code", queryset=ServiceKind.objects.filter(active=True))
    kind_name = serializers.CharField(source="kind.name", read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "station",
            "kind",
            "kind_name",
            "served_on",
            "count",
            "employment_form",
            "note",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["recorded_by", "created_at"]


class ServiceRecordViewSet(ScopedViewSet):
    """Service records in scope; keepers create them for their stations, service officials for any
    station in their subtree. Corrections are made on the keeper's phone page or in the console."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = ServiceRecord.objects.select_related("kind")
    serializer_class = ServiceRecordSerializer
    filterset_class = ServiceRecordFilterSet
    ordering_fields = ["id", "served_on", "count", "created_at"]
    ordering = ["-served_on", "-id"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            with transaction.atomic():
                record = services.record_service(
                    data["station"],
                    data["kind"],
                    data["count"],
                    self.request.user,
                    served_on=data.get("served_on"),
                    employment_form=data.get("employment_form", ""),
                    note=data.get("note", ""),
                )
                # Keepers may change (not add) records by the model's policy: their assignment is the grant.
                check_write(self.request.user, CHANGE, record)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None
        serializer.instance = record


def _date(request, name: str) -> datetime.date | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({name: "YYYY-MM-DD"}) from None


def _period(request) -> tuple[datetime.date, datetime.date]:
    first, last = visit_stats.default_period()
    start, end = _date(request, "start") or first, _date(request, "end") or last
    problems = visit_stats.period_problems(start, end)
    if problems:
        raise serializers.ValidationError(problems)
    return start, end


PERIOD_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="first day (default: the 1st of this month)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="last day, included (default: today)"),
]


class StationStatisticsView(APIView):
    """Person-times of one station over a period: visits, services, by employment form, by service
    kind, by hour (0–23, local time) and by weekday × hour (Monday first)."""

    access = "scoped"
    permission_classes = [IsOfficial]

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        station = get_object_or_404(Station.objects.restrict(request.user, VIEW), pk=pk)
        start, end = _period(request)
        return Response(visit_stats.station_figures(station, start, end).as_dict())


class ScopeStatisticsView(APIView):
    """The same figures added up over every station in the caller's scope, or in one union's subtree
    (`union`), with the busiest stations."""

    access = "scoped"
    permission_classes = [IsOfficial]

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("union", OpenApiTypes.INT, description="a union id"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        stations = Station.objects.restrict(request.user, VIEW)
        union_id = request.query_params.get("union")
        if union_id:
            if (pk := id_from(union_id)) is None:
                raise serializers.ValidationError({"union": "id"})
            union = get_object_or_404(Union.objects.restrict(request.user, VIEW), pk=pk)
            stations = stations.filter(union__path__subtree=union.path)
        start, end = _period(request)
        return Response(visit_stats.figures(stations, start, end).as_dict())
