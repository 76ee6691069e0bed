"""Partner organisations (合作单位): the bank, supermarket, telecom branch or community that hosts a
station, the hospital or fire brigade that co-organises a program."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core import limits
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import PartnerKind
from .tree import Union


@scoped(policy("union", view=ALL_TREE, change=admin_and(RoleKind.SERVICE, RoleKind.ORGANISATION)))
class Partner(TrackedModel):
    """An organisation a union works with, kept by that union (another union keeps its own record)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=PartnerKind.choices)
    union = models.ForeignKey(
        Union, on_delete=models.PROTECT, related_name="partners", verbose_name=_("所属工会")
    )
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True, max_length=limits.NOTE)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("合作单位")
        verbose_name_plural = pgettext_lazy("plural", "合作单位")
        ordering = ["union_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("该工会已有同名合作单位"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:partner-detail", args=[self.pk])
