"""Sign-up, waitlist, offers, moves and capacity: the workflows of the capacity engine.

Every step runs in one transaction; seats move only through `seats` (conditional UPDATEs) and the
database refuses what code must never do: more seats taken than capacity (CHECK) and a second active
registration of one person for one program or session (partial unique index). Messages to the worker
go out after the transaction (sign-up queues its notice as a task inside it), so a step that rolls
back sends nothing.

Lottery and tickets live in `lottery` and `tickets`; their public names are re-exported here.
"""

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import creation_entry, mark_saved, record_action

from ..choices import ACTIVE_STATUSES, SEATED_STATUSES, RegistrationChannel, RegistrationStatus, SignUpMode
from ..models import Registration, Session
from ..models.catalogue import MAX_CAPACITY
from . import eligibility, notices, seats
from .lottery import draw_lottery, lottery_order, verify_lottery
from .seats import place, with_place
from .tickets import check_in, mark_no_shows, ticket_token

__all__ = [
    "accept_offer",
    "cancel",
    "check_in",
    "decline_offer",
    "draw_lottery",
    "expire_offers",
    "leave_waitlist",
    "lottery_order",
    "mark_no_shows",
    "move",
    "place",
    "reorder",
    "send_reminders",
    "set_capacity",
    "sign_up",
    "ticket_token",
    "verify_lottery",
    "with_place",
]

S = RegistrationStatus
CANCELLABLE = (S.ENTERED, S.CONFIRMED, S.WAITLISTED, S.OFFERED)
NOTICE_FOR_STATUS = {S.CONFIRMED: "confirmed", S.WAITLISTED: "waitlisted", S.ENTERED: "entered"}


def _already(program) -> ValidationError:
    return ValidationError(_("已报名「%(title)s」，不能重复报名") % {"title": program.title}, code="already")


def _locked(registration) -> Registration:
    return (
        Registration.objects.select_for_update(no_key=True, of=("self",))
        .select_related("program", "session", "person")
        .get(pk=registration.pk)
    )


def _refresh(registration, current: Registration) -> Registration:
    """Let the caller's object show the new state too."""
    if registration is not current:
        registration.refresh_from_db()
    return current


def _status_error(registration, doing: str) -> ValidationError:
    return ValidationError(
        _("该报名当前为“%(status)s”，不能%(doing)s")
        % {"status": registration.get_status_display(), "doing": doing},
        code="status",
    )


def active_registration(person, program, session=None) -> Registration | None:
    """The person's active registration for the program (or that session when one per session)."""
    holder = seats.holder_for(program, session) if session is not None else f"p{program.pk}"
    return (
        Registration.objects.filter(person=person, holder=holder, status__in=ACTIVE_STATUSES)
        .select_related("session")
        .first()
    )


def sign_up(session: Session, person, *, by=None, channel: str = RegistrationChannel.H5) -> Registration:
    """Sign the person up: a seat while one remains, else the waitlist; an entry in lottery mode.

    Raises ValidationError with the reasons when the person is not eligible or already signed up.
    The confirmation or waitlist notice is queued inside the same transaction (`notices.queue`): the
    worker sends it after the commit, and a sign-up that rolls back queues nothing.
    """
    now = timezone.now()
    program = session.program
    holder = seats.holder_for(program, session)
    # No separate "already signed up?" query on this hot path: the partial unique index refuses a
    # second active registration (whoever races), and the IntegrityError below becomes "已报名".
    problems = eligibility.reasons(program, person, now)
    if problems:
        raise ValidationError(problems, code="ineligible")
    if session.starts_at <= now:
        raise ValidationError(_("该场次已开始，不能报名"), code="started")

    registration = Registration(
        program=program,
        session=session,
        person=person,
        holder=holder,
        channel=channel,
        created_by=by if by is not None and by.pk != person.user_id else None,
        signed_up_at=now,
    )
    guarded = seats.seat_guard()
    # Test-only (PROGRAMS_SEAT_GUARD=False): what naive code does, read the free seats, then write.
    free_seen = None if guarded else seats.unguarded_free(session)
    try:
        if guarded and program.mode != SignUpMode.LOTTERY:
            if session.seated < session.capacity:
                if _seated_at_once(registration, session):
                    return registration
            elif _waitlisted_in_one(registration, session):
                return registration
        try:
            with transaction.atomic():
                if program.mode == SignUpMode.LOTTERY:
                    registration.status = S.ENTERED
                    registration.save()
                    notices.queue(registration, "entered")
                elif not guarded:
                    _unguarded(registration, session, free_seen)
                elif session.seated < session.capacity:
                    _seated(registration, session)
                else:
                    _waitlisted(registration, session)
        except _Full:
            # The seat went between reading the session and the UPDATE: all undone; waitlist instead.
            registration.pk, registration._state.adding, registration._history_before = None, True, None
            with transaction.atomic():
                _waitlisted(registration, session)
    except IntegrityError:
        if Registration.objects.filter(person=person, holder=holder, status__in=ACTIVE_STATUSES).exists():
            raise _already(program) from None
        raise
    return registration


class _Full(Exception):
    """No seat left when the conditional UPDATE ran: the transaction is rolled back."""


def _seated(registration: Registration, session: Session) -> None:
    """Insert as confirmed, then take the seat: the session row is locked only from the seat UPDATE
    to the commit (the insert, its unique-index check and its history row come before it). No seat
    left: raise _Full, which rolls the insert back."""
    registration.status, registration.ticket_code = S.CONFIRMED, seats.new_ticket_code()
    registration.save()
    # The notice joins the transaction before the seat UPDATE: the session row, which every sign-up of
    # the session updates, stays locked for the UPDATE and the commit only. A backend that runs the
    # sender at once (tests) gets it after the seat is certain: a rolled-back sign-up must send nothing.
    deferred = notices.deferred()
    if deferred:
        notices.queue(registration, "confirmed")
    if not seats.take_seat(session.pk):
        raise _Full
    if not deferred:
        notices.queue(registration, "confirmed")


def _seated_at_once(registration: Registration, session: Session) -> bool:
    """On PostgreSQL: seat, registration, its history row and its notice in one statement committed at
    once (seats.take_seat_inserting). False when not possible here or no seat was free (nothing
    written; the caller goes on in a transaction)."""
    if connection.vendor != "postgresql":
        return False
    registration.status, registration.ticket_code = S.CONFIRMED, seats.new_ticket_code()
    if _in_one_statement(registration, partial(seats.take_seat_inserting, session.pk), "confirmed"):
        return True
    registration.status, registration.ticket_code = "", None
    return False


def _in_one_statement(registration: Registration, statement, kind: str) -> bool:
    """Run a sign-up's one statement (`statement(registration, history, outbox)`: seats'
    take_seat_inserting or insert_waitlisted) with the creation's history row and the `kind` notice;
    inside a caller's transaction in a savepoint, for the IntegrityError. False when it wrote nothing."""
    history = creation_entry(registration)
    outbox = notices.outbox_sql(kind)
    if connection.in_atomic_block:
        with transaction.atomic():
            row = statement(registration, history, outbox)
    else:
        row = statement(registration, history, outbox)
    if row is None:
        return False
    mark_saved(registration)
    notices.queued(outbox, row[-1])
    return True


def _waitlisted(registration: Registration, session: Session, recheck: bool = True) -> None:
    """Waitlist the person at the session's next position (counted on its row, which orders sign-ups
    that run at once). Under the session's row lock the seat is tried once more: a seat freed (with
    nobody waiting) after the session was read is not missed."""
    registration.status, registration.ticket_code, registration.position = S.WAITLISTED, None, None
    if recheck and seats.one_round_trip():
        _waitlisted_at_once(registration, session)
        return
    registration.save()
    seated, capacity = seats.lock_seats(session.pk)
    if recheck and seated < capacity and seats.take_seat(session.pk):
        registration.status, registration.ticket_code = S.CONFIRMED, seats.new_ticket_code()
        Registration.objects.filter(pk=registration.pk).update(
            status=registration.status, ticket_code=registration.ticket_code
        )
        record_action(registration, "seated", data={"status": [S.WAITLISTED, S.CONFIRMED]})
    else:
        registration.position = seats.assign_position(registration.pk, session.pk)
    notices.queue(registration, NOTICE_FOR_STATUS[registration.status])


def _waitlisted_at_once(registration: Registration, session: Session) -> None:
    """PostgreSQL, in the caller's transaction: lock the session; a seat having come free meanwhile,
    confirmed the usual way; else one statement gives out the next position and inserts the
    registration there with its history and its notice (seats.insert_waitlisted: the session is full
    under our lock, so it writes)."""
    seated, capacity = seats.lock_seats(session.pk)
    if seated < capacity and seats.take_seat(session.pk):
        registration.status, registration.ticket_code = S.CONFIRMED, seats.new_ticket_code()
        registration.save()
        notices.queue(registration, "confirmed")
        return
    _in_one_statement(registration, partial(seats.insert_waitlisted, session.pk), "waitlisted")


def _waitlisted_in_one(registration: Registration, session: Session) -> bool:
    """PostgreSQL, the session full when read: the waitlisted registration, its position, history and
    notice in one statement (seats.insert_waitlisted). False when not possible here or a seat came
    free meanwhile (nothing written: the caller goes on the usual way, which takes it)."""
    if not seats.one_round_trip():
        return False
    registration.status, registration.ticket_code = S.WAITLISTED, None
    if _in_one_statement(registration, partial(seats.insert_waitlisted, session.pk), "waitlisted"):
        return True
    registration.status = ""
    return False


def _unguarded(registration: Registration, session: Session, free_seen: int) -> None:
    """Test-only: decide on seats read before the transaction, and insert without the counter."""
    if free_seen > 0:
        registration.status, registration.ticket_code = S.CONFIRMED, seats.new_ticket_code()
        registration.save()
        notices.queue(registration, "confirmed")
    else:
        _waitlisted(registration, session, recheck=False)


def cancel(registration: Registration, *, by=None, reason: str = "") -> Registration:
    """Cancel a sign-up; a seat it held is offered to the first of the waitlist (or freed)."""
    now = timezone.now()
    with transaction.atomic():
        current = _locked(registration)
        if current.status not in CANCELLABLE:
            raise _status_error(current, _("取消"))
        held = current.status in SEATED_STATUSES
        current.status, current.cancelled_at = S.CANCELLED, now
        current.offer_expires_at = None
        current.save()
        record_action(current, "cancelled", reason.strip())
        offered = seats.pass_seat(current.session, now) if held else None
    notices.send(current, "cancelled")
    if offered is not None:
        notices.send(offered, "offered")
    return _refresh(registration, current)


def accept_offer(registration: Registration, by=None) -> Registration:
    """Take up an offered seat before its deadline: confirmed, with a ticket."""
    now = timezone.now()
    with transaction.atomic():
        current = _locked(registration)
        if current.status != S.OFFERED:
            raise ValidationError(_("没有待确认的递补名额"), code="status")
        late = current.offer_expires_at and current.offer_expires_at <= now
        if not late:
            current.status, current.offer_expires_at, current.position = S.CONFIRMED, None, None
            current.ticket_code = current.ticket_code or seats.new_ticket_code()
            current.save()
            record_action(current, "offer_accepted")
    if late:  # the periodic expiry has not come by yet: move the seat on now, as the message says
        _expire_offer(current.pk, now)
        raise ValidationError(_("递补确认已超过截止时间，名额已顺延"), code="expired")
    notices.send(current, "confirmed")
    return _refresh(registration, current)


def decline_offer(registration: Registration, by=None) -> Registration:
    """Turn an offered seat down; it goes on to the next of the waitlist."""
    now = timezone.now()
    with transaction.atomic():
        current = _locked(registration)
        if current.status != S.OFFERED:
            raise ValidationError(_("没有待确认的递补名额"), code="status")
        offered = _end_offer(current, S.LEFT, "offer_declined", now)
    if offered is not None:
        notices.send(offered, "offered")
    return _refresh(registration, current)


def leave_waitlist(registration: Registration, by=None) -> Registration:
    with transaction.atomic():
        current = _locked(registration)
        if current.status != S.WAITLISTED:
            raise _status_error(current, _("退出候补"))
        current.status, current.position = S.LEFT, None
        current.save()
        record_action(current, "left_waitlist")
    return _refresh(registration, current)


def expire_offers(now: datetime.datetime | None = None) -> int:
    """Offers past their deadline expire and their seats move on to the next waitlisted; how many."""
    now = now or timezone.now()
    due = Registration.objects.filter(status=S.OFFERED, offer_expires_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(_expire_offer(pk, now) for pk in list(due))


def _expire_offer(pk: int, now: datetime.datetime) -> bool:
    """Expire one offer if it is still offered and past its deadline; its seat moves on. Whether it did."""
    with transaction.atomic():
        current = (
            Registration.objects.select_for_update(no_key=True, of=("self",))
            .select_related("program", "session", "person")
            .filter(pk=pk, status=S.OFFERED, offer_expires_at__lte=now)
            .first()
        )
        if current is None:
            return False
        offered = _end_offer(current, S.EXPIRED, "offer_expired", now)
    if offered is not None:
        notices.send(offered, "offered")
    return True


def _end_offer(current: Registration, status: str, verb: str, now: datetime.datetime) -> Registration | None:
    """In the caller's transaction, the offer locked: it ends as `status` and its seat goes on to the
    next of the waitlist, who is returned (to be told after the commit), or None."""
    current.status, current.offer_expires_at, current.position = status, None, None
    current.save()
    record_action(current, verb)
    return seats.pass_seat(current.session, now)


def waitlist(session: Session) -> list[Registration]:
    """The session's waitlist in order (what positions mean)."""
    return list(seats.waitlist(session.pk).select_related("person"))


def reorder(registration: Registration, position: int, *, by, reason: str) -> Registration:
    """An official moves someone within the waitlist; the reason is required and logged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("调整候补顺序须填写原因"), code="reason")
    with transaction.atomic():
        seats.lock_session(registration.session_id)
        current = _locked(registration)
        if current.status != S.WAITLISTED:
            raise _status_error(current, _("调整候补顺序"))
        queue = list(seats.waitlist(current.session_id).values_list("pk", "position"))
        ids = [pk for pk, _pos in queue]
        old = ids.index(current.pk) + 1
        new = max(1, min(int(position), len(ids)))
        ids.remove(current.pk)
        ids.insert(new - 1, current.pk)
        stored = dict(queue)
        for rank, pk in enumerate(ids, start=1):
            if stored[pk] != rank:
                Registration.objects.filter(pk=pk).update(position=rank)
        current.refresh_from_db()
        record_action(current, "reordered", reason, {"position": [old, new]})
    return _refresh(registration, current)


def move(registration: Registration, to_session: Session, *, by, reason: str = "") -> Registration:
    """Move a registration to another session of the same program; seat rules apply in the target."""
    now = timezone.now()
    if to_session.program_id != registration.program_id:
        raise ValidationError(_("只能在同一活动的场次之间调整"), code="program")
    if to_session.pk == registration.session_id:
        raise ValidationError(_("已在该场次，无需调整"), code="same")
    offered = None
    try:
        with transaction.atomic():
            current = _locked(registration)
            source = current.session
            if current.status in (S.CONFIRMED, S.OFFERED):
                if not seats.take_seat(to_session.pk):
                    raise ValidationError(_("目标场次名额已满，不能调入（可先调高该场次名额）"), code="full")
                offered = seats.pass_seat(source, now)
            elif current.status == S.WAITLISTED:
                if current.program.mode == SignUpMode.FIRST_COME and seats.take_seat(to_session.pk):
                    current.status, current.position = S.CONFIRMED, None
                    current.ticket_code = current.ticket_code or seats.new_ticket_code()
                else:
                    current.position = seats.next_position(to_session.pk)
            elif current.status != S.ENTERED:
                raise _status_error(current, _("调整场次"))
            current.session = to_session
            current.holder = seats.holder_for(current.program, to_session)
            current.save()
            record_action(current, "moved", (reason or "").strip(), {"session": [source.pk, to_session.pk]})
    except IntegrityError:
        raise ValidationError(_("该职工已报名目标场次"), code="already") from None
    notices.send(current, "moved")
    if offered is not None:
        notices.send(offered, "offered")
    return _refresh(registration, current)


def set_capacity(session: Session, capacity: int, *, by) -> Session:
    """Raise or lower the capacity, never below the seats taken; new seats go to the waitlist as offers."""
    now = timezone.now()
    capacity = int(capacity)
    if capacity < 0:
        raise ValidationError(_("名额不能为负数"), code="capacity")
    if capacity > MAX_CAPACITY:
        raise ValidationError(_("名额不能超过 %(n)s") % {"n": MAX_CAPACITY}, code="capacity")
    with transaction.atomic():
        current = seats.lock_session(session.pk)
        if capacity < current.seated:
            raise ValidationError(
                _("名额不能少于已占名额（已确认、待确认递补和已签到共 %(n)s 人）") % {"n": current.seated},
                code="capacity",
            )
        old = current.capacity
        if not Session.objects.filter(pk=current.pk, seated__lte=capacity).update(capacity=capacity):
            raise ValidationError(_("名额不能少于已占名额"), code="capacity")
        current.refresh_from_db()
        record_action(current, "capacity_changed", data={"capacity": [old, capacity]})
        offered = seats.fill(current, now) if capacity > old else []
    for registration in offered:
        notices.send(registration, "offered")
    current.refresh_from_db()
    session.refresh_from_db()
    return current


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Remind everyone confirmed for a session starting within the next day, once (reminded_at)."""
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=S.CONFIRMED,
        reminded_at__isnull=True,
        session__starts_at__gt=now,
        session__starts_at__lte=now + datetime.timedelta(days=1),
    ).select_related("program", "session", "person", "person__user")
    sent = 0
    for registration in due.iterator(chunk_size=200):
        # Claim it first: two ticks running at once never remind twice.
        if Registration.objects.filter(pk=registration.pk, reminded_at__isnull=True).update(reminded_at=now):
            notices.send(registration, "reminder")
            sent += 1
    return sent
