"""Brands and platforms, and the employers (firms, platforms, local sites) the census counts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core import geo
from core.codes import validate_uscc
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import EmployerKind, Sector
from .tree import Region, Union


class Brand(TrackedModel):
    """An express or delivery brand, or a platform (顺丰, 美团…): reference data every union shares."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sector = models.CharField(_("行业"), max_length=20, choices=Sector.choices)
    is_platform = models.BooleanField(_("平台企业"), default=False)

    class Meta:
        verbose_name = _("品牌")
        verbose_name_plural = pgettext_lazy("plural", "品牌")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@scoped(policy("area_union", view=ALL_TREE, change=admin_and(RoleKind.ORGANISATION)))
class Employer(TrackedModel):
    """A firm, platform or local site with its workers by employment form, and the union that covers it."""

    name = models.CharField(_("名称"), max_length=100)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True, validators=[validate_uscc]
    )
    kind = models.CharField(_("类型"), max_length=10, choices=EmployerKind.choices, default=EmployerKind.SITE)
    brand = models.ForeignKey(
        Brand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employers",
        verbose_name=_("品牌"),
    )
    platform = models.ForeignKey(
        Brand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="platform_employers",
        verbose_name=_("所属平台"),
        limit_choices_to={"is_platform": True},
    )
    sector = models.CharField(_("行业"), max_length=20, choices=Sector.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="employers", verbose_name=_("行政区划")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("纬度（WGS-84）"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[geo.validate_latitude],
    )
    longitude = models.DecimalField(
        _("经度（WGS-84）"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[geo.validate_longitude],
    )
    # Workers by employment form ({"courier": 40, …}); the two totals are kept beside it for sums.
    headcounts = models.JSONField(_("各就业形态人数"), default=dict, blank=True)
    headcount = models.PositiveIntegerField(_("职工总数"), default=0)
    new_form_headcount = models.PositiveIntegerField(_("新业态从业人数"), default=0)
    # The union responsible for the area the employer is in (usually a town federation): scoping.
    area_union = models.ForeignKey(
        Union, on_delete=models.PROTECT, related_name="area_employers", verbose_name=_("属地工会")
    )
    # The union that covers the employer's workers, once there is one (its own, an industry or joint union).
    union = models.ForeignKey(
        Union,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covered_employers",
        verbose_name=_("覆盖工会"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = pgettext_lazy("plural", "用人单位")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["region", "sector"], name="orgs_employer_region_sector"),
            models.Index(fields=["brand"], name="orgs_employer_brand"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_form_headcount__lte=models.F("headcount")),
                name="%(app_label)s_%(class)s_new_form_within_total",
                violation_error_message=_("新业态从业人数不能超过职工总数"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:employer-detail", args=[self.pk])

    @property
    def is_due(self) -> bool:
        """应建: enough workers that the employer should have a union (《工会法》: 25 and more)."""
        return self.headcount >= settings.UNION_DUE_THRESHOLD
