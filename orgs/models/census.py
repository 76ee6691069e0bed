"""Census rounds: dated snapshots of every employer's workers and union coverage."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core import limits
from core.dates import validate_day_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from .employers import Employer
from .tree import Union


def default_threshold() -> int:
    return settings.UNION_DUE_THRESHOLD


@scoped(policy("union", view=ALL_TREE, change=admin_and(RoleKind.ORGANISATION)))
class CensusRound(TrackedModel):
    """One survey (普查) of the employers in a union's area, taken on a date."""

    union = models.ForeignKey(
        Union, on_delete=models.PROTECT, related_name="census_rounds", verbose_name=_("组织工会")
    )
    name = models.CharField(_("名称"), max_length=100)
    taken_on = models.DateField(_("普查日期"), default=timezone.localdate, validators=[validate_day_in_range])
    # Employers with at least this many workers are due a union (应建); 25 by the Trade Union Law.
    threshold = models.PositiveSmallIntegerField(_("应建会人数标准"), default=default_threshold)
    note = models.TextField(_("说明"), blank=True, max_length=limits.NOTE)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("普查")
        verbose_name_plural = pgettext_lazy("plural", "普查")
        ordering = ["-taken_on", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:census-detail", args=[self.pk])


@scoped(policy("census__union", view=ALL_TREE, change=admin_and(RoleKind.ORGANISATION)))
class CensusEntry(TrackedModel):
    """An employer as the census found it: workers, new-form workers, members, the covering union."""

    census = models.ForeignKey(
        CensusRound, on_delete=models.CASCADE, related_name="entries", verbose_name=_("普查")
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="census_entries", verbose_name=_("用人单位")
    )
    headcounts = models.JSONField(_("各就业形态人数"), default=dict, blank=True)
    headcount = models.PositiveIntegerField(_("职工总数"), default=0)
    new_form_headcount = models.PositiveIntegerField(_("新业态从业人数"), default=0)
    members = models.PositiveIntegerField(_("会员人数"), default=0)
    union = models.ForeignKey(
        Union, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("覆盖工会")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("普查记录")
        verbose_name_plural = pgettext_lazy("plural", "普查记录")
        ordering = ["census", "employer"]
        constraints = [
            models.UniqueConstraint(
                fields=["census", "employer"],
                name="%(app_label)s_%(class)s_once_per_round",
                violation_error_message=_("该单位在本次普查中已有记录"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.census} · {self.employer}"

    def get_absolute_url(self) -> str:
        # An entry is read on its employer's page, beside the employer's other rounds.
        return self.employer.get_absolute_url()
