"""Tickets and check-in: a signed QR per confirmed registration, a typed code, or the member card.

The QR carries `django.core.signing` output (HMAC-SHA256 with settings.SIGNING_KEY and the tickets' own
salt, so a member-card code is never taken for a ticket or the other way round). Check-in is one
conditional UPDATE on `checked_in_at IS NULL`: two scanners racing for one ticket check in once.
"""

import functools
import re

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import record_action
from members.models import Membership
from members.services import cards

from ..choices import RegistrationStatus
from ..models import Registration, Session
from . import seats

TICKET_SALT = "niangjia.programs.ticket"
_CODE = re.compile(r"^[0-9A-Z]{6,12}$")
# What django.core.signing output looks like: base64 payload, then ":"-separated base64 parts.
_SIGNED = re.compile(r"^[A-Za-z0-9_\-.]+(:[A-Za-z0-9_\-]+)+$")


def ticket_token(registration: Registration) -> str:
    """The signed code of the ticket's QR (only for a registration that has a ticket)."""
    if not registration.ticket_code:
        raise ValueError("only a confirmed registration has a ticket")
    return _signer(settings.SIGNING_KEY).sign_object({"r": registration.pk, "c": registration.ticket_code})


@functools.lru_cache(maxsize=4)
def _signer(key: str) -> signing.TimestampSigner:
    # signing.dumps builds a signer per call (half its time) and tries to compress a payload of ~30
    # bytes that never gets shorter; what this signs reads back with signing.loads all the same.
    return signing.TimestampSigner(key=key, salt=TICKET_SALT)


def read_ticket(token: str) -> dict | None:
    try:
        payload = signing.loads(token, key=settings.SIGNING_KEY, salt=TICKET_SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(payload, dict) and type(payload.get("r")) is int and type(payload.get("c")) is str):
        return None  # signed with our key but not a ticket's shape (never issued): unreadable
    return payload


def _when(value) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def find(code: str, session: Session) -> Registration:
    """The registration a scanned or typed code stands for (ticket QR, ticket code, member card)."""
    code = (code or "").strip()
    if not code:
        raise ValidationError(_("请扫描二维码或输入票号"), code="empty")
    if len(code) > 1000:
        raise ValidationError(_("无法识别的二维码"), code="unknown")
    related = Registration.objects.select_related("session", "program", "person")
    typed = re.sub(r"[\s-]", "", code).upper()
    if _CODE.match(typed):
        registration = related.filter(ticket_code=typed).first()
        if registration is None:
            raise ValidationError(_("票号不存在，请核对后重新输入"), code="unknown")
        return registration
    ticket = read_ticket(code)
    if ticket is not None:
        registration = related.filter(pk=ticket["r"], ticket_code=ticket["c"]).first()
        if registration is None:
            raise ValidationError(_("此票已作废（报名已取消或已调整）"), code="void")
        return registration
    card = cards.verify_card(code)
    if card.valid:
        person_id = (
            Membership.objects.filter(card_number=card.card_number)
            .values_list("person_id", flat=True)
            .first()
        )
        registration = (
            related.filter(
                session=session,
                person_id=person_id,
                status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED),
            ).first()
            if person_id
            else None
        )
        if registration is None:
            raise ValidationError(
                _("会员 %(name)s 没有本场次的有效报名") % {"name": card.masked_name}, code="not_registered"
            )
        return registration
    if card.card_number:  # a genuine card that fails (expired): say why
        raise ValidationError(card.reason, code="card")
    if _SIGNED.match(code):  # signed (ticket or card) but by another key, or altered
        raise ValidationError(_("签名无效：此码不是本系统签发的活动票或会员卡，或已被改动"), code="forged")
    raise ValidationError(_("无法识别的二维码或票号"), code="unknown")


def check_in(code: str, *, by, session: Session) -> Registration:
    """Check in at this session; a second check-in or another session's ticket is refused."""
    registration = find(code, session)
    if registration.session_id != session.pk:
        raise ValidationError(
            _("此票属于“%(other)s”，不是本场次") % {"other": registration.session}, code="wrong_session"
        )
    if registration.status == RegistrationStatus.ATTENDED:
        raise ValidationError(
            _("已于 %(when)s 签到，不能重复签到") % {"when": _when(registration.checked_in_at)}, code="twice"
        )
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(
            _("该报名当前为“%(status)s”，不能签到") % {"status": registration.get_status_display()},
            code="status",
        )
    now = timezone.now()
    with transaction.atomic():
        done = Registration.objects.filter(
            pk=registration.pk, status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=True
        ).update(status=RegistrationStatus.ATTENDED, checked_in_at=now, checked_in_by=by, updated_at=now)
        if not done:
            registration.refresh_from_db()
            raise ValidationError(
                _("已于 %(when)s 签到，不能重复签到") % {"when": _when(registration.checked_in_at or now)},
                code="twice",
            )
        registration.status, registration.checked_in_at, registration.checked_in_by = (
            RegistrationStatus.ATTENDED,
            now,
            by,
        )
        record_action(registration, "checked_in")
    return registration


def mark_no_shows(session: Session, now=None) -> int:
    """After the session: confirmed but not checked in become no-shows; their seats are given back."""
    now = now or timezone.now()
    if session.ends_at > now:
        raise ValidationError(_("场次结束后才能登记未到场"), code="not_ended")
    with transaction.atomic():
        seats.lock_session(session.pk)
        missed = Registration.objects.filter(session=session, status=RegistrationStatus.CONFIRMED).update(
            status=RegistrationStatus.NO_SHOW, updated_at=now
        )
        lapsed = Registration.objects.filter(session=session, status=RegistrationStatus.OFFERED).update(
            status=RegistrationStatus.EXPIRED, offer_expires_at=None, updated_at=now
        )
        seats.release_seats(session.pk, missed + lapsed)
        record_action(session, "no_shows_marked", data={"no_show": missed, "offers_expired": lapsed})
    session.refresh_from_db()
    return missed
