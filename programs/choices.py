from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramKind(models.TextChoices):
    """Kinds of programs with limited places (see GLOSSARY, "Programs")."""

    COURSE = "course", _("课程培训")
    BENEFIT = "benefit", _("普惠福利")
    SCREENING = "screening", _("健康筛查")
    SERVICE_DAY = "service_day", _("服务日")
    TRIP = "trip", _("疗休养")
    COMPETITION = "competition", _("竞赛")


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class SignUpMode(models.TextChoices):
    FIRST_COME = "first_come", _("先到先得")
    LOTTERY = "lottery", _("抽签")


class OnePer(models.TextChoices):
    """How many active registrations one person may hold."""

    PROGRAM = "program", _("每人每个活动一次")
    SESSION = "session", _("每人每个场次一次")


class RegistrationStatus(models.TextChoices):
    ENTERED = "entered", _("已参与抽签")
    CONFIRMED = "confirmed", _("已确认")
    WAITLISTED = "waitlisted", _("候补中")
    OFFERED = "offered", _("候补递补待确认")
    ATTENDED = "attended", _("已签到")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("递补已过期")
    LEFT = "left", _("已退出候补")
    NOT_DRAWN = "not_drawn", _("未中签")
    NO_SHOW = "no_show", _("未到场")


# Statuses that hold (or wait for) a place: one of these per person per program/session at most.
ACTIVE_STATUSES = (
    RegistrationStatus.ENTERED,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.OFFERED,
    RegistrationStatus.ATTENDED,
)
# Statuses that occupy a seat of the session's capacity.
SEATED_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED, RegistrationStatus.ATTENDED)


class RegistrationChannel(models.TextChoices):
    H5 = "h5", _("职工自助报名")
    OFFICIAL = "official", _("工作人员代报名")
