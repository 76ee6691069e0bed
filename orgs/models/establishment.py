"""Establishing a union: preparation → election → approval, with its documents."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE, RoleKind, admin_and
from core import limits
from core.dates import validate_day_in_range
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import EstablishmentDocumentKind, EstablishmentStage
from .employers import Employer
from .tree import Union


@scoped(policy("union", view=ALL_TREE, change=admin_and(RoleKind.ORGANISATION)))
class Establishment(TrackedModel):
    """The founding of one union (in the tree as "preparing" from the start) and the employers it covers."""

    union = models.OneToOneField(
        Union, on_delete=models.PROTECT, related_name="establishment", verbose_name=_("筹建工会")
    )
    employers = models.ManyToManyField(
        Employer, blank=True, related_name="establishments", verbose_name=_("覆盖单位")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("负责干部"),
    )
    stage = models.CharField(
        _("阶段"), max_length=15, choices=EstablishmentStage.choices, default=EstablishmentStage.PREPARATION
    )
    preparation_on = models.DateField(
        _("筹备开始日期"), null=True, blank=True, validators=[validate_day_in_range]
    )
    election_on = models.DateField(_("选举日期"), null=True, blank=True, validators=[validate_day_in_range])
    approved_on = models.DateField(_("批复日期"), null=True, blank=True, validators=[validate_day_in_range])
    approval_reference = models.CharField(_("批复文号"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True, max_length=limits.NOTE)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("建会流程")
        verbose_name_plural = pgettext_lazy("plural", "建会流程")
        ordering = ["-id"]

    def __str__(self) -> str:
        return str(self.union)

    def get_absolute_url(self) -> str:
        return reverse("orgs:establishment-detail", args=[self.pk])


@scoped(policy("establishment__union", view=ALL_TREE, change=admin_and(RoleKind.ORGANISATION)))
class EstablishmentDocument(TrackedModel):
    """A document of an establishment (application, election record, approval), served only through a view."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="documents", verbose_name=_("建会流程")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=EstablishmentDocumentKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to="establishments/%Y/")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("建会材料")
        verbose_name_plural = pgettext_lazy("plural", "建会材料")
        ordering = ["establishment", "id"]

    def __str__(self) -> str:
        return self.title
