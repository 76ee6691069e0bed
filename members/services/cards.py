"""Member cards: the card number, and the signed QR code that keepers and event staff check offline.

The code is `django.core.signing` output (HMAC-SHA256 with settings.SIGNING_KEY, its own salt), so it
cannot be guessed or forged and verifies without a database call. Revocation is by short life: a code
is valid for settings.MEMBER_CARD_TTL_DAYS, and the H5 card page signs a fresh one each time the
worker opens it, only while the membership is active. A checker online may also ask `current_status`.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import MembershipStatus
from ..models import Membership

CARD_SALT = "niangjia.members.card"
# The card-number form: 6-digit region code of the union, year of joining, 7-digit sequence (17 chars).
CARD_SEQUENCE_DIGITS = 7


def card_number_prefix(union, day: datetime.date) -> str:
    region = (union.region_id or "")[:6].ljust(6, "0")
    return f"{region}{day.year:04d}"


def card_number_range(prefix: str) -> tuple[str, str]:
    """The first and last card number of a prefix (region and year), for an indexed range query."""
    return prefix + "0" * CARD_SEQUENCE_DIGITS, prefix + "9" * CARD_SEQUENCE_DIGITS


def next_card_number(union, day: datetime.date | None = None) -> str:
    """The next free number of the union's region and year: region code + year + sequence, unique."""
    prefix = card_number_prefix(union, day or timezone.localdate())
    width = len(prefix) + CARD_SEQUENCE_DIGITS
    last = (
        Membership.objects.filter(card_number__range=card_number_range(prefix))
        .order_by("-card_number")
        .values_list("card_number", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last and len(last) == width and last.isdigit() else 1
    return f"{prefix}{number:0{CARD_SEQUENCE_DIGITS}d}"


def create_membership(person, union, channel: str, day: datetime.date | None = None) -> Membership:
    """A new active membership with a fresh card number; two writers racing for a number retry."""
    for _attempt in range(5):
        membership = Membership(
            person=person,
            union=union,
            channel=channel,
            card_number=next_card_number(union, day),
            joined_on=day or timezone.localdate(),
        )
        try:
            with transaction.atomic():
                membership.save()
            return membership
        except IntegrityError:
            if Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE).exists():
                raise
    raise IntegrityError("could not allocate a card number")


@dataclass(frozen=True)
class CardCheck:
    """What a scan tells: valid or why not, and what the card shows (never the full name or ID)."""

    valid: bool
    reason: str = ""
    card_number: str = ""
    masked_name: str = ""
    union_id: int | None = None
    union_name: str = ""
    issued_on: str = ""
    expires_on: str = ""


def sign_card(membership: Membership, now: datetime.datetime | None = None) -> str:
    """A compact signed code for the card's QR; only for an active membership."""
    if membership.status != MembershipStatus.ACTIVE:
        raise ValueError("only an active membership has a card")
    now = now or timezone.now()
    expires = timezone.localdate(now) + datetime.timedelta(days=settings.MEMBER_CARD_TTL_DAYS)
    payload = {
        "n": membership.card_number,
        "m": membership.person.masked_name,
        "u": membership.union_id,
        "un": membership.union.short_name or membership.union.name,
        "i": timezone.localdate(now).isoformat(),
        "e": expires.isoformat(),
    }
    return signing.dumps(payload, key=settings.SIGNING_KEY, salt=CARD_SALT, compress=True)


def verify_card(token: str, today: datetime.date | None = None) -> CardCheck:
    """Check a scanned code with the key alone: no database call, so it works with the network down."""
    token = (token or "").strip()
    if not token or len(token) > 1000:
        return CardCheck(False, _("不是会员卡二维码"))
    try:
        payload = signing.loads(token, key=settings.SIGNING_KEY, salt=CARD_SALT)
    except signing.BadSignature:
        return CardCheck(False, _("签名无效：此码不是本系统签发的会员卡，或已被改动"))
    try:
        expires = datetime.date.fromisoformat(payload["e"])
        check = CardCheck(
            True,
            card_number=str(payload["n"]),
            masked_name=str(payload["m"]),
            union_id=int(payload["u"]),
            union_name=str(payload["un"]),
            issued_on=str(payload["i"]),
            expires_on=expires.isoformat(),
        )
    except (KeyError, TypeError, ValueError):
        return CardCheck(False, _("不是会员卡二维码"))
    if (today or timezone.localdate()) > expires:
        return CardCheck(
            **{**check.__dict__, "valid": False, "reason": _("已过期：请职工重新打开电子会员卡")}
        )
    return check


def current_status(check: CardCheck) -> str | None:
    """The membership's status now (one query), for a checker online; None when the card is unknown."""
    if not check.card_number:
        return None
    return Membership.objects.filter(card_number=check.card_number).values_list("status", flat=True).first()
