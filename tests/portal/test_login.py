"""Worker sign-in on the H5: phone, code, consent; rate limits and errors shown on the page."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import OneTimeCode
from core import pii
from core.notify import MemorySmsBackend
from members.models import Consent, Person

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def outbox(db):
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def last_code(outbox) -> str:
    return re.search(r"验证码 (\d{6})", outbox[-1][1]).group(1)


def test_a_worker_signs_in_with_a_code(outbox):
    client = Client()
    assert client.get("/login/").status_code == 200
    page = client.post("/login/", {"phone": "+86 138 0013 8000"})
    assert page.status_code == 200
    assert f'name="phone" value="{PHONE}"' in page.content.decode()
    response = client.post("/login/", {"phone": PHONE, "code": last_code(outbox), "consent": "on"})
    assert (response.status_code, response["Location"]) == (302, "/me/")

    person = Person.objects.get()
    assert person.user.is_worker and not person.user.has_usable_password()
    consent = Consent.objects.get()
    assert (consent.person, consent.purpose, consent.channel, consent.text_version) == (
        person,
        "account",
        "h5",
        "2026-11",
    )
    me = client.get("/me/").content.decode()
    assert "138****8000" in me and PHONE not in me
    # A worker stays signed in on the phone for WORKER_SESSION_DAYS.
    expire = Session.objects.get(session_key=client.session.session_key).expire_date
    assert abs(expire - (timezone.now() + timedelta(days=settings.WORKER_SESSION_DAYS))) < timedelta(
        seconds=5
    )

    # Signing in again finds the same person.
    other = Client()
    other.post("/login/", {"phone": PHONE})
    other.post("/login/", {"phone": PHONE, "code": last_code(outbox), "consent": "on"})
    assert Person.objects.count() == 1 and "_auth_user_id" in other.session


def test_wrong_or_expired_code(outbox):
    client = Client()
    client.post("/login/", {"phone": PHONE})
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post("/login/", {"phone": PHONE, "code": wrong, "consent": "on"})
    assert response.context["code_form"].errors == {"code": ["验证码不正确或已过期"]}
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/login/", {"phone": PHONE, "code": code, "consent": "on"})
    assert response.context["code_form"].errors == {"code": ["验证码不正确或已过期"]}
    assert not Person.objects.exists() and "_auth_user_id" not in client.session


def test_consent_and_a_six_digit_code_are_required(outbox):
    client = Client()
    client.post("/login/", {"phone": PHONE})
    code = last_code(outbox)
    response = client.post("/login/", {"phone": PHONE, "code": code})
    assert response.context["code_form"].errors == {"consent": ["需要同意个人信息保护告知书才能登录"]}
    response = client.post("/login/", {"phone": PHONE, "code": "12345", "consent": "on"})
    assert response.context["code_form"].errors == {"code": ["验证码为6位数字"]}
    # The code was not used up by the refused forms.
    response = client.post("/login/", {"phone": PHONE, "code": code, "consent": "on"})
    assert response.status_code == 302


def test_a_tampered_phone_at_the_code_step_is_said(outbox):
    client = Client()
    client.post("/login/", {"phone": PHONE})
    code = last_code(outbox)
    response = client.post("/login/", {"phone": "12345", "code": code, "consent": "on"})
    assert "手机号有误，请返回上一步重新获取验证码" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # full-width digits are refused by the format, without using up the code
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post("/login/", {"phone": PHONE, "code": full_width, "consent": "on"})
    assert response.context["code_form"].errors == {"code": ["验证码为6位数字"]}
    assert client.post("/login/", {"phone": PHONE, "code": code, "consent": "on"}).status_code == 302


def test_a_bad_number_is_explained(db):
    response = Client().post("/login/", {"phone": "12345"})
    assert response.context["phone_form"].errors == {"phone": ["请输入11位中国大陆手机号"]}
    assert not OneTimeCode.objects.exists()


def test_rate_limits_show_on_the_page(outbox):
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(settings.OTP_MAX_PER_PHONE_PER_HOUR):
        client.post("/login/", {"phone": PHONE})
    response = client.post("/login/", {"phone": PHONE})
    assert response.context["phone_form"].errors == {"phone": ["该手机号获取验证码过于频繁，请一小时后再试"]}
    assert response.context["code_form"] is None
    assert len(outbox) == settings.OTP_MAX_PER_PHONE_PER_HOUR

    crowd = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(settings.OTP_MAX_PER_IP_PER_HOUR):
        crowd.post("/login/", {"phone": f"139{n:08d}"})
    response = crowd.post("/login/", {"phone": "13700137000"})
    assert response.context["phone_form"].errors == {"phone": ["当前网络获取验证码过于频繁，请稍后再试"]}


@pytest.mark.parametrize(
    ("target", "landing"), [("/privacy/", "/privacy/"), ("https://evil.example/", "/me/")]
)
def test_next_only_leads_inside_the_site(outbox, target, landing):
    client = Client()
    client.post("/login/", {"phone": PHONE})
    response = client.post(
        f"/login/?next={target}", {"phone": PHONE, "code": last_code(outbox), "consent": "on"}
    )
    assert response["Location"] == landing


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_appended(settings, outbox):
    settings.BEHIND_PROXY = True
    client = Client(REMOTE_ADDR="127.0.0.1")
    # The first entry is whatever the client claimed; the last is what our proxy saw.
    client.post("/login/", {"phone": PHONE}, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")
    client.post("/login/", {"phone": "13900139000"}, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert list(OneTimeCode.objects.order_by("pk").values_list("ip_hash", flat=True)) == [
        pii.lookup_hash("ip", "203.0.113.7"),
        pii.lookup_hash("ip", "198.51.100.2"),
    ]
    settings.BEHIND_PROXY = False
    client.post("/login/", {"phone": "13700137000"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert OneTimeCode.objects.order_by("pk").last().ip_hash == pii.lookup_hash("ip", "127.0.0.1")
