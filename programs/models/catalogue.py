"""What is offered: series (menus), programs with their eligibility and budget, sessions with capacity."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core import limits
from core.dates import validate_day_in_range, validate_time_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped
from members.choices import Gender
from orgs.choices import EmploymentForm

from ..choices import OnePer, ProgramKind, ProgramStatus, SignUpMode

# Programs are run by service officials (服务阵地) and, for courses and competitions, skills officials.
RUNNERS = admin_and(RoleKind.SERVICE, RoleKind.SKILLS)

# Bounds of what an official may type, far beyond any real program: a session of a million seats, an
# offer kept open for a month. Beyond them a number is a typo (and past the column's range, an error).
MAX_CAPACITY = 1_000_000
MAX_OFFER_HOURS = 24 * 30
NOT_NEGATIVE = MinValueValidator(0)


def validate_employment_forms(value) -> None:
    """A list of employment-form codes (orgs.choices.EmploymentForm), as the API takes it."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_('须为就业形态代码的列表，如 ["courier"]'), code="invalid")
    unknown = [code for code in value if code not in EmploymentForm.values]
    if unknown:
        raise ValidationError(
            _("未知的就业形态代码：%(unknown)s（可用：%(known)s）"),
            code="invalid_choice",
            params={"unknown": ", ".join(unknown), "known": ", ".join(EmploymentForm.values)},
        )


@scoped(policy("union", view=ALL_TREE, change=RUNNERS))
class ProgramSeries(TrackedModel):
    """A series or menu of programs (the "品质生活+" classroom's course menus, a yearly screening)."""

    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="program_series", verbose_name=_("主办工会")
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("简介"), blank=True, max_length=limits.ARTICLE)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动系列")
        verbose_name_plural = pgettext_lazy("plural", "活动系列")
        ordering = ["union_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("该工会已有同名系列"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programs:series-detail", args=[self.pk])


@scoped(policy("union", view=ALL_TREE, change=RUNNERS))
class Program(TrackedModel):
    """A course, benefit, screening, service day, trip or competition with limited places."""

    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="programs", verbose_name=_("主办工会")
    )
    series = models.ForeignKey(
        ProgramSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
        verbose_name=_("所属系列"),
    )
    title = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=ProgramKind.choices)
    summary = models.CharField(_("一句话介绍"), max_length=200, blank=True)
    description = models.TextField(_("详细介绍"), blank=True, max_length=limits.ARTICLE)
    partners = models.ManyToManyField(
        "orgs.Partner", blank=True, related_name="programs", verbose_name=_("协办单位")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    signup_opens_at = models.DateTimeField(
        _("报名开始时间"), null=True, blank=True, validators=[validate_time_in_range]
    )
    signup_closes_at = models.DateTimeField(
        _("报名截止时间"), null=True, blank=True, validators=[validate_time_in_range]
    )
    mode = models.CharField(
        _("报名方式"), max_length=12, choices=SignUpMode.choices, default=SignUpMode.FIRST_COME
    )
    one_per = models.CharField(_("报名限制"), max_length=10, choices=OnePer.choices, default=OnePer.PROGRAM)
    offer_hours = models.PositiveSmallIntegerField(
        _("递补确认时限（小时）"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_OFFER_HOURS)],
    )

    # Eligibility, combinable; an empty value means "no condition".
    members_only = models.BooleanField(_("仅限工会会员"), default=True)
    employment_forms = models.JSONField(
        _("限就业形态"), default=list, blank=True, validators=[validate_employment_forms]
    )
    gender = models.CharField(_("限性别"), max_length=6, choices=Gender.choices, blank=True)
    min_age = models.PositiveSmallIntegerField(
        _("最小年龄"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("最大年龄"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    regions = models.ManyToManyField(
        "orgs.Region", blank=True, related_name="programs", verbose_name=_("限地区")
    )
    once_per_year = models.BooleanField(
        _("每年限享一次"),
        default=False,
        help_text=_("本系列（无系列时为本活动）当年已享受过的职工不能再报名"),
    )

    # The lottery, published on the program page so that anyone can re-run it.
    lottery_seed = models.CharField(_("抽签种子"), max_length=64, blank=True, editable=False)
    lottery_drawn_at = models.DateTimeField(_("抽签时间"), null=True, blank=True, editable=False)

    # Funnel and budget.
    view_count = models.PositiveIntegerField(_("浏览量"), default=0, editable=False)
    budget = models.DecimalField(
        _("预算（元）"), max_digits=12, decimal_places=2, default=Decimal(0), validators=[NOT_NEGATIVE]
    )
    unit_cost = models.DecimalField(
        _("人均成本（元）"), max_digits=10, decimal_places=2, default=Decimal(0), validators=[NOT_NEGATIVE]
    )

    # Bumped by funnel.record_view alone, never written back by save() (core.models.TrackedModel).
    counters = ("view_count",)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = pgettext_lazy("plural", "活动")
        ordering = ["-signup_opens_at", "-id"]
        indexes = [models.Index(fields=["status", "signup_closes_at"], name="programs_program_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=F("max_age")),
                name="%(app_label)s_%(class)s_ages",
                violation_error_message=_("最小年龄不能大于最大年龄"),
            ),
            models.CheckConstraint(
                condition=Q(signup_opens_at__isnull=True)
                | Q(signup_closes_at__isnull=True)
                | Q(signup_opens_at__lt=F("signup_closes_at")),
                name="%(app_label)s_%(class)s_window",
                violation_error_message=_("报名截止时间须晚于开始时间"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programs:program-detail", args=[self.pk])


@scoped(policy("program__union", view=ALL_TREE, change=RUNNERS))
class Session(TrackedModel):
    """A dated session of a program with its place and capacity.

    `seated` counts the registrations holding a seat (confirmed, offered, attended). It only moves
    by conditional UPDATEs in programs.services, and the CHECK constraints below make the database
    itself refuse a session with more seats taken than it has, whatever the code does. The waitlist's
    positions are counted on the same row (`last_position`).
    """

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("活动")
    )
    title = models.CharField(_("场次名称"), max_length=100, blank=True)
    place = models.CharField(_("地点"), max_length=200)
    station = models.ForeignKey(
        "stations.Station",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="program_sessions",
        verbose_name=_("服务站点"),
    )
    starts_at = models.DateTimeField(_("开始时间"), validators=[validate_time_in_range])
    ends_at = models.DateTimeField(_("结束时间"), validators=[validate_time_in_range])
    capacity = models.PositiveIntegerField(_("名额"), validators=[MaxValueValidator(MAX_CAPACITY)])
    seated = models.PositiveIntegerField(_("已占名额"), default=0, editable=False)
    # The last waitlist position given out in this session (positions only count up: a reorder
    # renumbers from 1 below it); the next waitlisted gets one more, bumped on this row.
    last_position = models.PositiveIntegerField(_("候补已排至"), default=0, editable=False)

    # Moved by programs.services.seats alone, never written back by save() (core.models.TrackedModel).
    counters = ("seated", "last_position")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("场次")
        verbose_name_plural = pgettext_lazy("plural", "场次")
        ordering = ["program_id", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seated__lte=F("capacity")),
                name="%(app_label)s_%(class)s_no_oversell",
                violation_error_message=_("名额不能少于已确认人数"),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="%(app_label)s_%(class)s_times",
                violation_error_message=_("结束时间须晚于开始时间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.label}"

    @property
    def label(self) -> str:
        """Its title, else when it starts (local time: the database gives UTC)."""
        return self.title or f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("programs:session-detail", args=[self.pk])

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.seated)


@scoped(policy("program__union", view=ALL_TREE, change=admin_and(RoleKind.SERVICE, RoleKind.FINANCE)))
class ProgramExpense(TrackedModel):
    """Money spent on a program (a hospital's invoice, cooling kits bought), for spending to date."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="expenses", verbose_name=_("活动")
    )
    spent_on = models.DateField(_("支出日期"), validators=[validate_day_in_range])
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    note = models.CharField(_("用途"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="program_expenses",
        verbose_name=_("记录人"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动支出")
        verbose_name_plural = pgettext_lazy("plural", "活动支出")
        ordering = ["program_id", "spent_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_positive")
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.amount}"
