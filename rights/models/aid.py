"""Hardship aid (困难帮扶): one file per household (一户一档), visits, approval up the tree, payments."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import PERSONAL_VIEW
from core import limits
from core.dates import validate_day_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import AidStatus, AidTier
from .legal import RIGHTS_OFFICIALS


@scoped(policy("union", view=PERSONAL_VIEW, change=RIGHTS_OFFICIALS))
class AidCase(TrackedModel):
    """A household's hardship-aid file: who, why, which tier, and where it is in its life."""

    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="aid_cases", verbose_name=_("建档工会")
    )
    applicant = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="aid_cases", verbose_name=_("申请人")
    )
    tier = models.CharField(_("困难类别"), max_length=10, choices=AidTier.choices)
    cause = models.TextField(_("致困原因"), max_length=limits.REASON)
    annual_income = models.DecimalField(
        _("家庭年收入（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    status = models.CharField(_("状态"), max_length=10, choices=AidStatus.choices, default=AidStatus.APPLIED)
    # The union whose decision is awaited while the file climbs the tree.
    awaiting = models.ForeignKey(
        "orgs.Union",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aid_cases_awaiting",
        verbose_name=_("待审批工会"),
    )
    notice_starts_on = models.DateField(
        _("公示开始"), null=True, blank=True, validators=[validate_day_in_range]
    )
    notice_ends_on = models.DateField(
        _("公示结束"), null=True, blank=True, validators=[validate_day_in_range]
    )
    next_review_on = models.DateField(
        _("下次复核日期"), null=True, blank=True, validators=[validate_day_in_range]
    )
    exited_on = models.DateField(_("退出日期"), null=True, blank=True, validators=[validate_day_in_range])
    exit_reason = models.CharField(_("退出原因"), max_length=200, blank=True)
    applied_on = models.DateField(
        _("申请日期"), default=timezone.localdate, validators=[validate_day_in_range]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aid_cases_made",
        verbose_name=_("代申请人"),
    )

    # Health and family details stay in the file, not in the change log.
    history_masked_fields = ("cause",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("困难帮扶档案")
        verbose_name_plural = pgettext_lazy("plural", "困难帮扶档案")
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["status", "next_review_on"], name="rights_aid_review")]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("rights:aid-detail", args=[self.pk])


@scoped(policy("aid_case__union", view=PERSONAL_VIEW, change=RIGHTS_OFFICIALS))
class HouseholdMember(TrackedModel):
    """A member of the household (the applicant included); a person is in at most one open file.

    `open` mirrors the file's state (not rejected, not exited) so that a partial unique index
    can refuse a second open file for anyone already in one: the household is the people in it.
    """

    aid_case = models.ForeignKey(
        AidCase, on_delete=models.CASCADE, related_name="household", verbose_name=_("困难帮扶档案")
    )
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="households", verbose_name=_("家庭成员")
    )
    relation = models.CharField(_("与申请人关系"), max_length=20)
    annual_income = models.DecimalField(
        _("个人年收入（元）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    note = models.CharField(_("健康、就业、就学情况"), max_length=200, blank=True)
    open = models.BooleanField(_("在档"), default=True, editable=False)

    history_masked_fields = ("note",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = pgettext_lazy("plural", "家庭成员")
        ordering = ["aid_case_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(open=True),
                name="%(app_label)s_%(class)s_one_open_file",
                violation_error_message=_("该家庭成员已在另一份在档的帮扶档案中"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.aid_case} · {self.relation}"


@scoped(policy("aid_case__union", view=PERSONAL_VIEW, change=RIGHTS_OFFICIALS))
class AidVisit(TrackedModel):
    """A home visit (入户走访) with what the visitors found."""

    aid_case = models.ForeignKey(
        AidCase, on_delete=models.CASCADE, related_name="visits", verbose_name=_("困难帮扶档案")
    )
    visited_on = models.DateField(_("走访日期"), validators=[validate_day_in_range])
    visitors = models.CharField(_("走访人员"), max_length=100)
    findings = models.TextField(_("走访情况"), max_length=limits.NOTE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="aid_visits",
        verbose_name=_("记录人"),
    )

    history_masked_fields = ("findings",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("入户走访")
        verbose_name_plural = pgettext_lazy("plural", "入户走访")
        ordering = ["aid_case_id", "visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.aid_case} {self.visited_on}"


@scoped(policy("aid_case__union", view=PERSONAL_VIEW, change=RIGHTS_OFFICIALS))
class AidDocument(TrackedModel):
    """A supporting document (income proof, medical record, accident report)."""

    aid_case = models.ForeignKey(
        AidCase, on_delete=models.CASCADE, related_name="documents", verbose_name=_("困难帮扶档案")
    )
    title = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="rights/aid/%Y/%m/")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶材料")
        verbose_name_plural = pgettext_lazy("plural", "帮扶材料")
        ordering = ["aid_case_id", "id"]

    def __str__(self) -> str:
        return self.title


@scoped(policy("aid_case__union", view=PERSONAL_VIEW, change=RIGHTS_OFFICIALS))
class AidDecision(TrackedModel):
    """One union's decision on the file as it climbs the tree (approve, reject, send back)."""

    aid_case = models.ForeignKey(
        AidCase, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("困难帮扶档案")
    )
    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="aid_decisions", verbose_name=_("审批工会")
    )
    approved = models.BooleanField(_("同意"))
    note = models.CharField(_("意见"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="aid_decisions",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶审批")
        verbose_name_plural = pgettext_lazy("plural", "帮扶审批")
        ordering = ["aid_case_id", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.aid_case} · {self.union}"


@scoped(policy("aid_case__union", view=PERSONAL_VIEW, change=RIGHTS_OFFICIALS))
class AidPayment(TrackedModel):
    """Money or goods given to the household (帮扶资金发放)."""

    aid_case = models.ForeignKey(
        AidCase, on_delete=models.CASCADE, related_name="payments", verbose_name=_("困难帮扶档案")
    )
    paid_on = models.DateField(_("发放日期"), validators=[validate_day_in_range])
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    purpose = models.CharField(_("用途"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="aid_payments",
        verbose_name=_("记录人"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶发放")
        verbose_name_plural = pgettext_lazy("plural", "帮扶发放")
        ordering = ["aid_case_id", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_positive")
        ]

    def __str__(self) -> str:
        return f"{self.aid_case} {self.amount}"
