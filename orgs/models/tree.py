"""Regions (GB/T 2260) and the union tree, stored as a materialised path."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ADMIN, ALL_TREE, RoleKind, admin_and
from core.codes import validate_phone_text
from core.dates import validate_historic_day
from core.fields import SEGMENT_WIDTH, SEPARATOR, PathField, segment, segment_number
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import RegionLevel, Sector, UnionKind, UnionStatus


class Region(models.Model):
    """An administrative division by its GB/T 2260 code (towns by the statistics bureau's 9-digit code)."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = pgettext_lazy("plural", "行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


@scoped(policy("", view=ALL_TREE, change=admin_and(RoleKind.ORGANISATION), delete=ADMIN))
class Union(TrackedModel):
    """One node of the union tree: a federation, town federation, industry, joint or grassroots union."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnionKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级工会"),
    )
    path = PathField(_("路径"), unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), editable=False)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="unions", verbose_name=_("行政区划")
    )
    sector = models.CharField(_("行业"), max_length=20, choices=Sector.choices, default=Sector.MIXED)
    status = models.CharField(
        _("状态"), max_length=10, choices=UnionStatus.choices, default=UnionStatus.ACTIVE
    )
    established_on = models.DateField(
        _("成立日期"), null=True, blank=True, validators=[validate_historic_day]
    )
    chair_name = models.CharField(_("主席"), max_length=50, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=30, blank=True, validators=[validate_phone_text]
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("工会")
        verbose_name_plural = pgettext_lazy("plural", "工会")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL uses this whatever the collation (see core.fields.Subtree).
            models.Index(fields=["path"], name="orgs_union_path_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["region", "kind"], name="orgs_union_region_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:union-detail", args=[self.pk])

    def subtree(self):
        return Union.objects.filter(path__subtree=self.path)

    def ancestors(self):
        prefixes = [self.path[: i + SEGMENT_WIDTH + 1] for i in range(0, len(self.path), SEGMENT_WIDTH + 1)]
        return Union.objects.filter(path__in=prefixes[:-1])

    def is_within(self, other: "Union") -> bool:
        return self.path.startswith(other.path)

    def save(self, *args, **kwargs):
        if self.path and self._parent_changed():
            # A new parent (from a form, the API or move_under) takes the whole branch along,
            # so that the path, which scoping reads, always agrees with the parent.
            with transaction.atomic():
                self._rehang()
                return super().save(*args, **kwargs)
        if self.path:
            return super().save(*args, **kwargs)
        # A new node takes the next free segment under its parent; two writers racing
        # for the same segment meet the unique index, and the loser takes the next one.
        for _attempt in range(5):
            self.path = self._next_path()
            self.depth = self.path.count(SEPARATOR)
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                self.path = ""
        raise IntegrityError("could not allocate a tree path")

    def _next_path(self) -> str:
        base = self.parent.path if self.parent_id else ""
        width = len(base) + SEGMENT_WIDTH + 1
        last = (
            Union.objects.filter(path__subtree=base, depth=base.count(SEPARATOR) + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
            if base
            else Union.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
        )
        number = segment_number(last[width - SEGMENT_WIDTH - 1 :]) + 1 if last else 1
        return base + segment(number)

    def move_under(self, new_parent: "Union | None") -> None:
        """Re-hang this subtree under another union (or at the top)."""
        self.parent = new_parent
        self.save()

    def _parent_changed(self) -> bool:
        before = getattr(self, "_history_before", None)
        if before is not None and before.get("parent_id", self.parent_id) == self.parent_id and self.path:
            return False
        base = self.parent.path if self.parent_id else ""
        return self.path[: -(SEGMENT_WIDTH + 1)] != base

    def _rehang(self) -> None:
        """Take the next path under the new parent; one UPDATE rewrites every path below."""
        if self.parent_id and self.parent.is_within(self):
            raise ValueError("a union cannot move under itself")
        old_path, old_depth = self.path, self.depth
        self.path = self._next_path()
        self.depth = self.path.count(SEPARATOR)
        Union.objects.filter(path__subtree=old_path).exclude(pk=self.pk).update(
            path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1)),
            depth=models.F("depth") - old_depth + self.depth,
        )

    def parent_error(self, parent: "Union | None", user=None) -> str | None:
        """Why `parent` cannot be this union's parent (for `user`, when given), or None.

        One home for the rule, used by the model, the console form and the API.
        """
        if parent is None:
            # A top-level union is outside every official's subtree: only a superuser may make one.
            if user is not None and not user.is_superuser:
                return _("只有系统管理员可以设立或移动顶级工会")
        elif self.pk and self.path and parent.is_within(self):
            return _("不能隶属于本工会或其下级工会")
        return None

    def clean(self):
        super().clean()
        error = self.parent_error(self.parent)
        if error:
            raise ValidationError({"parent": error})
        error = self.namesake_error()
        if error:
            raise ValidationError({"name": error})

    def namesake_error(self) -> str | None:
        """Two live unions of one name under one parent cannot be told apart in any list or choice."""
        if self.status == UnionStatus.DISSOLVED:
            return None
        namesakes = Union.objects.filter(parent=self.parent_id, name=(self.name or "").strip())
        if namesakes.exclude(status=UnionStatus.DISSOLVED).exclude(pk=self.pk).exists():
            return _("上级工会下已有同名工会“%(name)s”") % {"name": self.name}
        return None
