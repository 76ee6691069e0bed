"""API of mass benefits.

Officials (scoped): `benefit-distributions` (CRUD; filters kind, running, within, q) with the steps
build (by employment form) and progress; `benefit-grants` (read; filters distribution, redeemed, station);
`benefit-distributions/<pk>/redeem/` scans a member card (officials in scope, keepers at the
distribution's stations they keep): 200 with the grant, 409 when it was already redeemed (the message
says when and where), 400 for another refusal (dates, station, not on the list, bad card).
Workers: `me/benefit-grants` (their grants with where and until when to redeem).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core import access
from core.api.errors import refused
from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import ActorMixin, BodyMixin, IsOfficial, IsWorker, ScopedViewSet
from core.scoping import CHANGE, VIEW
from orgs.choices import EmploymentForm
from stations.models import Station

from ..filtersets.benefits import DistributionFilterSet, GrantFilterSet
from ..models import BenefitDistribution, BenefitGrant
from ..services import benefits


class DistributionSerializer(ScopedModelSerializer):
    class Meta:
        model = BenefitDistribution
        fields = ["id", "union", "kind", "title", "items", "value", "starts_on", "ends_on", "stations"]

    def validate(self, attrs):
        starts = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_on": "结束日期不能早于开始日期"})
        union = attrs.get("union", getattr(self.instance, "union", None))
        stations = attrs.get("stations")
        if union is not None and stations:
            outside = [s.name for s in stations if not s.union.path.startswith(union.path)]
            if outside:
                raise serializers.ValidationError(
                    {"stations": f"站点不属于发放工会（含下级）：{'、'.join(outside)}"}
                )
        return attrs


class GrantSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.masked_name", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)

    class Meta:
        model = BenefitGrant
        fields = ["id", "distribution", "person", "redeemed_at", "station", "station_name"]
        read_only_fields = fields


class BenefitStationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = ["id", "name", "address"]
        read_only_fields = fields


class MyGrantSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="distribution.title", read_only=True)
    items = serializers.CharField(source="distribution.items", read_only=True)
    starts_on = serializers.DateField(source="distribution.starts_on", read_only=True)
    ends_on = serializers.DateField(source="distribution.ends_on", read_only=True)
    stations = BenefitStationSerializer(source="distribution.stations", many=True, read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)

    class Meta:
        model = BenefitGrant
        fields = ["id", "title", "items", "starts_on", "ends_on", "stations", "redeemed_at", "station_name"]
        read_only_fields = fields


class BuildSerializer(serializers.Serializer):
    employment_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=EmploymentForm.choices), required=False, default=list
    )


class BuiltSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    listed = serializers.IntegerField()
    redeemed = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    listed = serializers.IntegerField()
    redeemed = serializers.IntegerField()
    left = serializers.IntegerField()
    percent = serializers.FloatField()


class RedeemSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=1000)
    station = serializers.IntegerField(required=False, allow_null=True)


class DistributionViewSet(ScopedViewSet):
    """Benefit distributions in the caller's scope."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = BenefitDistribution.objects.select_related("union").prefetch_related("stations")
    serializer_class = DistributionSerializer
    filterset_class = DistributionFilterSet
    ordering_fields = ["id", "starts_on"]
    ordering = ["-starts_on", "-id"]


class GrantViewSet(ScopedViewSet):
    """People on distribution lists (masked), with whether and where they redeemed."""

    http_method_names = ["get", "head", "options"]
    queryset = BenefitGrant.objects.select_related("person", "station")
    serializer_class = GrantSerializer
    filterset_class = GrantFilterSet
    ordering_fields = ["id", "redeemed_at"]
    ordering = ["id"]


class BuildView(ActorMixin, BodyMixin, generics.GenericAPIView):
    access = access.SCOPED
    permission_classes = [IsOfficial]
    serializer_class = BuildSerializer

    @extend_schema(request=BuildSerializer, responses={200: BuiltSerializer})
    def post(self, request, pk):
        item = BenefitDistribution.objects.restrict(request.user, CHANGE).filter(pk=pk).first()
        if item is None:
            raise NotFound
        data = self.body(request)
        added = benefits.build_list(item, request.user, data["employment_forms"])
        counts = benefits.progress(item)
        return Response({"added": added, "listed": counts["listed"], "redeemed": counts["redeemed"]})


class ProgressView(ActorMixin, generics.GenericAPIView):
    access = access.SCOPED
    permission_classes = [IsOfficial]
    serializer_class = ProgressSerializer

    @extend_schema(responses={200: ProgressSerializer})
    def get(self, request, pk):
        item = BenefitDistribution.objects.restrict(request.user, VIEW).filter(pk=pk).first()
        if item is None:
            raise NotFound
        return Response(benefits.progress(item))


class RedeemView(ActorMixin, BodyMixin, generics.GenericAPIView):
    """Scan a member card for this distribution (officials in scope; keepers at their stations)."""

    access = access.OFFICIAL
    permission_classes = [IsOfficial]
    serializer_class = RedeemSerializer

    @extend_schema(
        request=RedeemSerializer,
        responses={
            200: GrantSerializer,
            400: OpenApiResponse(),
            404: OpenApiResponse(),
            409: OpenApiResponse(),
        },
    )
    def post(self, request, pk):
        item = next((d for d in benefits.redeemable(request.user) if d.pk == pk), None)
        if item is None:
            raise NotFound
        data = self.body(request)
        station = None
        if data.get("station"):
            station = Station.objects.filter(pk=data["station"]).first()
            if station is None:
                raise NotFound
        try:
            done = benefits.redeem(item, data["code"], request.user, station=station)
        except PermissionDenied:
            raise NotFound from None
        except ValidationError as error:
            if getattr(error, "code", None) == "already":
                return Response({"detail": " ".join(error.messages)}, status=409)
            raise refused(error) from None
        return Response(GrantSerializer(done.grant).data)


class MyGrantViewSet(ActorMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in worker's benefit grants."""

    access = access.WORKER
    permission_classes = [IsWorker]
    serializer_class = MyGrantSerializer
    ordering = ["-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BenefitGrant.objects.none()
        return benefits.my_grants(self.request.user.person)


def register(router) -> None:
    router.register("benefit-distributions", DistributionViewSet, basename="benefit-distribution")
    router.register("benefit-grants", GrantViewSet, basename="benefit-grant")
    router.register("me/benefit-grants", MyGrantViewSet, basename="my-benefit-grant")


def urls():
    return [
        path("benefit-distributions/<id:pk>/build/", BuildView.as_view(), name="benefit-distribution-build"),
        path(
            "benefit-distributions/<id:pk>/progress/",
            ProgressView.as_view(),
            name="benefit-distribution-progress",
        ),
        path(
            "benefit-distributions/<id:pk>/redeem/", RedeemView.as_view(), name="benefit-distribution-redeem"
        ),
    ]
