from django.db import models
from django.utils.translation import gettext_lazy as _


class StationKind(models.TextChoices):
    """Kinds of 工会户外劳动者服务站点 the seed names (see GLOSSARY, "Stations")."""

    WORKER = "worker", _("职工驿站")
    TELECOM_CARE = "telecom_care", _("爱心翼站")
    RIDER = "rider", _("小哥驿站")
    OTHER = "other", _("户外劳动者服务站点")


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("达标")
    FAILED = "failed", _("未达标")


class HotSpotSource(models.TextChoices):
    CENSUS = "census", _("普查企业站点")
    IMPORTED = "imported", _("导入热点")
    MANUAL = "manual", _("手工录入")
