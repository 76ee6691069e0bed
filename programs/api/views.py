"""API of the capacity engine.

Officials: programs, series, sessions and registrations in their scope (ScopedViewSet), and the
engine's steps as POSTs on their own paths (see `urls`): sign-up on a worker's behalf (POST to
registrations), cancel, reorder, move, capacity, check-in, no-shows, the lottery draw, the funnel.
Anyone: published programs (`open-programs`) and a drawn lottery's seed and entries to re-run it.
Workers: their own registrations (`me/registrations`), sign-up, cancel, offers, leaving the waitlist.
Every step calls programs.services; a refused step is 400 with the engine's plain-Chinese message.
"""

from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from accounts.backends import reading_users_with
from core import access
from core.api.errors import refused
from core.api.viewsets import ActorMixin, IsWorker, ScopedViewSet, StepView
from core.scoping import CHANGE, VIEW
from members.models import Person

from ..choices import RegistrationChannel, RegistrationStatus
from ..filtersets.catalogue import ProgramFilterSet, SeriesFilterSet
from ..models import Program, ProgramSeries, Registration, Session
from ..services import catalogue, eligibility, funnel, lottery, reads
from ..services import registrations as engine
from . import serializers as s


class IsSigningUpWorker(IsWorker):
    """A worker; a sign-up reads the person with their active membership at once (eligibility needs both):
    with the user (MyRegistrationViewSet.perform_authentication), or on its own when the user was read
    before."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_worker):
            return False
        if getattr(view, "action", None) == "create" and not reads.person_read_with(user):
            person = reads.signing_up_person.first(user.pk)
            if person is None:
                return False
            user.person = person
            return True
        return hasattr(user, "person")


# ------------------------------------------------------------------ officials: catalogue


class SeriesViewSet(ScopedViewSet):
    """Series (menus) of programs in the caller's scope."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = ProgramSeries.objects.select_related("union")
    serializer_class = s.ProgramSeriesSerializer
    filterset_class = SeriesFilterSet
    ordering_fields = ["id", "name"]
    ordering = ["name", "id"]


class ProgramViewSet(ScopedViewSet):
    """Programs in the caller's scope, with their sessions. Filters: q, kind, status, within, open."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Program.objects.select_related("union").prefetch_related(
        "partners", "regions", Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "id"))
    )
    serializer_class = s.ProgramSerializer
    filterset_class = ProgramFilterSet
    ordering_fields = ["id", "title", "signup_opens_at", "created_at"]
    ordering = ["-signup_opens_at", "-id"]


class SessionViewSet(ScopedViewSet):
    """Sessions in the caller's scope. A change of `capacity` goes through the engine (never below seated)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Session.objects.select_related("program")
    serializer_class = s.ProgramSessionSerializer
    filterset_fields = ["program", "station"]
    ordering_fields = ["id", "starts_at"]
    ordering = ["starts_at", "id"]

    def update_instance(self, serializer):
        capacity = serializer.validated_data.pop("capacity", None)
        session = serializer.save()
        if capacity is not None and capacity != session.capacity:
            try:
                engine.set_capacity(session, capacity, by=self.request.user)
            except ValidationError as error:
                raise refused(error) from None
            session.refresh_from_db()
        return session


# ------------------------------------------------------------------ officials: registrations


class RegistrationViewSet(ScopedViewSet):
    """Registrations in the caller's scope (read only: every change is a step of the engine on its own
    path — sign-up on a worker's behalf, cancel, reorder, move).

    Filters: program, session, status, person, channel."""

    http_method_names = ["get", "head", "options"]
    queryset = Registration.objects.select_related("program", "session", "person")
    serializer_class = s.RegistrationSerializer
    filterset_fields = ["program", "session", "status", "person", "channel"]
    ordering_fields = ["id", "signed_up_at", "position", "status"]
    ordering = ["session_id", "status", "position", "signed_up_at", "id"]


class RegistrationSignUpView(StepView):
    """Sign a worker up on their behalf: the session must be one the caller may change, the person one
    they may see; the engine's rules apply (eligibility, one active registration, seats)."""

    model = Session
    serializer_class = s.RegistrationOnBehalfSerializer

    @extend_schema(
        request=s.RegistrationOnBehalfSerializer,
        responses={201: s.RegistrationSerializer, 400: OpenApiResponse()},
    )
    def post(self, request):
        data = self.body(request)
        session = self.model.objects.restrict(request.user, CHANGE).filter(pk=data["session"])
        session = session.select_related("program").first()
        if session is None:
            raise ApiValidationError({"session": [_("场次不存在或不在您的管辖范围内")]})
        person = Person.objects.restrict(request.user, VIEW).filter(pk=data["person"]).first()
        if person is None:
            raise ApiValidationError({"person": [_("职工不存在或不在您的管辖范围内")]})
        registration = self.run(
            engine.sign_up, session, person, by=request.user, channel=RegistrationChannel.OFFICIAL
        )
        return Response(s.RegistrationSerializer(registration).data, status=201)


class RegistrationCancelView(StepView):
    model = Registration
    serializer_class = s.RegistrationReasonSerializer

    @extend_schema(
        request=s.RegistrationReasonSerializer,
        responses={200: s.RegistrationSerializer, 400: OpenApiResponse()},
    )
    def post(self, request, pk):
        registration = self.target(pk)
        data = self.body(request)
        done = self.run(engine.cancel, registration, by=request.user, reason=data.get("reason", ""))
        return Response(s.RegistrationSerializer(done).data)


class RegistrationReorderView(StepView):
    model = Registration
    serializer_class = s.RegistrationReorderSerializer

    @extend_schema(
        request=s.RegistrationReorderSerializer,
        responses={200: s.RegistrationSerializer, 400: OpenApiResponse()},
    )
    def post(self, request, pk):
        registration = self.target(pk)
        data = self.body(request)
        done = self.run(
            engine.reorder, registration, data["position"], by=request.user, reason=data["reason"]
        )
        return Response(s.RegistrationSerializer(done).data)


class RegistrationMoveView(StepView):
    model = Registration
    serializer_class = s.RegistrationMoveSerializer

    @extend_schema(
        request=s.RegistrationMoveSerializer,
        responses={200: s.RegistrationSerializer, 400: OpenApiResponse()},
    )
    def post(self, request, pk):
        registration = self.target(pk)
        data = self.body(request)
        to = Session.objects.restrict(request.user, CHANGE).filter(pk=data["session"]).first()
        if to is None:
            raise ApiValidationError({"session": [_("场次不存在或不在您的管辖范围内")]})
        done = self.run(engine.move, registration, to, by=request.user, reason=data.get("reason", ""))
        return Response(s.RegistrationSerializer(done).data)


class SessionCapacityView(StepView):
    model = Session
    serializer_class = s.SessionCapacitySerializer

    @extend_schema(
        request=s.SessionCapacitySerializer,
        responses={200: s.ProgramSessionSerializer, 400: OpenApiResponse()},
    )
    def post(self, request, pk):
        session = self.target(pk)
        data = self.body(request)
        done = self.run(engine.set_capacity, session, data["capacity"], by=request.user)
        return Response(s.ProgramSessionSerializer(done, context={"request": request}).data)


class SessionNoShowsView(StepView):
    """After the session: confirmed registrations not checked in become no-shows."""

    model = Session
    serializer_class = None

    @extend_schema(
        request=None, responses={200: OpenApiResponse(description="{no_shows: n}"), 400: OpenApiResponse()}
    )
    def post(self, request, pk):
        session = self.target(pk)
        return Response({"no_shows": self.run(engine.mark_no_shows, session)})


class CheckInView(StepView):
    """Check in at a session by the ticket QR, the typed ticket code, or the member card QR."""

    model = Session
    serializer_class = s.ProgramCheckInSerializer

    @extend_schema(
        request=s.ProgramCheckInSerializer, responses={200: s.RegistrationSerializer, 400: OpenApiResponse()}
    )
    def post(self, request):
        data = self.body(request)
        session = self.target(data["session"])
        done = self.run(engine.check_in, data["code"], by=request.user, session=session)
        return Response(s.RegistrationSerializer(done).data)


class ProgramDrawView(StepView):
    """Draw the lottery once (the seed is random unless given); the result is published."""

    model = Program
    serializer_class = s.LotteryDrawSerializer

    @extend_schema(
        request=s.LotteryDrawSerializer, responses={200: OpenApiResponse(), 400: OpenApiResponse()}
    )
    def post(self, request, pk):
        program = self.target(pk)
        data = self.body(request)
        result = self.run(engine.draw_lottery, program, by=request.user, seed=data.get("seed") or None)
        return Response(
            {
                "seed": result["seed"],
                "drawn_at": result["drawn_at"],
                "algorithm": result["algorithm"],
                "sessions": {
                    str(pk): {k: v for k, v in r.items() if k in ("confirmed", "waitlisted")}
                    for pk, r in result["sessions"].items()
                },
            }
        )


class ProgramStatusView(StepView):
    """A program's status step: `publish` (a draft or closed program with a session) or `close`."""

    model = Program
    serializer_class = None

    @extend_schema(request=None, responses={200: s.ProgramSerializer, 400: OpenApiResponse()})
    def post(self, request, pk, step):
        program = self.run(catalogue.change_status, self.target(pk), step)
        return Response(s.ProgramSerializer(program, context={"request": request}).data)


class ProgramFunnelView(StepView):
    """Views → sign-ups → confirmed → attended per program and session, and spending against budget."""

    model = Program
    scope = VIEW
    serializer_class = None

    @extend_schema(responses={200: OpenApiResponse(description="{funnel: {...}, spending: {...}}")})
    def get(self, request, pk):
        program = self.target(pk)
        return Response({"funnel": funnel.funnel(program), "spending": funnel.spending(program)})


# ------------------------------------------------------------------ anyone: published programs


def _published():
    return Program.objects.filter(status__in=reads.VISIBLE_STATUSES).select_related("union")


class OpenProgramViewSet(ActorMixin, viewsets.ReadOnlyModelViewSet):
    """Published programs with sessions and free seats; for a signed-in worker, why they may not sign up."""

    access = access.PUBLIC
    permission_classes = [permissions.AllowAny]
    serializer_class = s.PublicProgramSerializer
    filterset_class = ProgramFilterSet
    ordering_fields = ["id", "signup_opens_at"]
    ordering = ["-signup_opens_at", "-id"]

    def get_queryset(self):
        return _published().prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "id"))
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        if self.action == "retrieve" and user.is_authenticated and user.is_worker and hasattr(user, "person"):
            program = get_object_or_404(_published(), pk=self.kwargs["pk"])
            context["reasons"] = {program.pk: eligibility.reasons(program, user.person)}
        return context


class LotteryView(ActorMixin, generics.GenericAPIView):
    """A drawn lottery as published: seed, algorithm, each session's entries (registration ids), check."""

    access = access.PUBLIC
    permission_classes = [permissions.AllowAny]
    serializer_class = None

    @extend_schema(responses={200: OpenApiResponse(description="{seed, algorithm, sessions, ok}")})
    def get(self, request, pk):
        program = get_object_or_404(_published(), pk=pk)
        if not program.lottery_drawn_at:
            raise NotFound(_("尚未抽签"))
        result = lottery.verify_lottery(program)
        return Response(
            {
                "seed": result["seed"],
                "drawn_at": program.lottery_drawn_at,
                "algorithm": result["algorithm"],
                "ok": result["ok"],
                "sessions": {
                    str(pk): {"entries": r["entries"], "order": r["recorded"], "ok": r["ok"]}
                    for pk, r in result["sessions"].items()
                },
            }
        )


# ------------------------------------------------------------------ workers: their own registrations


class MyRegistrationViewSet(
    ActorMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in worker's registrations, newest first; POST {session} signs up."""

    access = access.WORKER
    permission_classes = [IsSigningUpWorker]
    serializer_class = s.MyRegistrationSerializer
    filterset_fields = ["status", "program"]
    ordering = ["-signed_up_at", "-id"]

    def perform_authentication(self, request):
        # A sign-up's user is read with the person (one statement: the person's read was a round trip).
        reading = reading_users_with(reads.signing_up_user) if self.action == "create" else nullcontext()
        with reading:
            super().perform_authentication(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Registration.objects.none()
        return engine.with_place(Registration.objects.filter(person__user=self.request.user)).select_related(
            "program", "session", "person"
        )

    @extend_schema(
        request=s.ProgramSignUpSerializer, responses={201: s.MyRegistrationSerializer, 400: OpenApiResponse()}
    )
    def create(self, request, *args, **kwargs):
        body = s.ProgramSignUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = reads.session_to_sign_up(body.validated_data["session"])
        if session is None:
            raise ApiValidationError({"session": [_("场次不存在")]})
        try:
            registration = engine.sign_up(session, request.user.person, by=request.user)
        except ValidationError as error:
            raise refused(error) from None
        if registration.status == RegistrationStatus.WAITLISTED:
            reads.saw_full(session)
        return Response(s.MyRegistrationSerializer.represent(registration), status=201)


class MyStepView(ActorMixin, generics.GenericAPIView):
    """A worker's step on their own registration: cancel, accept-offer, decline-offer, leave-waitlist."""

    access = access.WORKER
    permission_classes = [IsSigningUpWorker]
    serializer_class = None
    step = ""
    steps = {
        "cancel": lambda r, user: engine.cancel(r, by=user, reason="职工本人取消"),
        "accept-offer": lambda r, user: engine.accept_offer(r, by=user),
        "decline-offer": lambda r, user: engine.decline_offer(r, by=user),
        "leave-waitlist": lambda r, user: engine.leave_waitlist(r, by=user),
    }

    @extend_schema(request=None, responses={200: s.MyRegistrationSerializer, 400: OpenApiResponse()})
    def post(self, request, pk):
        registration = Registration.objects.filter(pk=pk, person__user=request.user).first()
        if registration is None:
            raise NotFound
        try:
            done = self.steps[self.step](registration, request.user)
        except ValidationError as error:
            raise refused(error) from None
        return Response(s.MyRegistrationSerializer(done).data)


def register(router) -> None:
    router.register("program-series", SeriesViewSet, basename="program-series")
    router.register("programs", ProgramViewSet, basename="program")
    router.register("program-sessions", SessionViewSet, basename="program-session")
    router.register("registrations", RegistrationViewSet, basename="registration")
    router.register("open-programs", OpenProgramViewSet, basename="open-program")
    router.register("me/registrations", MyRegistrationViewSet, basename="my-registration")


def urls():
    """The engine's steps, to be placed before the router's paths."""
    routes = [
        path("registrations/sign-up/", RegistrationSignUpView.as_view(), name="registration-sign-up"),
        path("registrations/<id:pk>/cancel/", RegistrationCancelView.as_view(), name="registration-cancel"),
        path(
            "registrations/<id:pk>/reorder/", RegistrationReorderView.as_view(), name="registration-reorder"
        ),
        path("registrations/<id:pk>/move/", RegistrationMoveView.as_view(), name="registration-move"),
        path(
            "program-sessions/<id:pk>/capacity/",
            SessionCapacityView.as_view(),
            name="program-session-capacity",
        ),
        path(
            "program-sessions/<id:pk>/no-shows/",
            SessionNoShowsView.as_view(),
            name="program-session-no-shows",
        ),
        path("check-in/", CheckInView.as_view(), name="program-check-in"),
        path("programs/<id:pk>/status/<str:step>/", ProgramStatusView.as_view(), name="program-status"),
        path("programs/<id:pk>/draw/", ProgramDrawView.as_view(), name="program-draw"),
        path("programs/<id:pk>/funnel/", ProgramFunnelView.as_view(), name="program-funnel"),
        path("open-programs/<id:pk>/lottery/", LotteryView.as_view(), name="open-program-lottery"),
    ]
    for step in MyStepView.steps:
        routes.append(
            path(
                f"me/registrations/<id:pk>/{step}/",
                MyStepView.as_view(step=step),
                name=f"my-registration-{step}",
            )
        )
    return routes
