"""Users, the roles they hold on unions, and workers' one-time login codes."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from .choices import ADMIN, ALL_TREE, TREE_ROLES, RoleKind


class User(AbstractUser):
    """A person who signs in: an official (password) or a worker (phone and one-time code)."""

    display_name = models.CharField(_("显示名"), max_length=50, blank=True)
    is_worker = models.BooleanField(_("职工账号"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def _role_rows(self) -> list[tuple[str, int, str]]:
        # Loaded once per request (the user object lives for one request).
        if not hasattr(self, "_roles_cache"):
            self._roles_cache = list(
                self.roles.filter(active=True).values_list("kind", "union_id", "union__path")
            )
        return self._roles_cache

    def forget_roles(self) -> None:
        self.__dict__.pop("_roles_cache", None)

    @property
    def is_official(self) -> bool:
        return self.is_active and (self.is_superuser or bool(self._role_rows()))

    def role_kinds(self) -> set[str]:
        return {kind for kind, _union, _path in self._role_rows()}

    def scope_paths(self, kinds) -> list[str]:
        """Paths of the unions whose subtree these role kinds open, none inside another."""
        paths = sorted({path for kind, _u, path in self._role_rows() if kind in kinds and kind in TREE_ROLES})
        kept: list[str] = []
        for path in paths:
            if not kept or not path.startswith(kept[-1]):
                kept.append(path)
        return kept

    def top_unions(self) -> list[int]:
        """The unions this user's tree roles start from (for the console's tree)."""
        return sorted({union for kind, union, _p in self._role_rows() if kind in TREE_ROLES})


@scoped(policy("union", view=ALL_TREE, change=ADMIN))
class Role(TrackedModel):
    """A role a user holds on one union; tree roles cover the union's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("用户"))
    union = models.ForeignKey(
        "orgs.Union", on_delete=models.CASCADE, related_name="roles", verbose_name=_("工会")
    )
    kind = models.CharField(_("角色"), max_length=20, choices=RoleKind.choices)
    active = models.BooleanField(_("有效"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = pgettext_lazy("plural", "角色")
        ordering = ["union_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "union", "kind"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("该用户在此工会已有此角色"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.union} · {self.get_kind_display()}"

    def clean(self):
        super().clean()
        # A worker's account signs in by phone code and owns a person's records: a role on it would
        # open the console to whoever holds that phone.
        if self.user_id and self.user.is_worker:
            raise ValidationError({"user": _("职工账号不能担任工会角色")})

    def get_absolute_url(self) -> str:
        return reverse("accounts:role-detail", args=[self.pk])


class OneTimeCode(models.Model):
    """A login code sent by SMS; only its keyed hash is kept."""

    phone_hash = models.CharField(_("手机号摘要"), max_length=64)
    ip_hash = models.CharField(_("IP摘要"), max_length=64)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = pgettext_lazy("plural", "验证码")
        indexes = [
            models.Index(fields=["phone_hash", "created_at"], name="accounts_otp_phone"),
            models.Index(fields=["ip_hash", "created_at"], name="accounts_otp_ip"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
