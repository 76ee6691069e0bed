"""API of employers, census rounds (with their coverage) and census entries."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import IsOfficial, ScopedViewSet
from core.scoping import CHANGE, VIEW

from ..filtersets.census import CensusEntryFilterSet, CensusRoundFilterSet, EmployerFilterSet
from ..models import Brand, CensusEntry, CensusRound, Employer, Union
from ..services import census as census_services
from ..services.employers import area_union_for, save_employer, settle_counts


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "name", "sector", "is_platform"]


class EmployerSerializer(ScopedModelSerializer):
    """`headcounts` maps employment forms to workers; the totals follow (`headcount` may be larger)."""

    headcount = serializers.IntegerField(min_value=0, required=False, allow_null=True)

    class Meta:
        model = Employer
        fields = [
            "id",
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
            "headcounts",
            "headcount",
            "new_form_headcount",
            "area_union",
            "union",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["new_form_headcount", "created_at", "updated_at"]
        extra_kwargs = {"area_union": {"required": False}, "uscc": {"validators": []}}

    def validate(self, attrs):
        instance = self.instance or Employer()
        headcounts = attrs.get("headcounts", instance.headcounts)
        headcount = attrs.get("headcount", instance.headcount if "headcounts" not in attrs else None)
        try:
            attrs["headcounts"], attrs["headcount"], _new = settle_counts(headcounts, headcount)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        if attrs.get("union") is not None and attrs["union"].status != "active":
            raise serializers.ValidationError({"union": [_("覆盖工会须为已建会的工会")]})
        if not attrs.get("area_union") and instance.area_union_id is None:
            attrs["area_union"] = self._area_union(attrs.get("region"))
        return attrs

    def _area_union(self, region):
        user = self.context["request"].user
        choices = self.fields["area_union"].queryset
        roots = Union.objects.filter(parent__isnull=True) if user.is_superuser else None
        roots = roots if roots is not None else Union.objects.filter(pk__in=user.top_unions())
        for root in roots.order_by("path"):
            area = area_union_for(region, root) if region else None
            if area is not None and choices.filter(pk=area.pk).exists():
                return area
        raise serializers.ValidationError({"area_union": [_("无法按行政区划确定属地工会，请选择")]})

    def save_employer(self, employer: Employer | None) -> Employer:
        data = dict(self.validated_data)
        headcounts, headcount = data.pop("headcounts"), data.pop("headcount")
        employer = employer or Employer()
        for key, value in data.items():
            setattr(employer, key, value)
        try:
            return save_employer(employer, headcounts=headcounts, headcount=headcount)
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None


class CensusRoundSerializer(ScopedModelSerializer):
    """A round; POST …/snapshot/ then records every employer of its area (or import a file)."""

    class Meta:
        model = CensusRound
        fields = ["id", "union", "name", "taken_on", "threshold", "note", "created_at"]
        read_only_fields = ["created_at"]


class CensusEntrySerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.name", read_only=True)

    class Meta:
        model = CensusEntry
        fields = [
            "id",
            "census",
            "employer",
            "employer_name",
            "headcounts",
            "headcount",
            "new_form_headcount",
            "members",
            "union",
        ]


class CoverageRowSerializer(serializers.Serializer):
    """One row of a coverage table: a region, sector or brand (or the round's totals)."""

    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    employers = serializers.IntegerField()
    due = serializers.IntegerField()
    due_covered = serializers.IntegerField()
    due_uncovered = serializers.IntegerField()
    covered = serializers.IntegerField()
    workers = serializers.IntegerField()
    workers_covered = serializers.IntegerField()
    new_form = serializers.IntegerField()
    new_form_covered = serializers.IntegerField()
    members = serializers.IntegerField()
    employer_rate = serializers.FloatField(allow_null=True)
    worker_rate = serializers.FloatField(allow_null=True)
    new_form_rate = serializers.FloatField(allow_null=True)


class CoverageSerializer(serializers.Serializer):
    totals = CoverageRowSerializer()
    region = CoverageRowSerializer(many=True)
    sector = CoverageRowSerializer(many=True)
    brand = CoverageRowSerializer(many=True)
    due_uncovered = CensusEntrySerializer(many=True)


class BrandViewSet(viewsets.ReadOnlyModelViewSet):
    """Express and delivery brands and platforms: reference data any official may read."""

    access = "official"
    permission_classes = [IsOfficial]
    queryset = Brand.objects.all()
    serializer_class = BrandSerializer
    ordering = ["name"]
    ordering_fields = ["name"]


class EmployerViewSet(ScopedViewSet):
    """Employers of the caller's area; filters as in the console (`due_without_union`, `covered`…)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Employer.objects.select_related("brand", "region")
    serializer_class = EmployerSerializer
    filterset_class = EmployerFilterSet
    ordering_fields = ["name", "headcount", "new_form_headcount", "id"]
    ordering = ["name", "id"]

    def create_instance(self, serializer):
        serializer.instance = serializer.save_employer(None)
        return serializer.instance

    def update_instance(self, serializer):
        return serializer.save_employer(serializer.instance)


class CensusRoundViewSet(ScopedViewSet):
    """Census rounds; `coverage` gives a round's figures by region, sector and brand and its 应建未建."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = CensusRound.objects.select_related("union")
    serializer_class = CensusRoundSerializer
    filterset_class = CensusRoundFilterSet
    ordering_fields = ["taken_on", "name", "id"]
    ordering = ["-taken_on", "-id"]
    scope_actions = {**ScopedViewSet.scope_actions, "coverage": VIEW, "snapshot": CHANGE}

    def create_instance(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = census_services.create_round(data.pop("union"), data.pop("name"), **data)
        return serializer.instance

    @extend_schema(responses=CoverageSerializer)
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        census = self.get_object()
        totals = census_services.coverage_totals(census)
        return Response(
            {
                "totals": {"key": None, "label": census.name, **totals},
                **{by: census_services.coverage(census, by) for by in census_services.GROUPS},
                "due_uncovered": CensusEntrySerializer(census_services.due_uncovered(census), many=True).data,
            }
        )

    @extend_schema(
        request=None, responses=inline_serializer("Snapshot", {"employers": serializers.IntegerField()})
    )
    @action(detail=True, methods=["post"])
    def snapshot(self, request, pk=None):
        census = self.get_object()
        with transaction.atomic():
            n = census_services.take_snapshot(census)
        return Response({"employers": n})


class CensusEntryViewSet(ScopedViewSet):
    """What each round recorded of each employer; read-only (entries come from snapshots and imports)."""

    http_method_names = ["get", "head", "options"]
    queryset = CensusEntry.objects.select_related("employer")
    serializer_class = CensusEntrySerializer
    filterset_class = CensusEntryFilterSet
    ordering_fields = ["headcount", "new_form_headcount", "id"]
    ordering = ["census", "employer__name", "id"]
