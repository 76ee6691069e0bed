"""Who is acting, and the recording of every change of every tracked model.

The actor is a context variable: the web middleware sets it from the request,
background tasks from the job, and anything else (management commands, shells)
falls back to the command line, so a change is never recorded without a source.
"""

import contextlib
import datetime
import decimal
import functools
import json
import operator
import sys
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile, FileField
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .choices import HistoryKind
from .models import HistoryEntry, TrackedModel

MASK = "***"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str


def _default_label() -> str:
    argv = sys.argv
    if len(argv) > 1 and argv[0].endswith("manage.py"):
        return f"command:{argv[1]}"[:100]
    return "system"


_actor: ContextVar = ContextVar("niangjia_actor", default=None)  # an Actor, or a callable giving one


def current_actor() -> Actor:
    actor = _actor.get()
    if callable(actor):  # a request's, its user read now (acting_for)
        return actor()
    return actor or Actor(None, _default_label())


@contextlib.contextmanager
def _acting(actor):
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def acting_as(user=None, label: str = "system"):
    """Attribute every change inside the block to this user and source."""
    return _acting(Actor(getattr(user, "pk", user), label))


def acting_for(user, label: str):
    """acting_as for a request's user (Django's lazy object), read only when a change is recorded: a
    view's authentication may read the user its own way first (accounts.backends.reading_users_with),
    and a request that changes nothing never needs it."""
    return _acting(lambda: Actor(user.pk if user.is_authenticated else None, label))


_JSON_NATIVE = (str, int, float, bool, type(None))


_ENCODER = DjangoJSONEncoder()
# What the encoder turns into text by itself (default()), without a round trip through JSON.
_ENCODED_AS_TEXT = (datetime.date, datetime.time, datetime.timedelta, decimal.Decimal, uuid.UUID)


def _plain(value):
    """The value as the JSON column will hold it (dates as ISO text, decimals as text…). Most field
    values already are, and the usual others (a choice's text, a date) are turned into it directly:
    the round trip through the encoder costs ~5 µs a field (a program sign-up's history row has
    three dates and two choices)."""
    kind = type(value)
    if kind in _JSON_NATIVE:
        return value
    if isinstance(value, str):  # a text choice: JSON holds its text
        return str.__str__(value)
    if isinstance(value, _ENCODED_AS_TEXT):
        return _ENCODER.default(value)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@functools.cache
def _snapshot_plan(model) -> tuple[tuple[str, ...], Callable, tuple[str, ...]]:
    """What a snapshot of `model` reads: its recorded attnames, one getter for all of them (a field's
    value_from_object is the attribute: one C call instead of two Python ones per field, which was
    most of a program sign-up's history row), and its file fields (recorded by their stored name)."""
    fields = [f for f in model._meta.concrete_fields if f.attname not in model.history_ignored_fields]
    names = tuple(f.attname for f in fields)
    getter = operator.attrgetter(*names)
    read = (lambda instance: (getter(instance),)) if len(names) == 1 else getter
    return names, read, tuple(f.attname for f in fields if isinstance(f, FileField))


def _snapshot(instance: TrackedModel) -> dict:
    names, read, files = _snapshot_plan(type(instance))
    values = dict(zip(names, read(instance), strict=True))
    for attname in files:  # a file is recorded by its stored name, not the file object
        value = values[attname]
        values[attname] = value.name if isinstance(value, FieldFile) else value
    return values


def _shown(instance: TrackedModel, attname: str, value):
    return MASK if attname in instance.history_masked_fields and value not in (None, "") else _plain(value)


def _write(instance, kind: str, changes: dict, verb: str = "", note: str = "") -> HistoryEntry:
    entry = _entry(instance, kind, changes, verb, note)
    entry.save(force_insert=True)
    return entry


def _entry(instance, kind: str, changes: dict, verb: str = "", note: str = "") -> HistoryEntry:
    actor = current_actor()
    return HistoryEntry(
        kind=kind,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        verb=verb,
        changes=changes,
        note=note,
        actor_id=actor.user_id,
        actor_label=actor.label,
    )


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, TrackedModel):
        return
    after = _snapshot(instance)
    before = getattr(instance, "_history_before", None)
    if created or before is None:
        changes = {k: [None, _shown(instance, k, v)] for k, v in after.items() if v not in (None, "")}
        kind = HistoryKind.CREATED if created else HistoryKind.CHANGED
    else:
        changes = {
            k: [_shown(instance, k, before[k]), _shown(instance, k, v)]
            for k, v in after.items()
            if k in before and before[k] != v
        }
        kind = HistoryKind.CHANGED
    instance._history_before = after
    if changes or created:
        _write(instance, kind, changes)


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if isinstance(instance, TrackedModel):
        before = _snapshot(instance)
        _write(instance, HistoryKind.DELETED, {k: [_shown(instance, k, v), None] for k, v in before.items()})


def creation_entry(instance: TrackedModel) -> HistoryEntry:
    """The unsaved history row post_save would write for `instance`'s creation, for a caller that writes
    the row and its history in one statement (the id, not known before, is for the caller to add to
    object_id and changes). Afterwards call `mark_saved(instance)`."""
    after = _snapshot(instance)
    return _entry(
        instance,
        HistoryKind.CREATED,
        {k: [None, _shown(instance, k, v)] for k, v in after.items() if v not in (None, "")},
    )


def mark_saved(instance: TrackedModel) -> None:
    """What post_save leaves on a tracked instance, for one inserted without save()."""
    instance._state.adding, instance._state.db = False, instance._state.db or "default"
    instance._history_before = _snapshot(instance)


def record_action(obj, verb: str, note: str = "", data: dict | None = None) -> HistoryEntry:
    """Record a workflow step (approved, assigned, audited…) taken by the service performing it."""
    return _write(obj, HistoryKind.ACTION, _plain(data or {}), verb=verb, note=note)


def record_bulk_created(objs) -> None:
    """Record objects made with bulk_create, which sends no signals."""
    objs = list(objs)
    if not objs:
        return
    actor = current_actor()
    content_type = ContentType.objects.get_for_model(objs[0], for_concrete_model=False)
    HistoryEntry.objects.bulk_create(
        HistoryEntry(
            kind=HistoryKind.CREATED,
            content_type=content_type,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            changes={k: [None, _shown(obj, k, v)] for k, v in _snapshot(obj).items() if v not in (None, "")},
            actor_id=actor.user_id,
            actor_label=actor.label,
        )
        for obj in objs
    )
