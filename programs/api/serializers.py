from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import FieldsBuiltOnce, ScopedModelSerializer
from core.scoping import CHANGE

from ..choices import ProgramStatus
from ..models import Program, ProgramSeries, Registration, Session
from ..models.catalogue import MAX_CAPACITY
from ..services import catalogue, tickets


class ProgramSeriesSerializer(ScopedModelSerializer):
    class Meta:
        model = ProgramSeries
        fields = ["id", "union", "name", "description"]

    def validate(self, attrs):
        union = attrs.get("union", getattr(self.instance, "union", None))
        problems = catalogue.series_problems(self.instance, union=union)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class ProgramSessionSerializer(ScopedModelSerializer):
    free = serializers.IntegerField(read_only=True)
    # A session is added to a program the caller may change (not merely see).
    choice_actions = {"program": CHANGE}

    class Meta:
        model = Session
        fields = [
            "id",
            "program",
            "title",
            "place",
            "station",
            "starts_at",
            "ends_at",
            "capacity",
            "seated",
            "free",
        ]
        read_only_fields = ["seated"]

    def validate(self, attrs):
        if self.instance is not None and "program" in attrs and attrs["program"] != self.instance.program:
            raise serializers.ValidationError({"program": _("场次不能改到其他活动（其报名属于本活动）")})
        starts = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": _("结束时间须晚于开始时间")})
        return attrs


class ProgramSerializer(ScopedModelSerializer):
    sessions = ProgramSessionSerializer(many=True, read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "union",
            "series",
            "title",
            "kind",
            "summary",
            "description",
            "partners",
            "status",
            "signup_opens_at",
            "signup_closes_at",
            "mode",
            "one_per",
            "offer_hours",
            "members_only",
            "employment_forms",
            "gender",
            "min_age",
            "max_age",
            "regions",
            "once_per_year",
            "lottery_seed",
            "lottery_drawn_at",
            "view_count",
            "budget",
            "unit_cost",
            "sessions",
        ]
        # A program is created as a draft and moves by its status steps (POST …/status/<step>/).
        read_only_fields = ["status", "lottery_seed", "lottery_drawn_at", "view_count"]

    def validate(self, attrs):
        def value(name):
            return attrs.get(name, getattr(self.instance, name, None))

        current = self.instance.status if self.instance is not None else ProgramStatus.DRAFT
        if "status" in self.initial_data and self.initial_data["status"] != current:  # read-only: say so
            raise serializers.ValidationError(
                {"status": _("状态不能直接修改：请用 POST …/programs/<id>/status/publish/ 或 close/")}
            )
        partners = attrs.get("partners")
        if partners is None:
            partners = list(self.instance.partners.all()) if self.instance is not None else []
        problems = catalogue.program_problems(
            self.instance, union=value("union"), series=value("series"), partners=partners, mode=value("mode")
        )
        if problems:
            raise serializers.ValidationError(problems)

        lo, hi = value("min_age"), value("max_age")
        if lo is not None and hi is not None and lo > hi:
            raise serializers.ValidationError({"min_age": _("最小年龄不能大于最大年龄")})
        opens, closes = value("signup_opens_at"), value("signup_closes_at")
        if opens and closes and opens >= closes:
            raise serializers.ValidationError({"signup_closes_at": _("报名截止时间须晚于开始时间")})
        return attrs


_DATETIME = serializers.DateTimeField()  # DRF's rendering of a time (the API's zone, ISO 8601)


def _when(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


class PublicProgramSessionSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A session of a published program as anyone may read it, with its free seats."""

    free = serializers.IntegerField(read_only=True)

    class Meta:
        model = Session
        fields = ["id", "title", "place", "starts_at", "ends_at", "capacity", "free"]
        read_only_fields = fields

    def to_representation(self, session):
        return _public_session(session)


def _public_session(session) -> dict:
    # What DRF's generic to_representation gives for PublicProgramSessionSerializer (tests compare the
    # two), read directly: it is in every sign-up's answer, where the generic one cost a quarter of it.
    return {
        "id": session.pk,
        "title": session.title,
        "place": session.place,
        "starts_at": _when(session.starts_at),
        "ends_at": _when(session.ends_at),
        "capacity": session.capacity,
        "free": session.free,
    }


class PublicProgramSerializer(serializers.ModelSerializer):
    """What anyone may read of a published program (no budget, no counts of people)."""

    union_name = serializers.CharField(source="union.name", read_only=True)
    sessions = PublicProgramSessionSerializer(many=True, read_only=True)
    reasons = serializers.SerializerMethodField(help_text=_("当前登录职工不能报名的原因；空表示可以报名"))

    class Meta:
        model = Program
        fields = [
            "id",
            "union_name",
            "title",
            "kind",
            "summary",
            "description",
            "signup_opens_at",
            "signup_closes_at",
            "mode",
            "one_per",
            "members_only",
            "employment_forms",
            "gender",
            "min_age",
            "max_age",
            "once_per_year",
            "lottery_seed",
            "lottery_drawn_at",
            "sessions",
            "reasons",
        ]
        read_only_fields = fields

    def get_reasons(self, program) -> list[str] | None:
        reasons = self.context.get("reasons", {})
        return reasons.get(program.pk)


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration as officials see it: the person by masked name, never ID number or phone."""

    person_name = serializers.CharField(source="person.masked_name", read_only=True)
    phone_mask = serializers.CharField(source="person.phone_mask", read_only=True)
    program_title = serializers.CharField(source="program.title", read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "program",
            "program_title",
            "session",
            "person",
            "person_name",
            "phone_mask",
            "status",
            "channel",
            "created_by",
            "position",
            "draw_rank",
            "offer_expires_at",
            "ticket_code",
            "checked_in_at",
            "cancelled_at",
            "signed_up_at",
        ]
        read_only_fields = fields


class MyRegistrationSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """The worker's own registration, with the signed ticket for the QR when there is one."""

    program_title = serializers.CharField(source="program.title", read_only=True)
    session_detail = PublicProgramSessionSerializer(source="session", read_only=True)
    ticket = serializers.SerializerMethodField(help_text=_("签到二维码的内容（已确认时）"))
    place = serializers.SerializerMethodField(
        help_text=_(
            "候补中的当前名次（前面还有几人加一）；未候补时为空，报名本身的应答中也为空（请读取该报名）"
        )
    )

    class Meta:
        model = Registration
        fields = [
            "id",
            "program",
            "program_title",
            "session",
            "session_detail",
            "status",
            "position",
            "place",
            "draw_rank",
            "offer_expires_at",
            "ticket_code",
            "ticket",
            "checked_in_at",
            "signed_up_at",
        ]
        read_only_fields = fields

    def to_representation(self, registration):
        # As _public_session: DRF's generic answer (tests compare), read directly, for a program
        # sign-up's answer (the generic one took a tenth of the request).
        return {
            "id": registration.pk,
            "program": registration.program_id,
            "program_title": registration.program.title,
            "session": registration.session_id,
            "session_detail": _public_session(registration.session),
            "status": str(registration.status),
            "position": registration.position,
            "place": self.get_place(registration),
            "draw_rank": registration.draw_rank,
            "offer_expires_at": _when(registration.offer_expires_at),
            "ticket_code": registration.ticket_code,
            "ticket": self.get_ticket(registration),
            "checked_in_at": _when(registration.checked_in_at),
            "signed_up_at": _when(registration.signed_up_at),
        }

    def get_place(self, registration) -> int | None:
        # Annotated by registrations.with_place on the worker's list and detail.
        return getattr(registration, "place", None) if registration.status == "waitlisted" else None

    def get_ticket(self, registration) -> str | None:
        if registration.ticket_code and registration.status in ("confirmed", "attended"):
            return tickets.ticket_token(registration)
        return None


class ProgramSignUpSerializer(FieldsBuiltOnce, serializers.Serializer):
    """A worker's sign-up: the session to sign up for."""

    session = serializers.IntegerField(help_text=_("场次编号"))


class RegistrationOnBehalfSerializer(serializers.Serializer):
    session = serializers.IntegerField(help_text=_("场次编号"))
    person = serializers.IntegerField(help_text=_("职工编号（须在您的管辖范围内）"))


class RegistrationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text=_("原因"))


class RegistrationReorderSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, help_text=_("新的候补顺序（1 为第一位）"))
    reason = serializers.CharField(max_length=200, help_text=_("调整原因（必填，记入日志）"))


class RegistrationMoveSerializer(serializers.Serializer):
    session = serializers.IntegerField(help_text=_("调入的场次编号（同一活动）"))
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SessionCapacitySerializer(serializers.Serializer):
    capacity = serializers.IntegerField(
        min_value=0, max_value=MAX_CAPACITY, help_text=_("新名额（不少于已占名额）")
    )


class ProgramCheckInSerializer(serializers.Serializer):
    session = serializers.IntegerField(help_text=_("本场次编号"))
    code = serializers.CharField(max_length=1000, help_text=_("票二维码内容、票号，或会员卡二维码内容"))


class LotteryDrawSerializer(serializers.Serializer):
    seed = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text=_("留空则由系统随机生成")
    )
