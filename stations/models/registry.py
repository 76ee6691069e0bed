"""The station registry: stations (工会户外劳动者服务站点), their amenities, photos, hours and closures,
and the keepers assigned to them."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core import geo, limits
from core.codes import validate_phone_text
from core.dates import validate_day_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from .. import hours as hours_rules
from ..choices import StationKind

_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")


def validate_service_phone(value: str) -> None:
    """A station's contact is a landline or service line; a personal mobile number is refused (PIPL)."""
    if _MOBILE.match(re.sub(r"[\s-]", "", value)):
        raise ValidationError(_("请填写座机或服务热线，不要填写个人手机号"), code="mobile")


class GridCell(models.Func):
    """The 1° cell of a point, floor(lat + 90) * 400 + floor(lon + 180), computed by the database.

    Kept as a stored generated column so every write (forms, imports, bulk_create, raw SQL) keeps
    it right; the nearest-station search reads a box as the few cells it covers (an index range
    each) instead of a latitude band across the whole country. stations.services.nearest.grid_cell
    is its twin in Python. With per_degree=n it numbers cells of 1/n degree the same way
    (floor((lat + 90)·n) · 400n + floor((lon + 180)·n)): the search's finer density hints.
    """

    output_field = models.IntegerField()
    arity = 2

    def __init__(self, *expressions, per_degree: int = 1, **extra):
        super().__init__(*expressions, **extra)
        self.per_degree = per_degree

    def as_sql(self, compiler, connection, **extra):
        lat, lat_params = compiler.compile(self.source_expressions[0])
        lon, lon_params = compiler.compile(self.source_expressions[1])
        n = int(self.per_degree)
        scale = "" if n == 1 else f" * {n}"
        if connection.vendor == "postgresql":
            sql = f"(FLOOR(({lat} + 90){scale})::integer * {400 * n} + FLOOR(({lon} + 180){scale})::integer)"
        else:
            # Both sums are >= 0, where truncation (CAST AS INTEGER) is the floor.
            sql = (
                f"(CAST((({lat} + 90){scale}) AS INTEGER) * {400 * n}"
                f" + CAST((({lon} + 180){scale}) AS INTEGER))"
            )
        return sql, (*lat_params, *lon_params)


def closed_week() -> list:
    """Hours not yet given: closed every day (so a new station never shows as "open now" by mistake)."""
    return [[] for _ in range(7)]


class ManagedListItem(TrackedModel):
    """An entry of a list officials manage (stations.services.reference): a code, a name, an order."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        # A standard name in the page's language (the list's migration marks them); others as typed.
        return gettext(self.name) if self.name else ""


class Amenity(ManagedListItem):
    """An amenity or service a station offers (drinking water, microwave, 手机贴膜…): one managed list."""

    class Meta(ManagedListItem.Meta):
        verbose_name = _("设施服务项目")
        verbose_name_plural = pgettext_lazy("plural", "设施服务项目")


@scoped(
    policy(
        "union",
        view=ALL_TREE,
        change=admin_and(RoleKind.SERVICE),
        assigned={"view": "keepers"},
        # The keepers join would repeat a station once per keeper; a subquery keeps rows unique.
        through_many=True,
    )
)
class Station(TrackedModel):
    """A service station run by a union, usually in a partner's premises (bank, telecom branch, community)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=StationKind.choices)
    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="stations", verbose_name=_("所属工会")
    )
    partner = models.ForeignKey(
        "orgs.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
        verbose_name=_("依托单位"),
        help_text=_("站点所在的合作单位，如银行网点、电信营业厅、社区"),
    )
    address = models.CharField(_("地址"), max_length=200)
    region = models.ForeignKey(
        "orgs.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
        verbose_name=_("行政区划"),
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[geo.validate_latitude],
        help_text=_("WGS-84 坐标系（GPS），十进制度"),
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[geo.validate_longitude],
        help_text=_("WGS-84 坐标系（GPS），十进制度"),
    )
    phone = models.CharField(
        _("联系电话"),
        max_length=30,
        blank=True,
        validators=[
            validate_phone_text,
            validate_service_phone,
        ],
        help_text=_("座机或服务热线，不填个人手机号"),
    )
    hours = models.JSONField(
        _("开放时间"),
        default=closed_week,
        validators=[hours_rules.validate],
        help_text=_("周一至周日每天的开放时段（分钟），见 stations/hours.py"),
    )
    grid = models.GeneratedField(
        expression=GridCell("latitude", "longitude"),
        output_field=models.IntegerField(null=True),
        db_persist=True,
        verbose_name=_("网格"),
    )
    opening_note = models.TextField(_("开放时间说明"), blank=True, max_length=limits.NOTE)
    amenities = models.ManyToManyField(
        "Amenity", blank=True, related_name="stations", verbose_name=_("设施服务")
    )
    # The latest inspection against the standard, kept here so lists can flag and filter by it.
    standard_score = models.DecimalField(
        _("最近检查得分"), max_digits=5, decimal_places=1, null=True, blank=True, editable=False
    )
    below_standard = models.BooleanField(_("未达标"), default=False, editable=False)
    inspected_on = models.DateField(_("最近检查日期"), null=True, blank=True, editable=False)
    active = models.BooleanField(_("开放中"), default=True)
    keepers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="StationKeeper",
        related_name="kept_stations",
        blank=True,
        verbose_name=_("驿站管理员"),
    )

    objects = ScopedQuerySet.as_manager()
    # grid follows the coordinates (the database computes it): no history line of its own.
    history_ignored_fields = ("updated_at", "grid")

    class Meta:
        verbose_name = _("服务站点")
        verbose_name_plural = pgettext_lazy("plural", "服务站点")
        ordering = ["union_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("该工会已有同名站点"),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    # Spelled out: a CHECK whose comparison meets NULL passes, so one coordinate alone would.
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="%(app_label)s_%(class)s_coordinates",
                violation_error_message=_("经纬度须同时填写或同时留空"),
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "active"], name="stations_station_kind"),
            # The nearest-station search reads a latitude band, then longitudes within it.
            models.Index(fields=["latitude", "longitude"], name="stations_station_position"),
            # The nearest-station search: the cells of a box, then latitudes, all read from the index.
            models.Index(
                fields=["grid", "latitude", "longitude", "id"],
                condition=Q(active=True),
                name="stations_station_near",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stations:station-detail", args=[self.pk])


@scoped(
    policy(
        "station__union",
        view=ALL_TREE,
        change=admin_and(RoleKind.SERVICE),
        assigned={"view": "user"},
    )
)
class StationKeeper(TrackedModel):
    """A station keeper (驿站管理员) assigned to one station; made and ended by stations.services."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="keeper_links", verbose_name=_("服务站点")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="station_links",
        verbose_name=_("驿站管理员"),
    )
    since = models.DateTimeField(_("指派时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("驿站管理员指派")
        verbose_name_plural = pgettext_lazy("plural", "驿站管理员指派")
        ordering = ["station_id", "since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "user"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("该用户已是此站点的管理员"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.user}"


@scoped(policy("station__union", view=ALL_TREE, change=admin_and(RoleKind.SERVICE)))
class StationPhoto(TrackedModel):
    """A photo of a station for its pages (the sign, the rest area, the amenities)."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="photos", verbose_name=_("服务站点")
    )
    image = models.ImageField(_("照片"), upload_to="stations/photos/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("站点照片")
        verbose_name_plural = pgettext_lazy("plural", "站点照片")
        ordering = ["station_id", "order", "id"]

    def __str__(self) -> str:
        return self.caption or str(self.station)


@scoped(policy("station__union", view=ALL_TREE, change=admin_and(RoleKind.SERVICE)))
class StationClosure(TrackedModel):
    """Dates a station is closed despite its weekly hours (Spring Festival, renovation)."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="closures", verbose_name=_("服务站点")
    )
    starts_on = models.DateField(_("开始日期"), validators=[validate_day_in_range])
    ends_on = models.DateField(_("结束日期"), validators=[validate_day_in_range])
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("闭站安排")
        verbose_name_plural = pgettext_lazy("plural", "闭站安排")
        ordering = ["station_id", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_dates",
                violation_error_message=_("结束日期不能早于开始日期"),
            )
        ]
        indexes = [models.Index(fields=["station", "ends_on"], name="stations_closure_until")]

    def __str__(self) -> str:
        return f"{self.station} {self.starts_on}–{self.ends_on}"
