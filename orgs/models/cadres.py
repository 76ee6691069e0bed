"""Chair assistants (主席助理): young cadres sent to town unions with goals — "领着任务下去，带着成果回来"."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core import limits
from core.dates import validate_day_in_range, validate_historic_day
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import VisitOutcome
from .employers import Employer
from .tree import Union


@scoped(
    policy(
        "union",
        view=ALL_TREE,
        change=admin_and(RoleKind.ORGANISATION),
        # The cadre sees their own assignment wherever it is.
        assigned={"view": "cadre"},
    )
)
class CadreAssignment(TrackedModel):
    """A cadre assigned to a town union for a period, with goals."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cadre_assignments",
        verbose_name=_("干部"),
    )
    union = models.ForeignKey(
        Union, on_delete=models.PROTECT, related_name="cadre_assignments", verbose_name=_("派驻工会")
    )
    title = models.CharField(_("职务"), max_length=50, default=_("主席助理"))
    starts_on = models.DateField(_("开始日期"), validators=[validate_historic_day])
    ends_on = models.DateField(_("结束日期"), validators=[validate_historic_day])
    goals = models.TextField(_("任务"), blank=True, max_length=limits.NOTE)
    goal_unions = models.PositiveIntegerField(_("建会目标（家）"), default=0)
    goal_members = models.PositiveIntegerField(_("发展会员目标（名）"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("主席助理派驻")
        verbose_name_plural = pgettext_lazy("plural", "主席助理派驻")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_dates_in_order",
                violation_error_message=_("结束日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.union}"

    def get_absolute_url(self) -> str:
        return reverse("orgs:cadre-detail", args=[self.pk])


@scoped(
    policy(
        "assignment__union",
        view=ALL_TREE,
        change=admin_and(RoleKind.ORGANISATION),
        assigned={"view": "assignment__cadre", "add": "assignment__cadre", "change": "assignment__cadre"},
    )
)
class CadreVisit(TrackedModel):
    """A visit the cadre made (an employer, a meeting) and what came of it."""

    assignment = models.ForeignKey(
        CadreAssignment, on_delete=models.CASCADE, related_name="visits", verbose_name=_("派驻")
    )
    visited_on = models.DateField(_("日期"), validators=[validate_day_in_range])
    employer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("走访单位"),
    )
    summary = models.TextField(_("情况"), max_length=limits.ACCOUNT)
    outcome = models.CharField(
        _("成果"), max_length=20, choices=VisitOutcome.choices, default=VisitOutcome.CONTACTED
    )
    unions_established = models.PositiveIntegerField(_("促成建会（家）"), default=0)
    members_enrolled = models.PositiveIntegerField(_("发展会员（名）"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = pgettext_lazy("plural", "走访记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.visited_on}"
