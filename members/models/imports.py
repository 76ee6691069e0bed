"""Bulk enrolment (集体登记) from an xlsx or csv file: checked first, then imported all-or-chosen."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ADMIN, RoleKind, admin_and
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import ImportStatus


@scoped(
    policy(
        "union", view=admin_and(RoleKind.ORGANISATION), change=admin_and(RoleKind.ORGANISATION), delete=ADMIN
    )
)
class ImportBatch(TrackedModel):
    """One uploaded enrolment file. The upload is stored encrypted and deleted once decided."""

    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("入会工会")
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    # Same file, same digest: a re-import is recognised and changes nothing.
    file_sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    upload = models.FileField(_("上传文件（加密）"), upload_to="imports/", blank=True)
    file_format = models.CharField(_("格式"), max_length=10)
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    # Our field name -> the file's column heading, as the official mapped them.
    mapping = models.JSONField(_("列对应"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("有效行"), default=0)
    error_rows = models.PositiveIntegerField(_("错误行"), default=0)
    transfer_rows = models.PositiveIntegerField(_("需接转行"), default=0)
    imported_rows = models.PositiveIntegerField(_("已导入"), default=0)
    error_report = models.FileField(_("错误报告"), upload_to="imports/", blank=True)
    message = models.TextField(_("信息"), blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("后台任务")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("批量入会")
        verbose_name_plural = pgettext_lazy("plural", "批量入会")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("members:import-detail", args=[self.pk])
