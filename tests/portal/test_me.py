""" "我的": consents can be given and withdrawn with one button each."""

import pytest
from django.test import Client

from members import services
from members.models import Consent

from .. import factories


@pytest.fixture
def worker(tree):
    person = factories.member(tree["site_a"], "李师傅")
    person = services.worker_for_phone(person.decrypted("phone"))
    services.give_consent(person, "account")
    return person


def test_me_lists_every_purpose_with_its_button(worker, login):
    html = login(worker.user).get("/me/").content.decode()
    account = Consent.objects.get(purpose="account")
    assert f'action="/me/consents/{account.pk}/withdraw/"' in html
    for purpose in ("membership", "services", "notifications"):
        assert f'action="/me/consents/give/{purpose}/"' in html
    assert "/me/consents/give/account/" not in html


def test_give_and_withdraw(worker, login):
    client = login(worker.user)
    assert client.post("/me/consents/give/notifications/")["Location"] == "/me/"
    consent = Consent.objects.get(purpose="notifications")
    assert (consent.channel, consent.text_version, consent.withdrawn_at) == ("h5", "2026-11", None)

    assert client.post(f"/me/consents/{consent.pk}/withdraw/")["Location"] == "/me/"
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    html = client.get("/me/").content.decode()
    assert 'action="/me/consents/give/notifications/"' in html  # can give again, one click


@pytest.mark.parametrize("purpose", ["account", "nonsense"])
def test_account_consent_is_given_only_at_sign_in(worker, login, purpose):
    assert login(worker.user).post(f"/me/consents/give/{purpose}/").status_code == 404
    assert Consent.objects.count() == 1


def test_withdrawing_the_account_consent_signs_out_everywhere(worker, login):
    phone_a, phone_b = login(worker.user), login(worker.user)
    account = Consent.objects.get(purpose="account")
    response = phone_a.post(f"/me/consents/{account.pk}/withdraw/")
    assert response["Location"] == "/"
    assert phone_a.get("/me/")["Location"] == "/login/?next=/me/"
    assert phone_b.get("/me/")["Location"] == "/login/?next=/me/"
    account.refresh_from_db()
    assert account.withdrawn_at is not None


def test_a_worker_cannot_touch_another_workers_consent(tree, worker, login):
    other = services.worker_for_phone(factories.phone())
    assert login(other.user).post(f"/me/consents/{worker.consents.get().pk}/withdraw/").status_code == 404
    assert worker.consents.get().withdrawn_at is None
    assert Client().post(f"/me/consents/{worker.consents.get().pk}/withdraw/").status_code == 302
    assert worker.consents.get().withdrawn_at is None
