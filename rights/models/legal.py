"""Legal consultations with pro bono lawyers (法律咨询), the cases they become, and lawyers' duty days."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, PERSONAL_VIEW, RoleKind, admin_and
from core import limits
from core.dates import validate_day_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import CaseOutcome, ConsultationCategory, ConsultationStatus, MessageAuthor

RIGHTS_OFFICIALS = admin_and(RoleKind.RIGHTS)


def _lawyer_policy(union: str, view, lawyer_user: str, *, lawyer_changes: bool = False):
    """Rights officials change it; the lawyer at `lawyer_user` sees it (and changes it, with
    `lawyer_changes`) only while they hold a lawyer's role: a revoked lawyer's old rows grant nothing."""
    assigned = {"view": lawyer_user, **({"change": lawyer_user} if lawyer_changes else {})}
    return policy(union, view=view, change=RIGHTS_OFFICIALS, assigned=assigned, assigned_role=RoleKind.LAWYER)


@scoped(_lawyer_policy("union", ALL_TREE, "user"))
class Lawyer(TrackedModel):
    """A pro bono lawyer (公益律师) in a union's pool: the categories and regions taken, and how many open."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lawyer", verbose_name=_("账号")
    )
    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="lawyers", verbose_name=_("服务工会")
    )
    name = models.CharField(_("姓名"), max_length=50)
    firm = models.CharField(_("律师事务所"), max_length=100, blank=True)
    categories = models.JSONField(_("擅长类别"), default=list, blank=True)
    regions = models.ManyToManyField(
        "orgs.Region", blank=True, related_name="lawyers", verbose_name=_("服务地区")
    )
    max_open = models.PositiveSmallIntegerField(
        _("同时办理上限"), default=10, validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("在岗"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公益律师")
        verbose_name_plural = pgettext_lazy("plural", "公益律师")
        ordering = ["union_id", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("rights:lawyer-detail", args=[self.pk])


@scoped(_lawyer_policy("union", PERSONAL_VIEW, "lawyer__user", lawyer_changes=True))
class Consultation(TrackedModel):
    """A worker's question to the union's lawyers; routed, answered, rated, maybe made a case."""

    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="consultations", verbose_name=_("受理工会")
    )
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="consultations", verbose_name=_("咨询职工")
    )
    category = models.CharField(_("类别"), max_length=20, choices=ConsultationCategory.choices)
    question = models.TextField(_("问题"), max_length=limits.NOTE)
    region = models.ForeignKey(
        "orgs.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("所在地区"),
    )
    # The worker's wish: the union never contacts the employer about this question.
    no_employer_contact = models.BooleanField(_("不联系用人单位"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.SUBMITTED
    )
    lawyer = models.ForeignKey(
        Lawyer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("承办律师"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    assigned_at = models.DateTimeField(_("分配时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("答复时限"), null=True, blank=True)
    answered_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超时上报时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("评价"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("评价意见"), max_length=200, blank=True)

    # The question can name the employer and the worker: kept out of the append-only change log.
    history_masked_fields = ("question",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("法律咨询")
        verbose_name_plural = pgettext_lazy("plural", "法律咨询")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="rights_consult_due"),
            models.Index(fields=["lawyer", "status"], name="rights_consult_lawyer"),
            models.Index(fields=["person", "-submitted_at"], name="rights_consult_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="%(app_label)s_%(class)s_rating",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("rights:consultation-detail", args=[self.pk])


@scoped(
    _lawyer_policy("consultation__union", PERSONAL_VIEW, "consultation__lawyer__user", lawyer_changes=True)
)
class ConsultationMessage(TrackedModel):
    """One message of the thread: the lawyer's answer, a follow-up question, a reply."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages", verbose_name=_("法律咨询")
    )
    author_kind = models.CharField(_("发言方"), max_length=10, choices=MessageAuthor.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_messages",
        verbose_name=_("发言人"),
    )
    body = models.TextField(_("内容"), max_length=limits.NOTE)
    sent_at = models.DateTimeField(_("时间"), default=timezone.now)

    history_masked_fields = ("body",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("咨询留言")
        verbose_name_plural = pgettext_lazy("plural", "咨询留言")
        ordering = ["consultation_id", "sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.get_author_kind_display()}"


@scoped(_lawyer_policy("consultation__union", PERSONAL_VIEW, "consultation__lawyer__user"))
class ConsultationPhoto(TrackedModel):
    """A photo the worker attached (a payslip, a penalty notice, the spoiled order)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="photos", verbose_name=_("法律咨询")
    )
    image = models.ImageField(_("照片"), upload_to="rights/consultations/%Y/%m/")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("咨询照片")
        verbose_name_plural = pgettext_lazy("plural", "咨询照片")
        ordering = ["consultation_id", "id"]

    def __str__(self) -> str:
        return str(self.consultation)


@scoped(
    _lawyer_policy("consultation__union", PERSONAL_VIEW, "consultation__lawyer__user", lawyer_changes=True)
)
class RightsCase(TrackedModel):
    """A consultation taken further (维权案件): how it ended and what was recovered."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.PROTECT, related_name="case", verbose_name=_("法律咨询")
    )
    outcome = models.CharField(
        _("办理结果"), max_length=12, choices=CaseOutcome.choices, default=CaseOutcome.OPEN
    )
    amount_recovered = models.DecimalField(_("挽回金额（元）"), max_digits=12, decimal_places=2, default=0)
    opened_on = models.DateField(
        _("立案日期"), default=timezone.localdate, validators=[validate_day_in_range]
    )
    closed_on = models.DateField(_("结案日期"), null=True, blank=True, validators=[validate_day_in_range])
    summary = models.TextField(_("办理情况"), blank=True, max_length=limits.ACCOUNT)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("维权案件")
        verbose_name_plural = pgettext_lazy("plural", "维权案件")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0), name="%(app_label)s_%(class)s_amount"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.get_outcome_display()}"

    def get_absolute_url(self) -> str:
        return reverse("rights:consultation-detail", args=[self.consultation_id])


@scoped(_lawyer_policy("station__union", ALL_TREE, "lawyer__user"))
class DutyDay(TrackedModel):
    """A lawyer on duty at a station on a day (律师驻站), shown on the station's page."""

    lawyer = models.ForeignKey(
        Lawyer, on_delete=models.CASCADE, related_name="duty_days", verbose_name=_("公益律师")
    )
    station = models.ForeignKey(
        "stations.Station", on_delete=models.CASCADE, related_name="duty_days", verbose_name=_("服务站点")
    )
    day = models.DateField(_("日期"), validators=[validate_day_in_range])
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("律师驻站")
        verbose_name_plural = pgettext_lazy("plural", "律师驻站")
        ordering = ["day", "starts_at", "id"]
        indexes = [models.Index(fields=["station", "day"], name="rights_duty_station_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="%(app_label)s_%(class)s_times",
                violation_error_message=_("结束时间须晚于开始时间"),
            ),
            models.UniqueConstraint(
                fields=["lawyer", "day", "station"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("该律师当天已在此站点值班"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lawyer} @ {self.station} {self.day}"

    def get_absolute_url(self) -> str:
        return reverse("rights:duty-edit", args=[self.pk])
