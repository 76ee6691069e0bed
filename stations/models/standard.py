"""The unified standard (统一标识、统一标准、统一管理): a checklist every station is inspected against."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core import limits
from core.dates import validate_day_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import InspectionResult
from .registry import Station


@scoped(policy("union", view=ALL_TREE, change=admin_and(RoleKind.SERVICE)))
class Checklist(TrackedModel):
    """A version of the standard set by a union for the stations of its subtree."""

    name = models.CharField(_("名称"), max_length=100)
    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="station_checklists", verbose_name=_("制定工会")
    )
    version = models.CharField(_("版本"), max_length=20)
    pass_mark = models.DecimalField(
        _("达标分数线"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(80),
        validators=[MinValueValidator(0)],
    )
    active = models.BooleanField(_("现行"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("站点标准")
        verbose_name_plural = pgettext_lazy("plural", "站点标准")
        ordering = ["union_id", "-active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "name", "version"],
                name="%(app_label)s_%(class)s_unique_version",
                violation_error_message=_("该工会已有同名同版本的标准"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"

    def get_absolute_url(self) -> str:
        return reverse("stations:checklist-detail", args=[self.pk])


@scoped(policy("checklist__union", view=ALL_TREE, change=admin_and(RoleKind.SERVICE)))
class ChecklistItem(TrackedModel):
    """One point of the standard (sign, facilities, service scope, hours, hygiene…) with its score."""

    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="items", verbose_name=_("站点标准")
    )
    category = models.CharField(_("类别"), max_length=30)
    text = models.CharField(_("检查内容"), max_length=200)
    max_score = models.DecimalField(
        _("分值"), max_digits=5, decimal_places=1, default=Decimal(10), validators=[MinValueValidator(0)]
    )
    # A required point failed fails the inspection whatever the total (e.g. no sign, no drinking water).
    required = models.BooleanField(_("必达项"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("标准条目")
        verbose_name_plural = pgettext_lazy("plural", "标准条目")
        ordering = ["checklist_id", "order", "id"]

    def __str__(self) -> str:
        return self.text


# Keepers read their stations' inspections (the result and what to put right); only officials inspect.
@scoped(
    policy(
        "station__union",
        view=ALL_TREE,
        change=admin_and(RoleKind.SERVICE),
        assigned={"view": "station__keepers"},
        through_many=True,
    )
)
class Inspection(TrackedModel):
    """A station inspected against a checklist on a day: scores per item, findings, a follow-up date."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("服务站点")
    )
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("站点标准")
    )
    inspected_on = models.DateField(
        _("检查日期"), default=timezone.localdate, validators=[validate_day_in_range]
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="station_inspections",
        verbose_name=_("检查人"),
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, default=Decimal(0))
    result = models.CharField(_("结果"), max_length=10, choices=InspectionResult.choices, blank=True)
    findings = models.TextField(_("发现问题"), blank=True, max_length=limits.NOTE)
    follow_up_on = models.DateField(
        _("整改复查日期"), null=True, blank=True, validators=[validate_day_in_range]
    )
    followed_up_at = models.DateTimeField(_("复查完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("站点检查")
        verbose_name_plural = pgettext_lazy("plural", "站点检查")
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["station", "-inspected_on"], name="stations_inspection_latest")]

    def __str__(self) -> str:
        return f"{self.station} {self.inspected_on}"

    def get_absolute_url(self) -> str:
        return reverse("stations:inspection-detail", args=[self.pk])


@scoped(
    policy(
        "inspection__station__union",
        view=ALL_TREE,
        change=admin_and(RoleKind.SERVICE),
        assigned={"view": "inspection__station__keepers"},
        through_many=True,
    )
)
class InspectionScore(TrackedModel):
    """The score one checklist item got in one inspection, with what was found wrong."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="scores", verbose_name=_("站点检查")
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="scores", verbose_name=_("标准条目")
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    finding = models.CharField(_("问题"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查得分")
        verbose_name_plural = pgettext_lazy("plural", "检查得分")
        ordering = ["inspection_id", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("该条目已评分"),
            ),
            models.CheckConstraint(condition=Q(score__gte=0), name="%(app_label)s_%(class)s_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"


@scoped(
    policy(
        "inspection__station__union",
        view=ALL_TREE,
        change=admin_and(RoleKind.SERVICE),
        assigned={"view": "inspection__station__keepers"},
        through_many=True,
    )
)
class InspectionPhoto(TrackedModel):
    """A photo taken during an inspection, as evidence of a finding or of its rectification."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="photos", verbose_name=_("站点检查")
    )
    image = models.ImageField(_("照片"), upload_to="stations/inspections/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = pgettext_lazy("plural", "检查照片")
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return self.caption or str(self.inspection)
