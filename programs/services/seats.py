"""The seat counter's primitives: every seat is taken, passed on or given back by one conditional UPDATE.

`Session.seated` counts the registrations holding a seat (confirmed, offered, attended). A seat is
taken by `UPDATE … SET seated = seated + 1 WHERE id = %s AND seated < capacity`, which the database
evaluates atomically against the committed row (PostgreSQL re-checks the condition after waiting for a
concurrent writer's row lock; SQLite runs write transactions one at a time, BEGIN IMMEDIATE), and the
CHECK constraint seated <= capacity refuses an oversell whatever code runs. A seat freed while
people wait is passed to the first of the waitlist as an offer: the counter does not move.
"""

import datetime
import functools
import secrets

from django.conf import settings
from django.db import connection
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    CharField,
    Count,
    DateTimeField,
    F,
    ForeignKey,
    IntegerField,
    JSONField,
    OneToOneField,
    OuterRef,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SmallIntegerField,
    Subquery,
    TextField,
    Value,
    Window,
)
from django.db.models.fields import AutoFieldMixin
from django.db.models.functions import Coalesce, Rank
from django.db.models.signals import pre_save

from core.compiled import prepared_cursor
from core.history import record_action

from ..choices import SEATED_STATUSES, OnePer, RegistrationStatus
from ..models import Registration, Session

# Unambiguous characters for codes staff may have to type (no 0/O, 1/I).
TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TICKET_LENGTH = 8


def seat_guard() -> bool:
    """The database guard; only a test run (settings.TESTING) may switch it off to show the race."""
    return not settings.TESTING or getattr(settings, "PROGRAMS_SEAT_GUARD", True)


def holder_for(program, session) -> str:
    """What "one active registration per person" counts over: the program, or the session."""
    return f"s{session.pk}" if program.one_per == OnePer.SESSION else f"p{program.pk}"


def new_ticket_code() -> str:
    # One read of the system's randomness, each byte to a character: 256 is a multiple of the
    # alphabet's 32 letters, so each is equally likely (eight secrets.choice calls cost 25 µs more).
    letters = len(TICKET_ALPHABET)
    return "".join(TICKET_ALPHABET[byte % letters] for byte in secrets.token_bytes(TICKET_LENGTH))


def take_seat(session_id: int) -> bool:
    """Take one seat if one is free: True when taken."""
    return bool(
        Session.objects.filter(pk=session_id, seated__lt=F("capacity")).update(seated=F("seated") + 1)
    )


@functools.cache
def _insert_plan(model, vendor: str, source: str, overridden: tuple) -> tuple[str, tuple]:
    """The INSERT … SELECT text of a model's row from `source`, with SQL of its own in place of the
    `overridden` ((attname, SQL), …) columns, and how each column's value is read and prepared (None
    for an overridden one: its params come with the override): the same for every statement of a kind,
    so built once (the values, read and prepared per statement, are most of insert_select's time)."""
    quote = connection.ops.quote_name
    sql_of = dict(overridden)
    columns, values, steps = [], [], []
    for field in model._meta.local_concrete_fields:
        if isinstance(field, AutoFieldMixin) and field.attname not in sql_of:
            continue  # an identity column: the database numbers it
        columns.append(quote(field.column))
        if field.attname in sql_of:
            values.append(sql_of[field.attname])
            steps.append((field, field.attname, None, None, None, False))
            continue
        values.append(f"%s::{field.cast_db_type(connection)}")
        # A field's own pre_save matters only for auto_now(_add) dates; elsewhere it reads the attribute.
        reads_itself = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        # A missing value is sent as NULL, as get_db_prep_save would (JSON excepted: None may be JSON's
        # null there).
        none_is_null = not isinstance(field, JSONField)
        steps.append((field, field.attname, reads_itself, *_prepared_directly(field, vendor), none_is_null))
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"  # noqa: S608 (quoted names, values as parameters)
    return sql, tuple(steps)


def insert_select(
    model, obj, source: str, override: dict | None = None, source_params=()
) -> tuple[str, list]:
    """`INSERT INTO <model> (…) SELECT <obj's values> FROM <source>`: the values as save() would write
    them (pre_save signal and fields' pre_save, then prepared for the database), each cast to its
    column's type; `override` puts SQL in place of some columns ({attname: (SQL, its params)}: the id
    the source returns); `source_params` are the values of the source's own placeholders."""
    override = override or {}
    # pre_save receivers run as for save() (django_tasks_db sets run_after there); post_save does not:
    # what core.history would write on it is part of the statement.
    pre_save.send(sender=model, instance=obj, raw=False, using=connection.alias, update_fields=None)
    sql, steps = _insert_plan(
        model, connection.vendor, source, tuple((attname, sql) for attname, (sql, _) in override.items())
    )
    params = []
    for field, attname, reads_itself, direct, convert, none_is_null in steps:
        if reads_itself is None:
            params.extend(override[attname][1])
            continue
        value = field.pre_save(obj, True) if reads_itself else getattr(obj, attname)
        if value is None and none_is_null:
            params.append(None)
        elif type(value) is direct and (convert is not _AWARE or value.tzinfo is not None):
            params.append(value if convert is None or convert is _AWARE else convert(value))
        elif direct is str and isinstance(value, str):
            # A choice (a str subclass) as its plain text, which the field would send as it is:
            # psycopg looks a subclass's adapter up through its bases at every statement.
            params.append(str.__str__(value))
        else:
            params.append(field.get_db_prep_save(value, connection))
    return sql, [*params, *source_params]


_AWARE = object()  # _prepared_directly's "as it is, when it has a time zone"
_INTEGERS = (
    IntegerField,
    BigIntegerField,
    SmallIntegerField,
    PositiveIntegerField,
    PositiveBigIntegerField,
    PositiveSmallIntegerField,
)


def _prepared_directly(field, vendor: str) -> tuple:
    """(type, convert): a value of exactly `type` is prepared here as get_db_prep_save would prepare it,
    without the field's chain of calls (most of a sign-up's values went through four or five): by
    `convert(value)`, or as it is when `convert` is None (or _AWARE and the value has a time zone).
    (None, None): only the field knows. Django's own field classes only (a subclass may prepare its
    values its own way); tested against get_db_prep_save."""
    kind = type(field)
    if kind in (CharField, TextField):
        return str, None
    if vendor != "postgresql":
        return None, None
    if kind in (ForeignKey, OneToOneField) and type(field.target_field) in (AutoField, BigAutoField):
        return int, None  # an id: validate_autopk_value leaves it as it is on PostgreSQL
    if kind is DateTimeField:
        return datetime.datetime, _AWARE  # a naive one is made aware by the field, with a warning
    if kind in _INTEGERS:
        return int, connection.ops.integerfield_type_map[field.get_internal_type()]  # psycopg's Int4…
    return None, None


def take_seat_inserting(session_id: int, registration: Registration, history, outbox) -> tuple | None:
    """PostgreSQL: take a seat and insert the registration, its history row and its notice (`outbox`:
    notices.outbox_sql's CTEs over `reg`) in ONE statement, run on its own (autocommit: committed by
    the server at once). No seat free: nothing is written, None; else (registration id, the notice
    sender's task id or None), the id also set on the registration. The session row is locked from
    the UPDATE to the commit with no round trip to the client in between: sign-ups of one session
    queue on that lock, so its length is the session's throughput. The UPDATE's condition and the
    CHECK guard the seats as in take_seat()."""
    quote = connection.ops.quote_name
    session_table = quote(Session._meta.db_table)
    reg_sql, reg_params = insert_select(Registration, registration, "seat")
    hist_sql, hist_params = _history_sql(history, f"jsonb_set(%s::jsonb, {_ID_CHANGE})")
    sql = (
        f"WITH seat AS (UPDATE {session_table} SET seated = seated + 1 "  # noqa: S608
        "WHERE id = %s AND seated < capacity RETURNING id), "
        f"reg AS ({reg_sql} RETURNING id), hist AS ({hist_sql}), {outbox.sql} "
        f"SELECT id, {'(SELECT id FROM wake)' if outbox.woke else 'NULL'} FROM reg"
    )
    with prepared_cursor() as cursor:  # the same text for every sign-up: parsed and planned once
        cursor.execute(sql, [session_id, *reg_params, *hist_params, *outbox.params])
        row = cursor.fetchone()
    if row is not None:
        registration.pk = row[0]
    return row


# jsonb_set's path and value for what only the insert knows, in a creation's history row.
_ID_CHANGE = "'{id}', jsonb_build_array(NULL, reg.id)"
_POSITION_CHANGE = "'{position}', jsonb_build_array(NULL, reg.position)"


def _history_sql(history, changes_sql: str) -> tuple[str, list]:
    """The creation's history row inserted from `reg`: its object id, and its changes as
    `changes_sql` makes them of the prepared changes (its one placeholder)."""
    changes = type(history)._meta.get_field("changes").get_db_prep_save(history.changes, connection)
    return insert_select(
        type(history),
        history,
        "reg",
        {"object_id": ("reg.id::text", []), "changes": (changes_sql, [changes])},
    )


def insert_waitlisted(session_id: int, registration: Registration, history, outbox):
    """PostgreSQL: while the session is full, give out its next waitlist position and insert the
    registration there with its history row and its notice (`outbox`, as for take_seat_inserting), in
    ONE statement (in autocommit: committed by the server at once). The position is counted on the
    session's row (`last_position`, bumped by the statement's UPDATE, whose row lock orders sign-ups
    that run at once), so positions stay distinct and in order; the UPDATE's condition reads the
    latest row, so with a seat free (given back meanwhile) nothing is written and None is returned;
    else (registration id, position, the notice sender's task id or None), the id and position also
    set on the registration. A waitlisted sign-up took four round trips (BEGIN, lock, insert with a
    MAX over the waitlist, COMMIT), then two statements in one pipeline."""
    reg_sql, reg_params = insert_select(
        Registration, registration, "pos", {"position": ("pos.last_position", [])}
    )
    hist_sql, hist_params = _history_sql(
        history, f"jsonb_set(jsonb_set(%s::jsonb, {_ID_CHANGE}), {_POSITION_CHANGE})"
    )
    sql = (
        f"WITH pos AS ({_next_position_sql(' AND seated >= capacity')}), "  # noqa: S608
        f"reg AS ({reg_sql} RETURNING id, position), hist AS ({hist_sql}), {outbox.sql} "
        f"SELECT id, position, {'(SELECT id FROM wake)' if outbox.woke else 'NULL'} FROM reg"
    )
    with prepared_cursor() as cursor:  # the same text for every waitlisted sign-up
        cursor.execute(sql, [session_id, *reg_params, *hist_params, *outbox.params])
        row = cursor.fetchone()
    if row is not None:
        registration.pk, registration.position = row[0], row[1]
    return row


def one_round_trip() -> bool:
    """Whether the waitlist's position and insert can be one statement (insert_waitlisted): PostgreSQL
    (an UPDATE and INSERTs in one WITH)."""
    return connection.vendor == "postgresql"


def take_seats(session_id: int, count: int) -> bool:
    if count <= 0:
        return True
    return bool(
        Session.objects.filter(pk=session_id, seated__lte=F("capacity") - count).update(
            seated=F("seated") + count
        )
    )


def release_seats(session_id: int, count: int = 1) -> None:
    if count > 0:
        Session.objects.filter(pk=session_id, seated__gte=count).update(seated=F("seated") - count)


def unguarded_free(session) -> int:
    """Test-only (guard off): free seats as naive code would see them, counting rows in Python."""
    taken = Registration.objects.filter(session_id=session.pk, status__in=SEATED_STATUSES).count()
    return session.capacity - taken


def lock_session(session_id: int) -> Session:
    """Serialise work on one session's queue (row lock on PostgreSQL; SQLite's writers already queue)."""
    # Only the session row, and NO KEY: registrations being inserted meanwhile (their foreign-key checks
    # take KEY SHARE locks on the session and program) neither wait for it nor deadlock with it.
    return (
        Session.objects.select_for_update(no_key=True, of=("self",))
        .select_related("program")
        .get(pk=session_id)
    )


def lock_seats(session_id: int) -> tuple[int, int]:
    """Like lock_session, for a step that needs only (seated, capacity) as of the lock (latest committed).
    A plain statement: on the waitlist's hot path, building the queryset cost more than running it."""
    table = connection.ops.quote_name(Session._meta.db_table)
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seated, capacity FROM {table} WHERE id = %s{lock}", [session_id])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        raise Session.DoesNotExist
    return row


def assign_position(registration_id: int, session_id: int) -> int:
    """Give a waitlisted registration the session's next position and return it."""
    position = next_position(session_id)
    Registration.objects.filter(pk=registration_id).update(position=position)
    return position


def waitlist(session_id: int):
    return Registration.objects.filter(session_id=session_id, status=RegistrationStatus.WAITLISTED).order_by(
        F("position").asc(nulls_last=True), "signed_up_at", "id"
    )


def with_place(registrations):
    """Registrations with `place`: for a waitlisted one, its place in the queue now (those ahead + 1).
    The stored `position` orders the queue but keeps its gaps when people ahead are offered a seat or
    leave (only a reorder renumbers), so a worker is shown the place, not the position."""
    ahead = (
        Registration.objects.filter(
            session_id=OuterRef("session_id"),
            status=RegistrationStatus.WAITLISTED,
            position__lt=OuterRef("position"),
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return registrations.annotate(
        place=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + Value(1)
    )


def places_of(registration_ids) -> dict[int, int]:
    """{id: place now} of those of these registrations that are waiting (as with_place counts it),
    from one pass over their sessions' waitlists: counting those ahead of each one read the queue
    once per person, and a batch of waitlist notices after a flash read it hundreds of times."""
    ids = list(registration_ids)
    if not ids:
        return {}
    waiting = Registration.objects.filter(status=RegistrationStatus.WAITLISTED, position__isnull=False)
    queues = waiting.filter(pk__in=ids).values("session_id")
    # Rank is 1 + how many are strictly ahead: with_place's count, ties and gaps alike.
    ranked = (
        waiting.filter(session_id__in=queues)
        .annotate(place=Window(Rank(), partition_by=[F("session_id")], order_by=F("position").asc()))
        .order_by()
        .values_list("id", "place")  # the columns' names: "id", "place"
    )
    # Only the batch's own rows come back: the whole queue came to Python to be picked from, a
    # flash's waitlist of thousands for every batch of a few notices (a filter on the id inside would
    # rank the batch alone).
    sql, params = ranked.query.sql_with_params()
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) ranked WHERE ranked.id IN ({marks})", [*params, *ids])  # noqa: S608 (the ORM's SQL, values as parameters)
        return dict(cursor.fetchall())


def place(registration: Registration) -> int | None:
    """A waitlisted registration's place in the queue now (see with_place); None when not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED or registration.position is None:
        return None
    return place_of(registration.pk)


def place_of(registration_id: int) -> int | None:
    """The place in its queue now of the registration with this id; None when it is not waiting."""
    waiting = Registration.objects.filter(
        pk=registration_id, status=RegistrationStatus.WAITLISTED, position__isnull=False
    )
    return with_place(waiting).values_list("place", flat=True).first()


def next_position(session_id: int) -> int:
    """The session's next waitlist position, counted on its row (`Session.last_position`) by one
    UPDATE … RETURNING: its row lock orders callers that run at once, so each gets its own. Inside the
    step's transaction: a step that rolls back gives its position back."""
    with connection.cursor() as cursor:
        cursor.execute(_next_position_sql(), [session_id])
        return cursor.fetchone()[0]


def _next_position_sql(condition: str = "") -> str:
    """Bump the session's (`%s`) waitlist counter and return the new value, `condition` permitting."""
    table = connection.ops.quote_name(Session._meta.db_table)
    bump = f"UPDATE {table} SET last_position = last_position + 1"  # noqa: S608
    return f"{bump} WHERE id = %s{condition} RETURNING last_position"


def positions_given(session_id: int, last: int) -> None:
    """Positions up to `last` were given out by other means (a lottery's drawn order): the counter
    goes on from there."""
    Session.objects.filter(pk=session_id, last_position__lt=last).update(last_position=last)


def offer(registration: Registration, now: datetime.datetime) -> bool:
    """Turn a waitlisted registration into an offer of a seat the caller already holds for it."""
    expires = now + datetime.timedelta(hours=registration.program.offer_hours)
    changed = Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.WAITLISTED).update(
        status=RegistrationStatus.OFFERED, offer_expires_at=expires, updated_at=now
    )
    if not changed:
        return False
    registration.status, registration.offer_expires_at = RegistrationStatus.OFFERED, expires
    record_action(
        registration,
        "offered",
        data={
            "status": [RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED],
            "offer_expires_at": expires,
        },
    )
    return True


def pass_seat(session: Session, now: datetime.datetime) -> Registration | None:
    """A held seat became free: offer it to the first of the waitlist, or give it back to the session."""
    while True:
        first = waitlist(session.pk).select_related("program", "session", "person").first()
        if first is None:
            release_seats(session.pk)
            return None
        if offer(first, now):
            return first


def fill(session: Session, now: datetime.datetime) -> list[Registration]:
    """Offer every free seat of the session to the waitlist, in order (after capacity was raised)."""
    offered = []
    while True:
        first = waitlist(session.pk).select_related("program", "session", "person").first()
        if first is None or not take_seat(session.pk):
            return offered
        if offer(first, now):
            offered.append(first)
        else:
            release_seats(session.pk)


def resync(session: Session) -> int:
    """Recount the seat counter from the rows (repair tool; the engine keeps it right by itself)."""
    taken = Registration.objects.filter(session_id=session.pk, status__in=SEATED_STATUSES).count()
    Session.objects.filter(pk=session.pk).update(seated=taken)
    return taken
