"""One interface for notifications: SMS through a pluggable backend, in-site messages, all logged.

Backends implement `send(phone, text)`. The default prints to the console
(to stderr, with the number masked) so the embedded default needs no gateway.
A production backend for a provider's SMS API is a small class named in
NIANGJIA_SMS_BACKEND.
"""

import logging
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.conf import settings
from django.db import connection, models
from django.utils.module_loading import import_string

from . import pii
from .choices import Channel, NotificationStatus
from .models import Notification

log = logging.getLogger(__name__)


class SmsBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Writes messages to stderr for development; the number is masked."""

    def send(self, phone: str, text: str) -> None:
        print(f"[短信 → {pii.mask_phone(phone)}] {text}", file=sys.stderr, flush=True)


class MemorySmsBackend(SmsBackend):
    """Keeps messages in memory, so tests and demos can read a code that was sent."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


@cache
def _backend(path: str) -> SmsBackend:
    return import_string(path)()


class _HeldBack(SmsBackend):
    def __init__(self, kept: list):
        self.kept = kept

    def send(self, phone: str, text: str) -> None:
        self.kept.append((phone, text))


_held_back: ContextVar[list | None] = ContextVar("sms_held_back", default=None)


@contextmanager
def held_back():
    """SMS sent inside are logged for their people as usual but kept in a list (yielded) instead of
    going to the gateway: for loading demo data, whose phone numbers are made up (with a real gateway
    configured they would be texted; with the console one they filled the terminal)."""
    kept: list[tuple[str, str]] = []
    token = _held_back.set(kept)
    try:
        yield kept
    finally:
        _held_back.reset(token)


def sms_backend() -> SmsBackend:
    kept = _held_back.get()
    return _HeldBack(kept) if kept is not None else _backend(settings.SMS_BACKEND)


_logged_together: ContextVar[list | None] = ContextVar("notifications_logged_together", default=None)


@contextmanager
def logged_together():
    """Messages sent inside are logged by one insert at the end of the block (a sender of hundreds of
    notices spent most of its time saving their log rows one by one); the records the send functions
    return inside are not saved yet. Use it inside the transaction the log rows belong to."""
    records: list[Notification] = []
    token = _logged_together.set(records)
    try:
        yield
    finally:
        _logged_together.reset(token)
    _insert(records)


def _insert(records: list[Notification]) -> None:
    """Save new log rows at once: on PostgreSQL by COPY (bulk_create's INSERT, its placeholders built
    and its values quoted one by one, was a third of a notice sender's Python); the rows' ids are not
    read back."""
    if not records:
        return
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(records, batch_size=500)
        return
    fields = [field for field in Notification._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(Notification._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for record in records:
            copy.write_row([_column_value(field, record) for field in fields])
    for record in records:
        record._state.adding, record._state.db = False, connection.alias


def _column_value(field, record):
    value = getattr(record, field.attname)
    if value is None or isinstance(field, models.DateTimeField | models.ForeignKey):
        return value  # an aware time or an id: COPY writes it as it is
    if isinstance(value, str):
        return str.__str__(value)  # a choice as its plain text
    return field.get_db_prep_save(value, connection)


def _log(record: Notification) -> Notification:
    together = _logged_together.get()
    if together is None:
        record.save()
    else:
        together.append(record)
    return record


def send_sms(phone: str, text: str, *, kind: str, user=None, logged_text: str | None = None) -> Notification:
    """Send an SMS and log it for the person; `logged_text` replaces secrets such as codes."""
    record = Notification(
        channel=Channel.SMS,
        kind=kind,
        user=user,
        phone_hash=pii.lookup_hash("phone", phone),
        phone_mask=pii.mask_phone(phone),
        body=logged_text if logged_text is not None else text,
    )
    try:
        sms_backend().send(phone, text)
    except Exception as exc:  # a gateway failure is recorded, never raised into the page
        log.warning("sms backend failed: %s", type(exc).__name__)
        record.status, record.error = NotificationStatus.FAILED, type(exc).__name__
    return _log(record)


def send_site_message(user, subject: str, body: str, *, kind: str) -> Notification:
    """An in-site message shown in the worker's or official's inbox."""
    return _log(Notification(channel=Channel.SITE, kind=kind, user=user, subject=subject, body=body))
