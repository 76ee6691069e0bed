"""Member cards: signed QR codes that verify without the database, refuse forgeries and expire."""

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from members.services import cards

from .. import factories


@pytest.fixture
def membership(tree):
    return factories.member(tree["site_a"], "王小明").memberships.get()


def test_sign_and_verify_without_the_database(membership, django_assert_num_queries):
    token = cards.sign_card(membership)
    with django_assert_num_queries(0):
        check = cards.verify_card(token)
    today = timezone.localdate()
    assert check == cards.CardCheck(
        valid=True,
        card_number=membership.card_number,
        masked_name="王**",
        union_id=membership.union_id,
        union_name="饿了么柯桥站工会",
        issued_on=today.isoformat(),
        expires_on=(today + datetime.timedelta(days=30)).isoformat(),
    )
    assert len(token) < 200  # fits a small QR code
    assert membership.person.decrypted("id_number") not in token


def test_forged_and_altered_codes_are_refused(membership, settings, django_assert_num_queries):
    token = cards.sign_card(membership)
    payload = signing.loads(token, key=settings.SIGNING_KEY, salt=cards.CARD_SALT)
    forged = signing.dumps(payload | {"n": "330603202600000099"}, key="not-our-key", salt=cards.CARD_SALT)
    body, signature = token.rsplit(":", 1)
    altered = f"{body}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    other_salt = signing.dumps(payload, key=settings.SIGNING_KEY, salt="niangjia.other")
    bad = "签名无效：此码不是本系统签发的会员卡，或已被改动"
    with django_assert_num_queries(0):
        for code in (forged, altered, other_salt):
            assert cards.verify_card(code) == cards.CardCheck(False, bad)
        assert cards.verify_card("") == cards.CardCheck(False, "不是会员卡二维码")
        assert cards.verify_card("x" * 5000) == cards.CardCheck(False, "不是会员卡二维码")
        not_a_card = signing.dumps({"hello": 1}, key=settings.SIGNING_KEY, salt=cards.CARD_SALT)
        assert cards.verify_card(not_a_card) == cards.CardCheck(False, "不是会员卡二维码")


def test_codes_expire(membership, settings):
    settings.MEMBER_CARD_TTL_DAYS = 7
    issued = timezone.now() - datetime.timedelta(days=8)
    check = cards.verify_card(cards.sign_card(membership, now=issued))
    assert (check.valid, check.reason, check.card_number) == (
        False,
        "已过期：请职工重新打开电子会员卡",
        membership.card_number,
    )
    fresh = cards.sign_card(membership, now=timezone.now() - datetime.timedelta(days=6))
    assert cards.verify_card(fresh).valid is True


def test_only_active_memberships_get_a_code_and_status_is_one_query(membership, django_assert_num_queries):
    check = cards.verify_card(cards.sign_card(membership))
    membership.status = "left"
    membership.save()
    with pytest.raises(ValueError):
        cards.sign_card(membership)
    with django_assert_num_queries(1):
        assert cards.current_status(check) == "left"


def test_card_number_format(tree):
    day = datetime.date(2026, 5, 1)
    assert cards.next_card_number(tree["site_a"], day) == "33060320260000001"
    person = factories.member(tree["site_b"])
    person.memberships.update(status="left")
    made = cards.create_membership(person, tree["site_b"], "on_site", day)
    assert (made.card_number, made.joined_on) == ("33060320260000001", day)
    assert cards.next_card_number(tree["site_a"], day) == "33060320260000002"
