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
from django.db import connection
from django.utils import timezone
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
    notices spent most of its time saving their log rows one by one); the send functions return None
    inside, as their rows are not written yet. Use it inside the transaction the log rows belong to."""
    rows: list[dict] = []
    token = _logged_together.set(rows)
    try:
        yield
    finally:
        _logged_together.reset(token)
    _insert(rows)


def _insert(rows: list[dict]) -> None:
    """Save the rows logged together at once: on PostgreSQL by COPY of their plain values (model
    instances, bulk_create's placeholders and values quoted one by one were most of a notice sender's
    Python); a column a row does not name gets the field's default. The rows' ids are not read back."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create([Notification(**row) for row in rows], batch_size=500)
        return
    fields = [field for field in Notification._meta.concrete_fields if not field.primary_key]
    defaults = [(field.attname, field.get_default()) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(Notification._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(name, default) for name, default in defaults])


def _log(**row) -> Notification | None:
    """Log a sent message: saved now, or kept for the insert at the end of logged_together()."""
    together = _logged_together.get()
    if together is not None:
        together.append(row)
        return None
    record = Notification(**row)
    record.save()
    return record


def send_sms(
    phone: str, text: str, *, kind: str, user=None, logged_text: str | None = None
) -> Notification | None:
    """Send an SMS and log it for the person (`user`: their account or its id); `logged_text` replaces
    secrets such as codes."""
    status, error = NotificationStatus.SENT.value, ""
    try:
        sms_backend().send(phone, text)
    except Exception as exc:  # a gateway failure is recorded, never raised into the page
        log.warning("sms backend failed: %s", type(exc).__name__)
        status, error = NotificationStatus.FAILED.value, type(exc).__name__
    return _log(
        channel=Channel.SMS.value,
        kind=kind,
        user_id=getattr(user, "pk", user),
        phone_hash=pii.lookup_hash("phone", phone),
        phone_mask=pii.mask_phone(phone),
        body=logged_text if logged_text is not None else text,
        status=status,
        error=error,
        sent_at=timezone.now(),
    )


def send_site_message(user, subject: str, body: str, *, kind: str) -> Notification | None:
    """An in-site message shown in the worker's or official's inbox (`user`: the account or its id)."""
    return _log(
        channel=Channel.SITE.value,
        kind=kind,
        user_id=getattr(user, "pk", user),
        subject=subject,
        body=body,
        sent_at=timezone.now(),
    )
