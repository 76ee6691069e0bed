"""Where workers work (热点): the demand side of the coverage-gap analysis."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core import geo
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import HotSpotSource


@scoped(policy("union", view=ALL_TREE, change=admin_and(RoleKind.SERVICE)))
class HotSpot(TrackedModel):
    """A place outdoor workers gather or work from, with how many by day and by night (WGS-84)."""

    name = models.CharField(_("名称"), max_length=100)
    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="hot_spots", verbose_name=_("所属工会")
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=HotSpotSource.choices, default=HotSpotSource.MANUAL
    )
    employer = models.ForeignKey(
        "orgs.Employer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="hot_spots",
        verbose_name=_("企业站点"),
    )
    latitude = models.DecimalField(
        _("纬度（WGS-84）"),
        max_digits=9,
        decimal_places=6,
        validators=[geo.validate_latitude],
    )
    longitude = models.DecimalField(
        _("经度（WGS-84）"),
        max_digits=9,
        decimal_places=6,
        validators=[geo.validate_longitude],
    )
    day_workers = models.PositiveIntegerField(_("白天人数"), default=0)
    night_workers = models.PositiveIntegerField(_("夜间人数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("需求热点")
        verbose_name_plural = pgettext_lazy("plural", "需求热点")
        ordering = ["union_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("该工会已有同名热点"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stations:hotspot-detail", args=[self.pk])
