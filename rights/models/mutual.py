"""Mutual medical aid (职工医疗互助保障): yearly plans, enrolments and claims."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, PERSONAL_VIEW
from core import limits
from core.dates import validate_day_in_range, validate_year_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import ClaimStatus
from .legal import RIGHTS_OFFICIALS


@scoped(policy("union", view=ALL_TREE, change=RIGHTS_OFFICIALS))
class MutualAidPlan(TrackedModel):
    """A year's plan: premium per head, enrolment window, coverage period, who may join, what it pays."""

    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="mutual_aid_plans", verbose_name=_("主办工会")
    )
    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year_in_range])
    premium = models.DecimalField(
        _("每人缴费（元）"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    enrol_opens_on = models.DateField(_("参保开始"), validators=[validate_day_in_range])
    enrol_closes_on = models.DateField(_("参保截止"), validators=[validate_day_in_range])
    coverage_starts_on = models.DateField(_("保障开始"), validators=[validate_day_in_range])
    coverage_ends_on = models.DateField(_("保障结束"), validators=[validate_day_in_range])
    members_only = models.BooleanField(_("仅限工会会员"), default=True)
    eligibility = models.TextField(_("参保条件"), blank=True, max_length=limits.ACCOUNT)
    benefits = models.TextField(_("保障内容"), blank=True, max_length=limits.ACCOUNT)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("医疗互助计划")
        verbose_name_plural = pgettext_lazy("plural", "医疗互助计划")
        ordering = ["-year", "union_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "year", "name"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("该工会当年已有同名计划"),
            ),
            models.CheckConstraint(
                condition=Q(enrol_closes_on__gte=F("enrol_opens_on"))
                & Q(coverage_ends_on__gte=F("coverage_starts_on")),
                name="%(app_label)s_%(class)s_dates",
                violation_error_message=_("截止日期不能早于开始日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("rights:mutual-plan-detail", args=[self.pk])


@scoped(policy("union", view=PERSONAL_VIEW, change=RIGHTS_OFFICIALS))
class MutualAidEnrollment(TrackedModel):
    """A person covered by a plan, enrolled by their union's batch or individually."""

    plan = models.ForeignKey(
        MutualAidPlan, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("医疗互助计划")
    )
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        related_name="mutual_aid_enrollments",
        verbose_name=_("职工"),
    )
    # The union that enrolled the person (its batch), which scopes the enrolment.
    union = models.ForeignKey(
        "orgs.Union",
        on_delete=models.PROTECT,
        related_name="mutual_aid_enrollments",
        verbose_name=_("参保工会"),
    )
    batch = models.CharField(_("批次"), max_length=50, blank=True)
    enrolled_on = models.DateField(
        _("参保日期"), default=timezone.localdate, validators=[validate_day_in_range]
    )
    premium_paid = models.DecimalField(_("已缴费（元）"), max_digits=8, decimal_places=2, default=Decimal(0))
    coverage_starts_on = models.DateField(_("保障开始"), validators=[validate_day_in_range])
    coverage_ends_on = models.DateField(_("保障结束"), validators=[validate_day_in_range])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("医疗互助参保")
        verbose_name_plural = pgettext_lazy("plural", "医疗互助参保")
        ordering = ["plan_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "person"],
                name="%(app_label)s_%(class)s_once",
                violation_error_message=_("该职工已参加本年度计划"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.person_id}"

    def get_absolute_url(self) -> str:
        return reverse("rights:mutual-enrollment-detail", args=[self.pk])


@scoped(policy("enrollment__union", view=PERSONAL_VIEW, change=RIGHTS_OFFICIALS))
class MutualAidClaim(TrackedModel):
    """A claim under an enrolment: what happened, documents, the review and the payment."""

    enrollment = models.ForeignKey(
        MutualAidEnrollment, on_delete=models.PROTECT, related_name="claims", verbose_name=_("医疗互助参保")
    )
    kind = models.CharField(_("类别"), max_length=30)
    incurred_on = models.DateField(_("就医日期"), validators=[validate_day_in_range])
    amount_claimed = models.DecimalField(
        _("申请金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    amount_approved = models.DecimalField(
        _("核准金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mutual_aid_reviews",
        verbose_name=_("审核人"),
    )
    paid_on = models.DateField(_("赔付日期"), null=True, blank=True, validators=[validate_day_in_range])
    submitted_on = models.DateField(
        _("提交日期"), default=timezone.localdate, validators=[validate_day_in_range]
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("医疗互助理赔")
        verbose_name_plural = pgettext_lazy("plural", "医疗互助理赔")
        ordering = ["-submitted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.kind}"

    def get_absolute_url(self) -> str:
        return reverse("rights:mutual-claim-detail", args=[self.pk])


@scoped(policy("claim__enrollment__union", view=PERSONAL_VIEW, change=RIGHTS_OFFICIALS))
class ClaimDocument(TrackedModel):
    """An invoice, discharge summary or receipt supporting a claim."""

    claim = models.ForeignKey(
        MutualAidClaim, on_delete=models.CASCADE, related_name="documents", verbose_name=_("医疗互助理赔")
    )
    title = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="rights/claims/%Y/%m/")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("理赔材料")
        verbose_name_plural = pgettext_lazy("plural", "理赔材料")
        ordering = ["claim_id", "id"]

    def __str__(self) -> str:
        return self.title
