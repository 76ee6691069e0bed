"""Base models and the records every module shares: history, personal-data access, jobs, messages."""

import functools

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import choices, pii


class TrackedModel(models.Model):
    """A domain model whose every change is written to the history."""

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Fields recorded as "changed" without their values (ciphertexts, hashes).
    history_masked_fields: tuple[str, ...] = ()
    # Fields not worth a history line of their own.
    history_ignored_fields: tuple[str, ...] = ("updated_at",)
    # Counters that many requests bump at once, each by UPDATE … SET n = n + 1 in a service (seats
    # taken, views): save() of a row already there leaves them alone. Written back, the count an
    # instance read a moment earlier undid the bumps since (a seat taken meanwhile was free again).
    counters: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.counters and not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()  # as Django's save() leaves fields not loaded alone
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.counters and field.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What was loaded is the "before" of the next save; no extra query needed.
        instance._history_before = dict(zip(field_names, values, strict=True))
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        # What was just read is the new "before": otherwise the next save would record the
        # values loaded earlier, not the ones another save has written since.
        deferred = self.get_deferred_fields()
        read = {
            field.attname: field.value_from_object(self)
            for field in self._meta.concrete_fields
            if field.attname not in deferred and (fields is None or {field.name, field.attname} & set(fields))
        }
        self._history_before = {**getattr(self, "_history_before", {}), **read}

    def _get_FIELD_display(self, field):  # Django's name: get_FOO_display() calls it
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


@functools.cache
def _labels(field) -> dict:
    """A choice field's {value: label}, built once. Django's get_FOO_display() builds it on every call
    and hashes each label on the way, and a lazy label's hash is a translation: a gettext per choice
    per call (a quarter of a program sign-up's history row went to its status label). The labels stay
    lazy here, so each call still shows the active language. Our choices are fixed classes: a field
    whose choices change at run time would need Django's way."""
    return {make_hashable(value): label for value, label in field.flatchoices}


class HistoryQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        )

    def update(self, **kwargs):
        raise PermissionDenied("history is append-only")

    def delete(self):
        raise PermissionDenied("history is append-only")


class HistoryEntry(models.Model):
    """One recorded change or workflow step of a domain object; append-only."""

    kind = models.CharField(_("类型"), max_length=10, choices=choices.HistoryKind.choices)
    # No foreign-key constraint in the database (the ORM still protects a type with history): its
    # check locks the model's one ContentType row at every commit, so every writer of a model queued on
    # that row, and it was a fifth of a program sign-up's PostgreSQL CPU (bench/signup_profile.py
    # --statements). Content types are not deleted while history names them.
    # Nor an index of its own: core_history_object starts with it.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, db_constraint=False, db_index=False, verbose_name=_("对象类型")
    )
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    verb = models.CharField(_("操作"), max_length=64, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("操作人")
    )
    actor_label = models.CharField(_("来源"), max_length=100)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("历史记录")
        verbose_name_plural = pgettext_lazy("plural", "历史记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="core_history_object")]

    def __str__(self) -> str:
        return f"{self.object_repr} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("history is append-only")

    @property
    def change_list(self) -> list[tuple]:
        """(field, value) pairs for templates: `changes.items` would read a field named "items"."""
        return list(self.changes.items()) if isinstance(self.changes, dict) else []


class PiiAccess(models.Model):
    """A reveal of masked personal data by an official: who, what, when, why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.CharField(_("对象编号"), max_length=64)
    field = models.CharField(_("字段"), max_length=64)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("查看人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = pgettext_lazy("plural", "个人信息查看记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="core_piiaccess_object")]

    def __str__(self) -> str:
        return f"{self.user} {self.field} {self.at:%Y-%m-%d %H:%M}"


class Job(models.Model):
    """Progress of one piece of background work, followed by a page across reloads."""

    kind = models.CharField(_("任务"), max_length=64)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=choices.JobStatus.choices, default=choices.JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.TextField(_("信息"), blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    result_file = models.FileField(_("结果文件"), upload_to="jobs/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("发起人")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = pgettext_lazy("plural", "后台任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == choices.JobStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (choices.JobStatus.DONE, choices.JobStatus.FAILED)


class Notification(models.Model):
    """One message sent to a person (SMS or in-site), kept so each person's messages can be listed."""

    channel = models.CharField(_("渠道"), max_length=10, choices=choices.Channel.choices)
    kind = models.CharField(_("类别"), max_length=64)
    # Indexed with the time (Meta.indexes): a person's messages, newest first.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_index=False,
        related_name="notifications",
        verbose_name=_("接收用户"),
    )
    # Keyed hash of the phone (see core.pii), so a person's SMS can be found without storing the number
    # (indexed for the rows that have one: an in-site message writes no entry).
    phone_hash = models.CharField(_("手机号摘要"), max_length=64, blank=True)
    phone_mask = models.CharField(_("手机号"), max_length=20, blank=True)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=choices.NotificationStatus.choices,
        default=choices.NotificationStatus.SENT,
    )
    error = models.CharField(_("错误"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = pgettext_lazy("plural", "消息")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["user", "sent_at"], name="core_notification_user"),
            models.Index(fields=["phone_hash"], condition=~Q(phone_hash=""), name="core_notification_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.kind} {timezone.localtime(self.sent_at):%Y-%m-%d %H:%M}"


# An SMS log keeps only the phone's hash, so a change of the HMAC key must remap it (rotate_pii_keys).
pii.register_hash_column(Notification, "phone_hash", "phone")
