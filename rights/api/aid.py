"""API of hardship aid.

Officials (scoped): `aid-cases` (read; filters status, tier, awaiting_me, due, within), `aid-cases/apply/`
(on a worker's behalf), and the steps on their own paths — visit, approve, send-back, reject, payment,
recheck, exit. Workers: `me/aid-cases` (their files; POST applies for their own household). People
appear masked only; ID numbers go in request bodies and never come back. Every step calls
rights.services.aid; a refused step is 400 with the service's message (also when the caller's union may
not decide at this level: it says whose turn it is), another union's file 404.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core import access
from core.api.errors import refused
from core.api.viewsets import ActorMixin, BodyMixin, IsOfficial, IsWorker, ScopedViewSet
from core.scoping import CHANGE, VIEW
from orgs.models import Union

from ..choices import AidTier
from ..filtersets.aid import AidCaseFilterSet
from ..models import AidCase, AidDecision, AidPayment, AidVisit, HouseholdMember
from ..services import aid

# ------------------------------------------------------------------ serializers


class AidHouseholdSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.masked_name", read_only=True)
    id_number = serializers.CharField(source="person.id_number_mask", read_only=True)

    class Meta:
        model = HouseholdMember
        fields = ["id", "name", "id_number", "relation", "annual_income", "note", "open"]
        read_only_fields = fields


class AidVisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = AidVisit
        fields = ["id", "visited_on", "visitors", "findings"]
        read_only_fields = fields


class AidDecisionSerializer(serializers.ModelSerializer):
    union_name = serializers.CharField(source="union.name", read_only=True)

    class Meta:
        model = AidDecision
        fields = ["id", "union", "union_name", "approved", "note", "decided_at"]
        read_only_fields = fields


class AidPaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AidPayment
        fields = ["id", "paid_on", "amount", "purpose"]
        read_only_fields = fields


class AidCaseSerializer(serializers.ModelSerializer):
    applicant = serializers.CharField(source="applicant.masked_name", read_only=True)
    household = AidHouseholdSerializer(many=True, read_only=True)
    visits = AidVisitSerializer(many=True, read_only=True)
    decisions = AidDecisionSerializer(many=True, read_only=True)
    payments = AidPaymentSerializer(many=True, read_only=True)

    class Meta:
        model = AidCase
        fields = [
            "id",
            "union",
            "applicant",
            "tier",
            "cause",
            "annual_income",
            "status",
            "awaiting",
            "applied_on",
            "notice_starts_on",
            "notice_ends_on",
            "next_review_on",
            "exited_on",
            "exit_reason",
            "household",
            "visits",
            "decisions",
            "payments",
        ]
        read_only_fields = fields


class MyAidCaseSerializer(serializers.ModelSerializer):
    union_name = serializers.CharField(source="union.name", read_only=True)
    awaiting_name = serializers.CharField(source="awaiting.name", read_only=True, default=None)

    class Meta:
        model = AidCase
        fields = [
            "id",
            "union_name",
            "tier",
            "status",
            "awaiting_name",
            "applied_on",
            "notice_starts_on",
            "notice_ends_on",
            "next_review_on",
            "exited_on",
            "exit_reason",
        ]
        read_only_fields = fields


class MemberEntrySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18)
    relation = serializers.CharField(max_length=20)
    annual_income = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ApplySerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=AidTier.choices)
    cause = serializers.CharField(max_length=1000)
    annual_income = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    applicant_income = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    members = MemberEntrySerializer(many=True, required=False)


class OnBehalfSerializer(ApplySerializer):
    union = serializers.IntegerField()
    applicant_name = serializers.CharField(max_length=50)
    applicant_id_number = serializers.CharField(max_length=18)


class VisitBodySerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    visitors = serializers.CharField(max_length=100)
    findings = serializers.CharField()


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=190, required=False, allow_blank=True, default="")


class PaymentBodySerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    purpose = serializers.CharField(max_length=100)


class RecheckBodySerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=AidTier.choices)
    note = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


def _entries(data) -> list[aid.MemberEntry]:
    return [
        aid.MemberEntry(
            id_number=m["id_number"],
            name=m["name"],
            relation=m["relation"],
            annual_income=m.get("annual_income") or 0,
            note=m.get("note", ""),
        )
        for m in data.get("members") or []
    ]


def _full(queryset):
    return queryset.select_related("union", "awaiting", "applicant").prefetch_related(
        "household__person", "visits", "decisions__union", "payments"
    )


# ------------------------------------------------------------------ officials


class AidCaseViewSet(ScopedViewSet):
    """Hardship-aid files in the caller's scope. Filters: status, tier, awaiting_me, due, within."""

    http_method_names = ["get", "head", "options"]
    queryset = _full(AidCase.objects.all())
    serializer_class = AidCaseSerializer
    filterset_class = AidCaseFilterSet
    ordering_fields = ["id", "applied_on", "next_review_on"]
    ordering = ["-applied_on", "-id"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        aid.finish_notices()  # files whose notice has ended are active before they are read


class AidApplyView(ActorMixin, BodyMixin, generics.GenericAPIView):
    """Apply on a worker's behalf; the applicant and household are found or created by ID number."""

    access = access.SCOPED
    permission_classes = [IsOfficial]
    serializer_class = OnBehalfSerializer

    @extend_schema(request=OnBehalfSerializer, responses={201: AidCaseSerializer, 400: OpenApiResponse()})
    def post(self, request):
        data = self.body(request)
        union = Union.objects.filter(pk=data["union"]).first()
        if union is None:
            raise NotFound
        try:
            case = aid.apply_on_behalf(
                applicant_id_number=data["applicant_id_number"],
                applicant_name=data["applicant_name"],
                union=union,
                tier=data["tier"],
                cause=data["cause"],
                annual_income=data["annual_income"],
                applicant_income=data.get("applicant_income"),
                members=_entries(data),
                by=request.user,
            )
        except PermissionDenied:
            raise NotFound from None
        except ValidationError as error:
            raise refused(error) from None
        return Response(AidCaseSerializer(_full(AidCase.objects.all()).get(pk=case.pk)).data, status=201)


class AidStepView(ActorMixin, BodyMixin, generics.GenericAPIView):
    """A POST step on one file; decisions are checked against the awaiting union by the service."""

    access = access.SCOPED
    permission_classes = [IsOfficial]
    step = ""
    # Each step: its body's serializer and what it asks of the service.
    steps = {
        "visit": (
            VisitBodySerializer,
            lambda case, user, d: aid.record_visit(case, user, d["visited_on"], d["visitors"], d["findings"]),
        ),
        "approve": (NoteSerializer, lambda case, user, d: aid.approve(case, user, d["note"])),
        "send-back": (NoteSerializer, lambda case, user, d: aid.send_back(case, user, d["note"])),
        "reject": (NoteSerializer, lambda case, user, d: aid.reject(case, user, d["note"])),
        "payment": (
            PaymentBodySerializer,
            lambda case, user, d: aid.record_payment(case, user, d["paid_on"], d["amount"], d["purpose"]),
        ),
        "recheck": (
            RecheckBodySerializer,
            lambda case, user, d: aid.recheck(case, user, d["tier"], d["note"]),
        ),
        "exit": (NoteSerializer, lambda case, user, d: aid.exit_case(case, user, d["note"])),
    }

    def get_serializer_class(self):
        return self.steps[self.step][0] if self.step in self.steps else NoteSerializer

    @extend_schema(responses={200: AidCaseSerializer, 400: OpenApiResponse(), 404: OpenApiResponse()})
    def post(self, request, pk):
        # Deciding needs only sight of the file (the union above decides on a file of the one below);
        # the service checks the awaiting union. Other steps need the right to change it.
        action = VIEW if self.step in ("approve", "send-back", "reject") else CHANGE
        case = AidCase.objects.restrict(request.user, action).filter(pk=pk).first()
        if case is None:
            raise NotFound
        data = self.body(request)
        try:
            self.steps[self.step][1](case, request.user, data)
        except PermissionDenied as error:
            # A file the caller sees but may not decide at this level: say whose turn it is.
            if str(error):
                raise ApiValidationError({"detail": str(error)}) from None
            raise NotFound from None
        except ValidationError as error:
            raise refused(error, {"reason": "note"}) from None
        return Response(AidCaseSerializer(_full(AidCase.objects.all()).get(pk=case.pk)).data)


# ------------------------------------------------------------------ workers


class MyAidCaseViewSet(ActorMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in worker's files (as applicant or household member); POST applies for their household."""

    access = access.WORKER
    permission_classes = [IsWorker]
    serializer_class = MyAidCaseSerializer
    ordering = ["-applied_on", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AidCase.objects.none()
        return aid.my_cases(self.request.user.person)

    @extend_schema(request=ApplySerializer, responses={201: MyAidCaseSerializer, 400: OpenApiResponse()})
    def create(self, request, *args, **kwargs):
        body = ApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person = request.user.person
        membership = person.memberships.filter(status="active").select_related("union").first()
        if membership is None:
            raise refused(ValidationError(_("困难帮扶面向在册工会会员，请先入会或请所在工会代为申请")))
        if not person.id_number_hash:
            raise refused(ValidationError(_("请先在手机页面填写您的身份证号后再申请")))
        try:
            case = aid.apply(
                union=membership.union,
                applicant=person,
                tier=data["tier"],
                cause=data["cause"],
                annual_income=data["annual_income"],
                applicant_income=data.get("applicant_income"),
                members=_entries(data),
            )
        except ValidationError as error:
            raise refused(error) from None
        return Response(MyAidCaseSerializer(self.get_queryset().get(pk=case.pk)).data, status=201)


def register(router) -> None:
    router.register("aid-cases", AidCaseViewSet, basename="aid-case")
    router.register("me/aid-cases", MyAidCaseViewSet, basename="my-aid-case")


def urls():
    """The steps, to be placed before the router's paths."""
    routes = [path("aid-cases/apply/", AidApplyView.as_view(), name="aid-case-apply")]
    for step in AidStepView.steps:
        routes.append(
            path(f"aid-cases/<id:pk>/{step}/", AidStepView.as_view(step=step), name=f"aid-case-{step}")
        )
    return routes
