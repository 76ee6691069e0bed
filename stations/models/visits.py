"""Visits (打卡) and services given (服务记录): the person-times a station serves."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, PERSONAL_VIEW, RoleKind, admin_and
from core.dates import validate_day_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped
from orgs.choices import EmploymentForm

from .registry import ManagedListItem, Station

# One record is a day's services of one kind at one station: more person-times than this is a typo.
MAX_SERVICE_COUNT = 10_000


@scoped(
    policy(
        "station__union",
        view=PERSONAL_VIEW,
        change=admin_and(RoleKind.SERVICE),
        assigned={"view": "station__keepers"},
        through_many=True,
    )
)
class Visit(TrackedModel):
    """One check-in by scanning the station's code: no login needed, no location kept."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="visits", verbose_name=_("服务站点")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    employment_form = models.CharField(
        _("就业形态"), max_length=30, choices=EmploymentForm.choices, blank=True
    )
    # Set when the visitor was signed in as a member, so the visit shows in 我的.
    person = models.ForeignKey(
        "members.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="station_visits",
        verbose_name=_("会员"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("到站打卡")
        verbose_name_plural = pgettext_lazy("plural", "到站打卡")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["station", "at"], name="stations_visit_station_at"),
            models.Index(fields=["person", "-at"], name="stations_visit_person"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.at:%Y-%m-%d %H:%M}"


class ServiceKind(ManagedListItem):
    """A service keepers record (手机贴膜, 义诊, 防暑降温包…): one managed list."""

    class Meta(ManagedListItem.Meta):
        verbose_name = _("服务项目")
        verbose_name_plural = pgettext_lazy("plural", "服务项目")


@scoped(
    policy(
        "station__union",
        view=ALL_TREE,
        change=admin_and(RoleKind.SERVICE),
        assigned={"view": "station__keepers", "change": "station__keepers"},
        through_many=True,
    )
)
class ServiceRecord(TrackedModel):
    """Services a keeper gave on a day: a kind and a count of person-times."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="service_records", verbose_name=_("服务站点")
    )
    kind = models.ForeignKey(
        ServiceKind, on_delete=models.PROTECT, related_name="records", verbose_name=_("服务项目")
    )
    served_on = models.DateField(
        _("服务日期"), default=timezone.localdate, validators=[validate_day_in_range]
    )
    count = models.PositiveIntegerField(
        _("服务人次"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SERVICE_COUNT)]
    )
    employment_form = models.CharField(
        _("就业形态"), max_length=30, choices=EmploymentForm.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="station_service_records",
        verbose_name=_("记录人"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = pgettext_lazy("plural", "服务记录")
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["station", "served_on"], name="stations_service_station_on")]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="%(app_label)s_%(class)s_count")
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.kind} ×{self.count}"
