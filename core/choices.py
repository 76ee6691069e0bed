from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HistoryKind(models.TextChoices):
    # A context of their own: in English an entry was "Changed", while a button says "Edit".
    CREATED = "created", pgettext_lazy("history", "创建")
    CHANGED = "changed", pgettext_lazy("history", "修改")
    DELETED = "deleted", pgettext_lazy("history", "删除")
    ACTION = "action", pgettext_lazy("history", "业务操作")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    SITE = "site", _("站内信")


class NotificationStatus(models.TextChoices):
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
