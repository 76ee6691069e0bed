"""Mass benefits (普惠服务): heat condolence, winter warmth, welcome packs — lists and redemption."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, PERSONAL_VIEW, RoleKind, admin_and
from core.dates import validate_day_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import BenefitKind

BENEFIT_OFFICIALS = admin_and(RoleKind.RIGHTS, RoleKind.SERVICE)


@scoped(policy("union", view=ALL_TREE, change=BENEFIT_OFFICIALS))
class BenefitDistribution(TrackedModel):
    """A distribution (e.g. 2026 夏季高温慰问): what each person gets, when and where it is redeemed."""

    union = models.ForeignKey(
        "orgs.Union",
        on_delete=models.PROTECT,
        related_name="benefit_distributions",
        verbose_name=_("发放工会"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=BenefitKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    items = models.CharField(_("发放物品"), max_length=200)
    value = models.DecimalField(
        _("人均价值（元）"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    starts_on = models.DateField(_("开始日期"), validators=[validate_day_in_range])
    ends_on = models.DateField(_("结束日期"), validators=[validate_day_in_range])
    stations = models.ManyToManyField(
        "stations.Station", blank=True, related_name="benefit_distributions", verbose_name=_("领取站点")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("普惠发放")
        verbose_name_plural = pgettext_lazy("plural", "普惠发放")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_dates",
                violation_error_message=_("结束日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("rights:benefit-detail", args=[self.pk])


@scoped(policy("distribution__union", view=PERSONAL_VIEW, change=BENEFIT_OFFICIALS))
class BenefitGrant(TrackedModel):
    """One person on a distribution list; redeemed once, by scanning the member card."""

    distribution = models.ForeignKey(
        BenefitDistribution, on_delete=models.CASCADE, related_name="grants", verbose_name=_("普惠发放")
    )
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="benefit_grants", verbose_name=_("职工")
    )
    redeemed_at = models.DateTimeField(_("领取时间"), null=True, blank=True, editable=False)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="benefit_redemptions",
        verbose_name=_("核销人"),
    )
    station = models.ForeignKey(
        "stations.Station",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="benefit_redemptions",
        verbose_name=_("领取站点"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("普惠名单")
        verbose_name_plural = pgettext_lazy("plural", "普惠名单")
        ordering = ["distribution_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "person"],
                name="%(app_label)s_%(class)s_once",
                violation_error_message=_("该职工已在本次发放名单中"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.distribution} · {self.person_id}"
