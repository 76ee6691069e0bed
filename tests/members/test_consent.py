"""Consent records purpose, notice version, time and channel; withdrawal is one step, like giving."""

import pytest
from django.utils import timezone

from core.models import HistoryEntry
from members import services
from members.models import Consent

from .. import factories


@pytest.fixture
def person(tree):
    return factories.member(tree["site_a"], "李师傅")


def test_giving_records_purpose_version_time_and_channel(person):
    before = timezone.now()
    consent = services.give_consent(person, "membership", "paper")
    assert (consent.purpose, consent.text_version, consent.channel) == ("membership", "2026-11", "paper")
    assert before <= consent.given_at <= timezone.now()
    assert consent.withdrawn_at is None
    assert services.has_consent(person, "membership")
    action = HistoryEntry.objects.for_object(person).get(verb="consent_given")
    assert (action.note, action.changes) == ("入会与会籍管理", {"version": "2026-11"})
    # The same notice again is the same consent.
    assert services.give_consent(person, "membership", "h5") == consent
    assert Consent.objects.count() == 1


def test_a_new_notice_version_replaces_the_consent(person):
    old = services.give_consent(person, "services", version="2026-01")
    new = services.give_consent(person, "services", version="2026-11")
    old.refresh_from_db()
    assert old.withdrawn_at is not None and new.withdrawn_at is None
    assert list(Consent.objects.filter(withdrawn_at=None).values_list("text_version", flat=True)) == [
        "2026-11"
    ]


def test_withdrawing(person):
    consent = services.give_consent(person, "notifications")
    services.withdraw_consent(consent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert not services.has_consent(person, "notifications")
    withdrawn_at = consent.withdrawn_at
    services.withdraw_consent(consent)  # again: nothing changes
    consent.refresh_from_db()
    assert consent.withdrawn_at == withdrawn_at
    assert HistoryEntry.objects.for_object(person).filter(verb="consent_withdrawn").count() == 1
    # Given again after withdrawal: a new record, the old one stays as it was.
    again = services.give_consent(person, "notifications")
    assert again.pk != consent.pk and Consent.objects.filter(person=person).count() == 2


def test_the_console_shows_consents(tree, login, person):
    services.give_consent(person, "membership", "paper")
    services.withdraw_consent(services.give_consent(person, "notifications", "h5"))
    html = login(factories.official("o", "organisation", tree["town_a"])).get(f"/console/people/{person.pk}/")
    html = html.content.decode()
    assert "<td>入会与会籍管理</td><td>2026-11</td><td>纸质签字</td>" in html
    assert "<td>服务消息通知</td><td>2026-11</td><td>手机页面</td>" in html
