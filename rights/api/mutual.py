"""API of mutual medical aid (职工医疗互助保障).

Officials (scoped): `mutual-plans` (CRUD; an edit of terms tells the enrolled members),
`mutual-enrolments` and `mutual-claims` (read), with steps on their own paths — enrol-batch (a union
subtree), enrol-file (an xlsx/csv of ID numbers, all or nothing), enrol (one person by ID number),
mutual-enrolments/<pk>/claims (a claim on behalf, multipart), approve, reject, pay. Workers:
`me/mutual-plans` (plans open to them now) with enrol, `me/mutual-enrolments`, `me/mutual-claims`
(list, retrieve, create multipart with documents). Every step calls rights.services.mutual; a refused
step is 400 with the service's message, another union's object 404.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core import access, spreadsheets
from core.api.errors import refused
from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import ActorMixin, IsWorker, ScopedViewSet, StepView
from orgs.models import Union

from ..filtersets.mutual import ClaimFilterSet, EnrollmentFilterSet, PlanFilterSet
from ..models import MutualAidClaim, MutualAidEnrollment, MutualAidPlan
from ..services import mutual

# ------------------------------------------------------------------ serializers


class MutualPlanSerializer(ScopedModelSerializer):
    class Meta:
        model = MutualAidPlan
        fields = [
            "id",
            "union",
            "name",
            "year",
            "premium",
            "enrol_opens_on",
            "enrol_closes_on",
            "coverage_starts_on",
            "coverage_ends_on",
            "members_only",
            "eligibility",
            "benefits",
        ]


class MutualEnrollmentSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.masked_name", read_only=True)

    class Meta:
        model = MutualAidEnrollment
        fields = [
            "id",
            "plan",
            "person",
            "union",
            "batch",
            "enrolled_on",
            "premium_paid",
            "coverage_starts_on",
            "coverage_ends_on",
        ]
        read_only_fields = fields


class ClaimDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class MutualClaimSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="enrollment.person.masked_name", read_only=True)
    documents = ClaimDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = MutualAidClaim
        fields = [
            "id",
            "enrollment",
            "person",
            "kind",
            "incurred_on",
            "amount_claimed",
            "amount_approved",
            "status",
            "review_note",
            "submitted_on",
            "paid_on",
            "documents",
        ]
        read_only_fields = fields


class MyEnrollmentSerializer(serializers.ModelSerializer):
    plan = MutualPlanSerializer(read_only=True)

    class Meta:
        model = MutualAidEnrollment
        fields = ["id", "plan", "enrolled_on", "premium_paid", "coverage_starts_on", "coverage_ends_on"]
        read_only_fields = fields


# A worker's own claim: what officials see of it, less the (masked) person.
class MyClaimSerializer(serializers.ModelSerializer):
    documents = ClaimDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = MutualAidClaim
        fields = [name for name in MutualClaimSerializer.Meta.fields if name != "person"]
        read_only_fields = fields


class MutualBatchSerializer(serializers.Serializer):
    union = serializers.IntegerField()
    batch = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class FileBatchSerializer(MutualBatchSerializer):
    file = serializers.FileField()


class MutualBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    already = serializers.IntegerField()
    batch = serializers.CharField()


class MutualPersonSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=18)


class MutualClaimInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=mutual.CLAIM_KINDS)
    incurred_on = serializers.DateField()
    amount_claimed = serializers.DecimalField(max_digits=12, decimal_places=2)
    documents = serializers.ListField(child=serializers.FileField(), max_length=mutual.MAX_DOCUMENTS)


class MyClaimInSerializer(MutualClaimInSerializer):
    enrollment = serializers.IntegerField()


class ClaimApproveSerializer(serializers.Serializer):
    amount_approved = serializers.DecimalField(max_digits=12, decimal_places=2)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClaimRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ClaimPaySerializer(serializers.Serializer):
    paid_on = serializers.DateField(required=False, allow_null=True)


# ------------------------------------------------------------------ officials


class MutualPlanViewSet(ScopedViewSet):
    """Mutual aid plans in the caller's scope. Filters: year, q. Editing the premium, dates or benefits
    of a plan with enrolments tells every enrolled member."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = MutualAidPlan.objects.select_related("union")
    serializer_class = MutualPlanSerializer
    filterset_class = PlanFilterSet
    ordering_fields = ["id", "year"]
    ordering = ["-year", "id"]

    def create_instance(self, serializer):
        plan = MutualAidPlan(**serializer.validated_data)
        try:
            mutual.save_plan(plan, by=self.request.user)
        except ValidationError as error:
            raise refused(error) from None
        serializer.instance = plan
        return plan

    def update_instance(self, serializer):
        plan = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(plan, name, value)
        try:
            mutual.save_plan(plan, by=self.request.user)
        except ValidationError as error:
            raise refused(error) from None
        return plan


class MutualEnrollmentViewSet(ScopedViewSet):
    """Enrolments in the caller's scope (people masked). Filters: plan, batch, within, since, until."""

    http_method_names = ["get", "head", "options"]
    queryset = MutualAidEnrollment.objects.select_related("person")
    serializer_class = MutualEnrollmentSerializer
    filterset_class = EnrollmentFilterSet
    ordering_fields = ["id", "enrolled_on"]
    ordering = ["-enrolled_on", "-id"]


class MutualClaimViewSet(ScopedViewSet):
    """Claims in the caller's scope. Filters: status, plan, within, since, until."""

    http_method_names = ["get", "head", "options"]
    queryset = MutualAidClaim.objects.select_related("enrollment__person").prefetch_related("documents")
    serializer_class = MutualClaimSerializer
    filterset_class = ClaimFilterSet
    ordering_fields = ["id", "submitted_on"]
    ordering = ["-submitted_on", "-id"]


class _Step(StepView):
    # A step on a plan the caller takes part in (mutual.plans_for), or on an enrolment or a claim in
    # their CHANGE scope; the service's PermissionDenied is a refusal (400) too.
    model = MutualAidPlan
    refusals = (ValidationError, PermissionDenied)

    def target(self, pk, queryset=None):
        if queryset is None and self.model is MutualAidPlan:
            queryset = mutual.plans_for(self.request.user)
        return super().target(pk, queryset)

    def union(self, pk):
        union = Union.objects.restrict(self.request.user).filter(pk=pk).first()
        if union is None:
            raise serializers.ValidationError({"union": [_("工会不存在或不在您的管辖范围内")]})
        return union


class EnrolBatchView(_Step):
    """Enrol every active member of a union's subtree not yet enrolled (idempotent)."""

    serializer_class = MutualBatchSerializer

    @extend_schema(
        request=MutualBatchSerializer, responses={200: MutualBatchResultSerializer, 400: OpenApiResponse()}
    )
    def post(self, request, pk):
        plan = self.target(pk)
        data = self.body(request)
        result = self.run(
            mutual.enrol_batch, plan, self.union(data["union"]), by=request.user, batch=data["batch"]
        )
        return Response(MutualBatchResultSerializer(result).data)


class EnrolFileView(_Step):
    """Enrol the people of an xlsx/csv of ID numbers; any problem (row, column) enrols nobody (400)."""

    serializer_class = FileBatchSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=FileBatchSerializer, responses={200: MutualBatchResultSerializer, 400: OpenApiResponse()}
    )
    def post(self, request, pk):
        plan = self.target(pk)
        data = self.body(request)
        upload = data["file"]
        try:
            result = mutual.enrol_from_file(
                plan,
                self.union(data["union"]),
                upload.read(),
                upload.name,
                by=request.user,
                batch=data["batch"],
            )
        except spreadsheets.FileError as error:
            raise serializers.ValidationError({"file": [str(error)]}) from None
        except (ValidationError, PermissionDenied) as error:
            raise refused(error) from None
        if result.problems:
            problems = [{"row": p.row, "column": p.column, "message": p.message} for p in result.problems]
            return Response({"problems": problems}, status=400)
        return Response(MutualBatchResultSerializer(result).data)


class EnrolPersonView(_Step):
    """Enrol one person on their behalf, found by ID number (posted, never in a URL)."""

    serializer_class = MutualPersonSerializer

    @extend_schema(
        request=MutualPersonSerializer, responses={201: MutualEnrollmentSerializer, 400: OpenApiResponse()}
    )
    def post(self, request, pk):
        plan = self.target(pk)
        id_number = self.body(request)["id_number"]
        enrolment = self.run(mutual.enrol_by_id_number, plan, id_number, by=request.user)
        return Response(MutualEnrollmentSerializer(enrolment).data, status=201)


class ClaimOnBehalfView(_Step):
    """An official submits a claim for an enrolment (multipart, `documents` repeated)."""

    serializer_class = MutualClaimInSerializer
    parser_classes = [MultiPartParser, FormParser]
    model = MutualAidEnrollment

    @extend_schema(
        request=MutualClaimInSerializer, responses={201: MutualClaimSerializer, 400: OpenApiResponse()}
    )
    def post(self, request, pk):
        enrolment = self.target(pk)
        data = self.body(request)
        claim = self.run(
            mutual.submit_claim,
            enrolment,
            data["kind"],
            data["incurred_on"],
            data["amount_claimed"],
            documents=request.FILES.getlist("documents"),
            by=request.user,
        )
        return Response(MutualClaimSerializer(claim).data, status=201)


class ClaimStepView(_Step):
    """approve (amount ≤ claimed), reject (reason), pay (payment date, default today)."""

    model = MutualAidClaim
    step = ""

    def get_serializer_class(self):
        return {
            "approve": ClaimApproveSerializer,
            "reject": ClaimRejectSerializer,
            "pay": ClaimPaySerializer,
        }[self.step]

    @extend_schema(responses={200: MutualClaimSerializer, 400: OpenApiResponse()})
    def post(self, request, pk):
        claim = self.target(pk)
        data = self.body(request)
        try:
            if self.step == "approve":
                mutual.approve(claim, request.user, data["amount_approved"], data.get("note", ""))
            elif self.step == "reject":
                mutual.reject(claim, request.user, data["reason"])
            else:
                mutual.pay(claim, request.user, data.get("paid_on"))
        except (ValidationError, PermissionDenied) as error:
            raise refused(error) from None
        fresh = MutualAidClaim.objects.prefetch_related("documents").select_related("enrollment__person")
        return Response(MutualClaimSerializer(fresh.get(pk=claim.pk)).data)


# ------------------------------------------------------------------ workers


class MyPlanViewSet(ActorMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Plans the signed-in worker may enrol in today (window open, eligible, not yet enrolled)."""

    access = access.WORKER
    permission_classes = [IsWorker]
    serializer_class = MutualPlanSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MutualAidPlan.objects.none()
        return mutual.open_plans_for(self.request.user.person)


class MyEnrollmentViewSet(
    ActorMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in worker's coverage: plan and period."""

    access = access.WORKER
    permission_classes = [IsWorker]
    serializer_class = MyEnrollmentSerializer
    ordering = ["-enrolled_on", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MutualAidEnrollment.objects.none()
        return MutualAidEnrollment.objects.filter(person__user=self.request.user).select_related("plan")


class MyClaimViewSet(
    ActorMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in worker's claims; POST (multipart, `documents` repeated) submits one."""

    access = access.WORKER
    permission_classes = [IsWorker]
    serializer_class = MyClaimSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["status"]
    ordering = ["-submitted_on", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MutualAidClaim.objects.none()
        return MutualAidClaim.objects.filter(enrollment__person__user=self.request.user).prefetch_related(
            "documents"
        )

    @extend_schema(request=MyClaimInSerializer, responses={201: MyClaimSerializer, 400: OpenApiResponse()})
    def create(self, request, *args, **kwargs):
        body = MyClaimInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        enrolment = MutualAidEnrollment.objects.filter(
            pk=data["enrollment"], person__user=request.user
        ).first()
        if enrolment is None:
            raise serializers.ValidationError({"enrollment": [_("参保记录不存在")]})
        try:
            claim = mutual.submit_claim(
                enrolment,
                data["kind"],
                data["incurred_on"],
                data["amount_claimed"],
                documents=request.FILES.getlist("documents"),
            )
        except ValidationError as error:
            raise refused(error) from None
        return Response(MyClaimSerializer(self.get_queryset().get(pk=claim.pk)).data, status=201)


class MyEnrolView(ActorMixin, generics.GenericAPIView):
    """The worker enrols themself in an open plan."""

    access = access.WORKER
    permission_classes = [IsWorker]
    serializer_class = None

    @extend_schema(request=None, responses={201: MyEnrollmentSerializer, 400: OpenApiResponse()})
    def post(self, request, pk):
        plan = MutualAidPlan.objects.filter(pk=pk).first()
        if plan is None:
            raise NotFound
        try:
            enrolment = mutual.enrol(plan, request.user.person)
        except ValidationError as error:
            raise refused(error) from None
        return Response(MyEnrollmentSerializer(enrolment).data, status=201)


def register(router) -> None:
    router.register("mutual-plans", MutualPlanViewSet, basename="mutual-plan")
    router.register("mutual-enrolments", MutualEnrollmentViewSet, basename="mutual-enrolment")
    router.register("mutual-claims", MutualClaimViewSet, basename="mutual-claim")
    router.register("me/mutual-plans", MyPlanViewSet, basename="my-mutual-plan")
    router.register("me/mutual-enrolments", MyEnrollmentViewSet, basename="my-mutual-enrolment")
    router.register("me/mutual-claims", MyClaimViewSet, basename="my-mutual-claim")


def urls():
    """The steps, to be placed before the router's paths."""
    routes = [
        path("mutual-plans/<id:pk>/enrol-batch/", EnrolBatchView.as_view(), name="mutual-plan-enrol-batch"),
        path("mutual-plans/<id:pk>/enrol-file/", EnrolFileView.as_view(), name="mutual-plan-enrol-file"),
        path("mutual-plans/<id:pk>/enrol/", EnrolPersonView.as_view(), name="mutual-plan-enrol"),
        path("mutual-enrolments/<id:pk>/claims/", ClaimOnBehalfView.as_view(), name="mutual-enrolment-claim"),
        path("me/mutual-plans/<id:pk>/enrol/", MyEnrolView.as_view(), name="my-mutual-plan-enrol"),
    ]
    for step in ("approve", "reject", "pay"):
        routes.append(
            path(
                f"mutual-claims/<id:pk>/{step}/",
                ClaimStepView.as_view(step=step),
                name=f"mutual-claim-{step}",
            )
        )
    return routes
