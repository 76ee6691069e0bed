"""API of the organising stories: coverage plans and targets, chair assistants, establishing unions."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core import limits
from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import IsOfficial, ScopedViewSet
from core.scoping import CHANGE

from ..choices import UnionKind
from ..filtersets.organising import (
    CadreAssignmentFilterSet,
    CadreVisitFilterSet,
    CoveragePlanFilterSet,
    EstablishmentFilterSet,
    PlanTargetFilterSet,
)
from ..models import CadreAssignment, CadreVisit, CoveragePlan, Establishment, PlanTarget
from ..services import cadres, establishment, plans


def _as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(serializers.as_serializer_error(error))


# ------------------------------------------------------------------ plans


class CoveragePlanSerializer(ScopedModelSerializer):
    class Meta:
        model = CoveragePlan
        fields = ["id", "union", "name", "start_year", "end_year", "employer_goal", "worker_goal"]

    def validate(self, attrs):
        start = attrs.get("start_year", getattr(self.instance, "start_year", None))
        end = attrs.get("end_year", getattr(self.instance, "end_year", None))
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError(
                {"end_year": CoveragePlan._meta.constraints[0].violation_error_message}
            )
        return attrs


class PlanTargetSerializer(ScopedModelSerializer):
    choice_actions = {"plan": CHANGE}

    class Meta:
        model = PlanTarget
        fields = [
            "id",
            "plan",
            "year",
            "region",
            "sector",
            "unions_to_establish",
            "members_to_enrol",
            "new_form_share",
        ]
        validators = []  # target_errors() covers the unique cell, a NULL region included

    def validate(self, attrs):
        probe = PlanTarget(pk=getattr(self.instance, "pk", None))
        for field in ("plan", "year", "region", "sector"):
            setattr(probe, field, attrs.get(field, getattr(self.instance, field, None)))
        errors = plans.target_errors(probe)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class FigureSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    to_date = serializers.IntegerField()
    projected = serializers.IntegerField(allow_null=True)
    on_track = serializers.BooleanField(allow_null=True)


class ShareSerializer(serializers.Serializer):
    target = serializers.DecimalField(max_digits=4, decimal_places=3)
    to_date = serializers.DecimalField(max_digits=4, decimal_places=3, allow_null=True)
    on_track = serializers.BooleanField(allow_null=True)


class TargetProgressSerializer(serializers.Serializer):
    target = PlanTargetSerializer()
    as_of = serializers.DateField(source="window.end")
    elapsed_days = serializers.IntegerField(source="window.elapsed_days")
    days_in_year = serializers.IntegerField(source="window.days_in_year")
    unions = FigureSerializer()
    members = FigureSerializer()
    new_form_share = ShareSerializer()
    on_track = serializers.BooleanField(allow_null=True)


class CoveragePlanViewSet(ScopedViewSet):
    """Coverage plans; `progress/?year=` gives each target's figures to date and a linear projection
    (to-date ÷ elapsed days × days in the year)."""

    queryset = CoveragePlan.objects.select_related("union")
    serializer_class = CoveragePlanSerializer
    filterset_class = CoveragePlanFilterSet
    ordering_fields = ["id", "start_year", "name"]
    ordering = ["-start_year", "id"]

    @extend_schema(responses=TargetProgressSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def progress(self, request, pk=None):
        plan = self.get_object()
        try:
            year = int(request.query_params.get("year", ""))
        except ValueError:
            year = plans.default_year(plan)
        if year not in plans.plan_years(plan):
            raise serializers.ValidationError(
                {"year": plans.target_errors(PlanTarget(plan=plan, year=year))["year"]}
            )
        return Response(TargetProgressSerializer(plans.plan_progress(plan, year), many=True).data)


class PlanTargetViewSet(ScopedViewSet):
    queryset = PlanTarget.objects.select_related("plan")
    serializer_class = PlanTargetSerializer
    filterset_class = PlanTargetFilterSet
    ordering_fields = ["id", "year"]
    ordering = ["plan", "year", "id"]

    def create_instance(self, serializer):
        serializer.instance = plans.save_target(PlanTarget(**serializer.validated_data))
        return serializer.instance

    def update_instance(self, serializer):
        target = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(target, name, value)
        return plans.save_target(target)


# ------------------------------------------------------------------ chair assistants


class CadreAssignmentSerializer(ScopedModelSerializer):
    cadre = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As the console's form: officials of the caller's own scope (and the one already named).
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            keep = getattr(self.instance, "cadre_id", None)
            self.fields["cadre"].queryset = cadres.officials_within(request.user, keep)

    class Meta:
        model = CadreAssignment
        fields = [
            "id",
            "cadre",
            "union",
            "title",
            "starts_on",
            "ends_on",
            "goals",
            "goal_unions",
            "goal_members",
        ]

    def validate(self, attrs):
        starts = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts and ends and ends < starts:
            raise serializers.ValidationError(
                {"ends_on": CadreAssignment._meta.constraints[0].violation_error_message}
            )
        return attrs


class CadreVisitSerializer(ScopedModelSerializer):
    class Meta:
        model = CadreVisit
        fields = [
            "id",
            "assignment",
            "visited_on",
            "employer",
            "summary",
            "outcome",
            "unions_established",
            "members_enrolled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "assignment" in self.fields:
            self.fields["assignment"].queryset = cadres.assignments_open_to(request.user)
            self.fields["employer"].queryset = cadres.employers_for_visits(request.user)

    def validate(self, attrs):
        probe = CadreVisit(
            assignment=attrs.get("assignment", getattr(self.instance, "assignment", None)),
            visited_on=attrs.get("visited_on", getattr(self.instance, "visited_on", None)),
        )
        errors = cadres.visit_errors(probe)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ResultSerializer(serializers.Serializer):
    key = serializers.IntegerField()
    label = serializers.CharField()
    assignments = serializers.IntegerField()
    visits = serializers.IntegerField()
    goal_unions = serializers.IntegerField()
    unions_established = serializers.IntegerField()
    goal_members = serializers.IntegerField()
    members_enrolled = serializers.IntegerField()


class ResultsSerializer(serializers.Serializer):
    by_cadre = ResultSerializer(many=True)
    by_town = ResultSerializer(many=True)


class CadreAssignmentViewSet(ScopedViewSet):
    """Chair assistants sent to town unions; the cadre sees their own assignment wherever it is.
    `results/` sums the visits' unions and members against the goals, per cadre and per town."""

    queryset = CadreAssignment.objects.select_related("cadre", "union")
    serializer_class = CadreAssignmentSerializer
    filterset_class = CadreAssignmentFilterSet
    ordering_fields = ["id", "starts_on", "ends_on"]
    ordering = ["-starts_on", "id"]

    def create_instance(self, serializer):
        serializer.instance = cadres.assign_cadre(
            CadreAssignment(**serializer.validated_data), self.request.user
        )
        return serializer.instance

    @extend_schema(responses=ResultsSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def results(self, request):
        assignments = self.filter_queryset(self.get_queryset())
        return Response(
            ResultsSerializer(
                {
                    "by_cadre": cadres.results_by_cadre(assignments),
                    "by_town": cadres.results_by_town(assignments),
                }
            ).data
        )


class CadreVisitViewSet(ScopedViewSet):
    """Visits of chair assistants; the cadre may add and edit the visits of their own assignment."""

    queryset = CadreVisit.objects.select_related("assignment", "employer")
    serializer_class = CadreVisitSerializer
    filterset_class = CadreVisitFilterSet
    ordering_fields = ["id", "visited_on"]
    ordering = ["-visited_on", "-id"]


# ------------------------------------------------------------------ establishing


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()


class EstablishmentSerializer(serializers.ModelSerializer):
    union_name = serializers.CharField(source="union.name", read_only=True)
    union_status = serializers.CharField(source="union.status", read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Establishment
        fields = [
            "id",
            "union",
            "union_name",
            "union_status",
            "employers",
            "responsible",
            "stage",
            "preparation_on",
            "election_on",
            "approved_on",
            "approval_reference",
            "note",
            "documents",
        ]
        read_only_fields = fields


class EstablishmentViewSet(ScopedViewSet):
    """Unions being established, read-only here: the steps are POSTs to `establishments/start/` and
    `establishments/{id}/advance|approve|abandon/`, each recorded as a workflow step."""

    http_method_names = ["get", "head", "options"]
    queryset = Establishment.objects.select_related("union").prefetch_related("employers", "documents")
    serializer_class = EstablishmentSerializer
    filterset_class = EstablishmentFilterSet
    ordering_fields = ["id", "preparation_on", "approved_on"]
    ordering = ["-id"]


class StartSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(
        choices=[UnionKind.GRASSROOTS, UnionKind.JOINT, UnionKind.INDUSTRY, UnionKind.NEW_ECONOMY]
    )
    parent = serializers.IntegerField()
    region = serializers.CharField(max_length=12)
    sector = serializers.CharField(max_length=20, default="mixed")
    responsible = serializers.IntegerField(required=False, allow_null=True)
    employers = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    preparation_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.NOTE)


class StepSerializer(serializers.Serializer):
    on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class EstablishmentStartView(APIView):
    """Start establishing a union under `parent` (a union where the caller may add): it enters the tree
    as "preparing" with the employers it will cover."""

    access = "scoped"
    permission_classes = [IsOfficial]
    serializer_class = StartSerializer

    @extend_schema(request=StartSerializer, responses={201: EstablishmentSerializer})
    def post(self, request):
        from ..forms.establishment import EstablishmentStartForm

        incoming = StartSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        form = EstablishmentStartForm(
            {**data, "employers": data["employers"], "responsible": data.get("responsible") or ""},
            user=request.user,
        )
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        try:
            created = form.start()
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        except PermissionDenied:
            raise Http404 from None
        return Response(EstablishmentSerializer(created).data, status=201)


class EstablishmentStepView(APIView):
    """One step of an establishment: `advance` (preparation → election → approval), `approve` (needs
    `reference`) or `abandon` (needs `reason`). Out of order is 400; another union's is 404."""

    access = "scoped"
    permission_classes = [IsOfficial]
    serializer_class = StepSerializer
    step = ""

    @extend_schema(request=StepSerializer, responses=EstablishmentSerializer)
    def post(self, request, pk):
        target = Establishment.objects.restrict(request.user, CHANGE).filter(pk=pk).first()
        if target is None:
            raise Http404
        incoming = StepSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            with transaction.atomic():
                if self.step == "advance":
                    done = establishment.advance(target, data["on"], request.user, data["note"])
                elif self.step == "approve":
                    if not data["reference"].strip():
                        raise serializers.ValidationError({"reference": [_("请填写批复文号")]})
                    done = establishment.approve(
                        target, data["on"], data["reference"], request.user, data["note"]
                    )
                else:
                    done = establishment.abandon(target, data["on"], data["reason"], request.user)
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        except PermissionDenied:
            raise Http404 from None
        done = Establishment.objects.select_related("union").get(pk=done.pk)
        return Response(EstablishmentSerializer(done).data)
