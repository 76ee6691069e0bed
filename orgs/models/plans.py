"""Coverage plans: a multi-year goal (三年基本覆盖) broken into yearly targets per region and sector."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core.dates import validate_year_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import Sector
from .tree import Region, Union

SHARE = [MinValueValidator(0), MaxValueValidator(1)]


@scoped(policy("union", view=ALL_TREE, change=admin_and(RoleKind.ORGANISATION)))
class CoveragePlan(TrackedModel):
    """A union's plan to reach basic coverage over several years."""

    union = models.ForeignKey(
        Union, on_delete=models.PROTECT, related_name="coverage_plans", verbose_name=_("工会")
    )
    name = models.CharField(_("名称"), max_length=100)
    start_year = models.PositiveSmallIntegerField(_("起始年度"), validators=[validate_year_in_range])
    end_year = models.PositiveSmallIntegerField(_("截止年度"), validators=[validate_year_in_range])
    employer_goal = models.DecimalField(
        _("单位覆盖率目标"), max_digits=4, decimal_places=3, validators=SHARE, default=0.9
    )
    worker_goal = models.DecimalField(
        _("职工入会率目标"), max_digits=4, decimal_places=3, validators=SHARE, default=0.9
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("覆盖计划")
        verbose_name_plural = pgettext_lazy("plural", "覆盖计划")
        ordering = ["-start_year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="%(app_label)s_%(class)s_years_in_order",
                violation_error_message=_("截止年度不能早于起始年度"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:plan-detail", args=[self.pk])


@scoped(policy("plan__union", view=ALL_TREE, change=admin_and(RoleKind.ORGANISATION)))
class PlanTarget(TrackedModel):
    """One year's target of a plan, for a region and sector (blank: all of them)."""

    plan = models.ForeignKey(
        CoveragePlan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("计划")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year_in_range])
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区划")
    )
    sector = models.CharField(_("行业"), max_length=20, choices=Sector.choices, blank=True)
    unions_to_establish = models.PositiveIntegerField(_("新建工会目标（家）"), default=0)
    members_to_enrol = models.PositiveIntegerField(_("新入会员目标（名）"), default=0)
    new_form_share = models.DecimalField(
        _("新业态入会占比目标"), max_digits=4, decimal_places=3, validators=SHARE, default=0
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = pgettext_lazy("plural", "年度目标")
        ordering = ["plan", "year", "region", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "region", "sector"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("该年度、区划和行业已有目标"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.year}"
