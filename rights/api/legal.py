"""API of legal consultations.

Officials and lawyers (scoped; a lawyer sees only what is assigned): `consultations` (read), with steps
on their own paths — answer, reassign, close, case — and `rights-cases` (read; outcome step), `lawyers`
and `duty-days` (CRUD by rights officials). Workers: `me/consultations` (list, retrieve, create with
photos as multipart) and the steps message, rate, close. Every step calls rights.services.legal; a
refused step is 400 with the service's message, another union's object 404.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core import access, limits
from core.api.errors import refused
from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import ActorMixin, BodyMixin, IsWorker, ScopedViewSet, StepView
from core.scoping import CHANGE, VIEW
from orgs.models import Region

from ..choices import CaseOutcome, ConsultationCategory
from ..filtersets.legal import ConsultationFilterSet, DutyDayFilterSet, LawyerFilterSet
from ..models import Consultation, ConsultationMessage, DutyDay, Lawyer, RightsCase
from ..services import legal

# ------------------------------------------------------------------ serializers


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsultationMessage
        fields = ["id", "author_kind", "body", "sent_at"]


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = RightsCase
        fields = ["id", "consultation", "outcome", "amount_recovered", "opened_on", "closed_on", "summary"]
        read_only_fields = fields


class ConsultationSerializer(serializers.ModelSerializer):
    """A consultation as officials and lawyers see it: the worker masked."""

    person = serializers.CharField(source="person.masked_name", read_only=True)
    lawyer_name = serializers.CharField(source="lawyer.name", read_only=True, default=None)
    messages = MessageSerializer(many=True, read_only=True)
    case = CaseSerializer(read_only=True, default=None)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "union",
            "person",
            "category",
            "question",
            "region",
            "no_employer_contact",
            "status",
            "lawyer",
            "lawyer_name",
            "submitted_at",
            "assigned_at",
            "due_at",
            "answered_at",
            "escalated_at",
            "closed_at",
            "rating",
            "rating_comment",
            "messages",
            "case",
        ]
        read_only_fields = fields


class MyConsultationSerializer(serializers.ModelSerializer):
    """The worker's own consultation: no lawyer account, no internal times."""

    lawyer_name = serializers.CharField(source="lawyer.name", read_only=True, default=None)
    messages = MessageSerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "category",
            "question",
            "region",
            "no_employer_contact",
            "status",
            "lawyer_name",
            "submitted_at",
            "due_at",
            "answered_at",
            "closed_at",
            "rating",
            "rating_comment",
            "messages",
        ]
        read_only_fields = fields


class AskSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ConsultationCategory.choices)
    question = serializers.CharField(max_length=legal.QUESTION_MAX)
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, allow_null=True
    )
    no_employer_contact = serializers.BooleanField(required=False, default=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=legal.MAX_PHOTOS)


class BodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=legal.MESSAGE_MAX)


class RateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReassignSerializer(serializers.Serializer):
    lawyer = serializers.IntegerField()


class CaseOpenSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.ACCOUNT)


class CaseOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    amount_recovered = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    closed_on = serializers.DateField(required=False, allow_null=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=limits.ACCOUNT)


class LawyerSerializer(ScopedModelSerializer):
    """A lawyer's profile, for an account holding the 公益律师 role on the union."""

    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=ConsultationCategory.choices), required=False
    )

    class Meta:
        model = Lawyer
        fields = ["id", "user", "union", "name", "firm", "categories", "regions", "max_open", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "user" in self.fields:
            self.fields["user"].queryset = legal.lawyer_accounts(request.user, self.instance)

    def validate(self, attrs):
        user = attrs.get("user", getattr(self.instance, "user", None))
        union = attrs.get("union", getattr(self.instance, "union", None))
        if user and union and not legal.holds_lawyer_role(user, union):
            raise serializers.ValidationError({"user": _("该账号在所选工会没有“公益律师”角色")})
        return attrs


class DutyDaySerializer(ScopedModelSerializer):
    # Only lawyers of pools the caller manages: whoever may not change a lawyer may not place them.
    choice_actions = {"lawyer": CHANGE}

    class Meta:
        model = DutyDay
        fields = ["id", "lawyer", "station", "day", "starts_at", "ends_at"]

    def validate(self, attrs):
        starts = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": _("结束时间须晚于开始时间")})
        return attrs


# ------------------------------------------------------------------ helpers


def _with_thread(queryset):
    return queryset.select_related("person", "lawyer", "case").prefetch_related(
        Prefetch("messages", queryset=ConsultationMessage.objects.order_by("sent_at", "pk"))
    )


# ------------------------------------------------------------------ officials and lawyers


class ConsultationViewSet(ScopedViewSet):
    """Consultations in the caller's scope (a lawyer: those assigned to them). Filters: status, category,
    overdue, escalated, lawyer, unassigned, within, since, until. Steps on their own paths."""

    http_method_names = ["get", "head", "options"]
    queryset = _with_thread(Consultation.objects.all())
    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilterSet
    ordering_fields = ["id", "submitted_at", "due_at"]
    ordering = ["-submitted_at", "-id"]


class RightsCaseViewSet(ScopedViewSet):
    """Rights cases in the caller's scope; the outcome is set through its step."""

    http_method_names = ["get", "head", "options"]
    queryset = RightsCase.objects.select_related("consultation")
    serializer_class = CaseSerializer
    filterset_fields = ["outcome"]
    ordering_fields = ["id", "opened_on"]
    ordering = ["-opened_on", "-id"]


class LawyerViewSet(ScopedViewSet):
    """The pro bono lawyers' pools in the caller's scope. Filters: q, active, category, within."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Lawyer.objects.select_related("union").prefetch_related("regions")
    serializer_class = LawyerSerializer
    filterset_class = LawyerFilterSet
    ordering_fields = ["id", "name"]
    ordering = ["name", "id"]


class DutyDayViewSet(ScopedViewSet):
    """Lawyers' duty days at stations. Filters: lawyer, station, since, until."""

    queryset = DutyDay.objects.select_related("lawyer", "station")
    serializer_class = DutyDaySerializer
    filterset_class = DutyDayFilterSet
    ordering_fields = ["id", "day"]
    ordering = ["day", "starts_at", "id"]


class _Step(StepView):
    """A POST step on one consultation in the caller's CHANGE scope (another union's is 404)."""

    model = Consultation
    # The service's PermissionDenied (a step that is not the caller's to take) is a refusal too.
    refusals = (ValidationError, PermissionDenied)

    def target(self, pk, queryset=None):
        if queryset is None:
            queryset = Consultation.objects.restrict(self.request.user, CHANGE).select_related(
                "union", "lawyer"
            )
        return super().target(pk, queryset)

    def done(self, consultation) -> Response:
        fresh = _with_thread(Consultation.objects.all()).get(pk=consultation.pk)
        return Response(ConsultationSerializer(fresh).data)


class AnswerView(_Step):
    """The assigned lawyer answers (the first answer sets answered_at), or a rights official replies."""

    serializer_class = BodySerializer

    @extend_schema(request=BodySerializer, responses={200: ConsultationSerializer, 400: OpenApiResponse()})
    def post(self, request, pk):
        consultation = self.target(pk)
        self.run(legal.answer, consultation, request.user, self.body(request)["body"])
        return self.done(consultation)


class ReassignView(_Step):
    serializer_class = ReassignSerializer

    @extend_schema(
        request=ReassignSerializer, responses={200: ConsultationSerializer, 400: OpenApiResponse()}
    )
    def post(self, request, pk):
        consultation = self.target(pk)
        lawyer = Lawyer.objects.restrict(request.user, VIEW).filter(pk=self.body(request)["lawyer"]).first()
        if lawyer is None:
            raise ApiValidationError({"lawyer": [_("律师不存在或不在您的管辖范围内")]})
        self.run(legal.reassign, consultation, lawyer, request.user)
        return self.done(consultation)


class CloseView(_Step):
    @extend_schema(request=None, responses={200: ConsultationSerializer, 400: OpenApiResponse()})
    def post(self, request, pk):
        consultation = self.target(pk)
        self.run(legal.close, consultation, request.user)
        return self.done(consultation)


class CaseOpenView(_Step):
    serializer_class = CaseOpenSerializer

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer, 400: OpenApiResponse()})
    def post(self, request, pk):
        consultation = self.target(pk)
        case = self.run(legal.make_case, consultation, request.user, self.body(request)["summary"])
        return Response(CaseSerializer(case).data, status=201)


class CaseOutcomeView(_Step):
    serializer_class = CaseOutcomeSerializer

    @extend_schema(request=CaseOutcomeSerializer, responses={200: CaseSerializer, 400: OpenApiResponse()})
    def post(self, request, pk):
        case = self.target(
            pk, RightsCase.objects.restrict(request.user, CHANGE).select_related("consultation")
        )
        data = self.body(request)
        self.run(
            legal.update_case,
            case,
            request.user,
            data["outcome"],
            data["amount_recovered"],
            summary=data.get("summary"),
            closed_on=data.get("closed_on"),
        )
        return Response(CaseSerializer(case).data)


# ------------------------------------------------------------------ workers


class MyConsultationViewSet(
    ActorMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in worker's consultations, newest first; POST asks a new one (multipart for photos)."""

    access = access.WORKER
    permission_classes = [IsWorker]
    serializer_class = MyConsultationSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["status", "category"]
    ordering = ["-submitted_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consultation.objects.none()
        return _with_thread(Consultation.objects.filter(person__user=self.request.user))

    @extend_schema(request=AskSerializer, responses={201: MyConsultationSerializer, 400: OpenApiResponse()})
    def create(self, request, *args, **kwargs):
        body = AskSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        photos = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
        try:
            consultation = legal.submit(
                request.user.person,
                data["category"],
                data["question"],
                region=data.get("region"),
                no_employer_contact=data.get("no_employer_contact", False),
                photos=photos or data.get("photos", []),
            )
        except ValidationError as error:
            raise refused(error) from None
        fresh = self.get_queryset().get(pk=consultation.pk)
        return Response(MyConsultationSerializer(fresh).data, status=201)


class MyStepView(ActorMixin, BodyMixin, generics.GenericAPIView):
    """A worker's step on their own consultation: message (a follow-up), rate, close."""

    access = access.WORKER
    permission_classes = [IsWorker]
    serializer_class = None
    step = ""

    def get_serializer_class(self):
        return {"message": BodySerializer, "rate": RateSerializer}.get(self.step, serializers.Serializer)

    @extend_schema(responses={200: MyConsultationSerializer, 400: OpenApiResponse()})
    def post(self, request, pk):
        consultation = Consultation.objects.filter(pk=pk, person__user=request.user).first()
        if consultation is None:
            raise NotFound
        person = request.user.person
        data = self.body(request)
        try:
            if self.step == "message":
                legal.follow_up(consultation, person, data["body"])
            elif self.step == "rate":
                legal.rate(consultation, person, data["rating"], data.get("comment", ""))
            else:
                legal.close(consultation, request.user)
        except (ValidationError, PermissionDenied) as error:
            raise refused(error) from None
        fresh = _with_thread(Consultation.objects.all()).get(pk=consultation.pk)
        return Response(MyConsultationSerializer(fresh).data)


def register(router) -> None:
    router.register("consultations", ConsultationViewSet, basename="consultation")
    router.register("rights-cases", RightsCaseViewSet, basename="rights-case")
    router.register("lawyers", LawyerViewSet, basename="lawyer")
    router.register("duty-days", DutyDayViewSet, basename="duty-day")
    router.register("me/consultations", MyConsultationViewSet, basename="my-consultation")


def urls():
    """The steps, to be placed before the router's paths."""
    routes = [
        path("consultations/<id:pk>/answer/", AnswerView.as_view(), name="consultation-answer"),
        path("consultations/<id:pk>/reassign/", ReassignView.as_view(), name="consultation-reassign"),
        path("consultations/<id:pk>/close/", CloseView.as_view(), name="consultation-close"),
        path("consultations/<id:pk>/case/", CaseOpenView.as_view(), name="consultation-case"),
        path("rights-cases/<id:pk>/outcome/", CaseOutcomeView.as_view(), name="rights-case-outcome"),
    ]
    for step in ("message", "rate", "close"):
        routes.append(
            path(
                f"me/consultations/<id:pk>/{step}/",
                MyStepView.as_view(step=step),
                name=f"my-consultation-{step}",
            )
        )
    return routes
