"""Sign-in rules: workers' one-time codes (hashed, expiring, rate-limited) and officials' roles."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import locks, notify, pii
from core.history import record_action

from .models import OneTimeCode, Role, User


class RateLimited(Exception):
    """Too many codes asked for this number or from this address."""


def _code_hash(phone_hash: str, code: str) -> str:
    return pii.lookup_hash("otp", f"{phone_hash}:{code}")


def issue_code(raw_phone: str, ip: str) -> None:
    """Send a 6-digit code; limits per number and per IP address count the last hour."""
    phone = pii.normalise_phone(raw_phone)
    phone_hash = pii.lookup_hash("phone", phone)
    ip_hash = pii.lookup_hash("ip", ip or "")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # Counted and written as one step per number and per address: simultaneous requests all
        # counted the same rows and all passed (a burst could send a number any count of texts).
        locks.hold(f"otp-phone:{phone_hash}", f"otp-ip:{ip_hash}")
        recent = OneTimeCode.objects.filter(created_at__gte=timezone.now() - timedelta(hours=1))
        if recent.filter(phone_hash=phone_hash).count() >= settings.OTP_MAX_PER_PHONE_PER_HOUR:
            raise RateLimited(_("该手机号获取验证码过于频繁，请一小时后再试"))
        if recent.filter(ip_hash=ip_hash).count() >= settings.OTP_MAX_PER_IP_PER_HOUR:
            raise RateLimited(_("当前网络获取验证码过于频繁，请稍后再试"))
        OneTimeCode.objects.create(
            phone_hash=phone_hash,
            ip_hash=ip_hash,
            code_hash=_code_hash(phone_hash, code),
            expires_at=timezone.now() + timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
    # Sent after the commit: the gateway's time is not spent holding the locks.
    minutes = settings.OTP_TTL_SECONDS // 60
    text = _("【娘家】验证码 %(code)s，%(minutes)d分钟内有效。如非本人操作请忽略。") % {
        "code": code,
        "minutes": minutes,
    }
    notify.send_sms(phone, text, kind="otp", logged_text=text.replace(code, "******"))


@transaction.atomic
def verify_code(raw_phone: str, code: str) -> bool:
    """True once for a correct, unexpired code; wrong tries count against the latest code."""
    phone = pii.normalise_phone(raw_phone)
    phone_hash = pii.lookup_hash("phone", phone)
    latest = (
        OneTimeCode.objects.select_for_update()
        .filter(phone_hash=phone_hash, used_at=None, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if latest is None or latest.attempts >= settings.OTP_MAX_ATTEMPTS:
        return False
    if not secrets.compare_digest(latest.code_hash, _code_hash(phone_hash, (code or "").strip())):
        latest.attempts += 1
        latest.save(update_fields=["attempts"])
        return False
    latest.used_at = timezone.now()
    latest.save(update_fields=["used_at"])
    return True


def validate_new_password(password: str, user: User | None = None) -> None:
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)


@transaction.atomic
def create_official(username: str, display_name: str, password: str, union, kind: str) -> Role:
    """A new official account with its first role; the password must pass the validators (≥ 12 chars)."""
    user = User(username=username, display_name=display_name)
    validate_new_password(password, user)
    user.set_password(password)
    user.save()
    return grant_role(user, union, kind)


def official_candidates(by: User):
    """Accounts `by` may grant a role to: officials already holding a role where `by` may grant roles."""
    officials = User.objects.filter(is_active=True, is_worker=False)
    if by.is_superuser:
        return officials
    return officials.filter(roles__in=Role.objects.restrict(by, "add")).distinct()


@transaction.atomic
def grant_role(user: User, union, kind: str) -> Role:
    role, created = Role.objects.get_or_create(user=user, union=union, kind=kind, defaults={"active": True})
    if not created and not role.active:
        role.active = True
        role.save(update_fields=["active", "updated_at"])
    record_action(role, "granted")
    user.forget_roles()
    return role


@transaction.atomic
def revoke_role(role: Role) -> Role:
    role.active = False
    role.save(update_fields=["active", "updated_at"])
    record_action(role, "revoked")
    role.user.forget_roles()
    return role
