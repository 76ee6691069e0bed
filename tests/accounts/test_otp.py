"""Workers' one-time codes: 6 digits, stored hashed, expiring, limited in tries, per number and per IP."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts import services
from accounts.models import OneTimeCode
from core import pii
from core.models import Notification
from core.notify import MemorySmsBackend

PHONE = "13800138000"
IP = "10.1.2.3"


@pytest.fixture(autouse=True)
def outbox(db):
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def sent_code(outbox) -> str:
    _phone, text = outbox[-1]
    return re.fullmatch(r"【娘家】验证码 (\d{6})，5分钟内有效。如非本人操作请忽略。", text).group(1)


def test_a_code_is_sent_through_notify_and_stored_hashed(outbox):
    services.issue_code("+86 138-0013-8000", IP)
    assert [phone for phone, _text in outbox] == [PHONE]
    code = sent_code(outbox)
    row = OneTimeCode.objects.get()
    assert row.phone_hash == pii.lookup_hash("phone", PHONE)
    assert row.ip_hash == pii.lookup_hash("ip", IP)
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert abs((row.expires_at - row.created_at).total_seconds() - settings.OTP_TTL_SECONDS) < 1
    logged = Notification.objects.get()
    assert (logged.channel, logged.kind, logged.phone_mask) == ("sms", "otp", "138****8000")
    assert logged.body == "【娘家】验证码 ******，5分钟内有效。如非本人操作请忽略。"
    assert logged.phone_hash == row.phone_hash


def test_a_code_works_once(outbox):
    services.issue_code(PHONE, IP)
    code = sent_code(outbox)
    assert services.verify_code("138 0013 8000", code) is True
    assert services.verify_code(PHONE, code) is False
    assert OneTimeCode.objects.get().used_at is not None


def test_an_expired_code_is_refused(outbox):
    services.issue_code(PHONE, IP)
    code = sent_code(outbox)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.verify_code(PHONE, code) is False
    assert OneTimeCode.objects.get().used_at is None


def test_only_the_latest_code_counts(outbox):
    services.issue_code(PHONE, IP)
    first = sent_code(outbox)
    services.issue_code(PHONE, IP)
    second = sent_code(outbox)
    if first != second:
        assert services.verify_code(PHONE, first) is False
    assert services.verify_code(PHONE, second) is True


def test_too_many_wrong_tries_burn_the_code(outbox):
    services.issue_code(PHONE, IP)
    code = sent_code(outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(settings.OTP_MAX_ATTEMPTS):
        assert services.verify_code(PHONE, wrong) is False
    assert OneTimeCode.objects.get().attempts == settings.OTP_MAX_ATTEMPTS
    assert services.verify_code(PHONE, code) is False  # even the right one now
    assert OneTimeCode.objects.get().used_at is None


def test_codes_per_number_per_hour(outbox):
    for n in range(settings.OTP_MAX_PER_PHONE_PER_HOUR):
        services.issue_code(PHONE, f"10.0.0.{n}")
    with pytest.raises(services.RateLimited) as caught:
        services.issue_code(PHONE, "10.9.9.9")
    assert str(caught.value) == "该手机号获取验证码过于频繁，请一小时后再试"
    assert OneTimeCode.objects.count() == len(outbox) == Notification.objects.count() == 5
    # Another number is not affected; an hour later this one is free again.
    services.issue_code("13900139000", "10.9.9.9")
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    services.issue_code(PHONE, "10.9.9.9")
    assert len(outbox) == 7


def test_codes_per_address_per_hour(outbox):
    for n in range(settings.OTP_MAX_PER_IP_PER_HOUR):
        services.issue_code(f"139{n:08d}", IP)
    with pytest.raises(services.RateLimited) as caught:
        services.issue_code(PHONE, IP)
    assert str(caught.value) == "当前网络获取验证码过于频繁，请稍后再试"
    assert OneTimeCode.objects.count() == len(outbox) == 20
    services.issue_code(PHONE, "10.1.2.4")  # another address
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    services.issue_code("13700137000", IP)
    assert len(outbox) == 22
