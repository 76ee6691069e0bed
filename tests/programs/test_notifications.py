"""Notifications: confirmation, waitlist, offer with deadline, reminder, cancellation; logged per person."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import Notification
from core.notify import MemorySmsBackend
from programs.models import Registration
from programs.services import registrations as engine

from . import engine as make


@pytest.fixture(autouse=True)
def outbox():
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def kinds(person) -> list[str]:
    return list(
        Notification.objects.filter(user=person.user, channel="site")
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_each_step_tells_the_person_by_sms_and_site_message(site, outbox):
    session = make.session(make.program(site, title="插花课", offer_hours=6), capacity=1)
    first, second = make.worker(site, "甲"), make.worker(site, "乙")
    mine = engine.sign_up(session, first)
    engine.sign_up(session, second)
    engine.cancel(mine)
    assert kinds(first) == ["programs.confirmed", "programs.cancelled"]
    assert kinds(second) == ["programs.waitlisted", "programs.offered"]
    offer = Notification.objects.filter(user=second.user, kind="programs.offered", channel="site").get()
    deadline = timezone.localtime(Registration.objects.get(person=second).offer_expires_at)
    assert deadline.strftime("%m月%d日 %H:%M") in offer.body and "插花课" in offer.body
    # The SMS went to the person's own phone; the log keeps only its hash and mask.
    phones = [phone for phone, _text in outbox]
    assert phones.count(first.decrypted("phone")) == 2 and phones.count(second.decrypted("phone")) == 2
    sms = Notification.objects.filter(channel="sms", user=first.user).first()
    assert sms.phone_mask == first.phone_mask and first.decrypted("phone") not in sms.body
    confirmed = Notification.objects.get(user=first.user, kind="programs.confirmed", channel="sms")
    assert mine.ticket_code in confirmed.body


def test_a_refused_sign_up_sends_nothing(site, outbox):
    session = make.session(make.program(site, gender="female"))
    man = make.worker(site)
    with pytest.raises(Exception, match="女性"):
        engine.sign_up(session, man)
    assert outbox == [] and not Notification.objects.exists()


def test_reminders_the_day_before_once(site, outbox):
    prog = make.program(site)
    tomorrow, later = make.session(prog, days=0.9), make.session(prog, days=5)
    someone, other = make.worker(site, "甲"), make.worker(site, "乙")
    engine.sign_up(tomorrow, someone)
    engine.sign_up(later, other)
    outbox.clear()
    assert engine.send_reminders() == 1
    assert engine.send_reminders() == 0  # idempotent through reminded_at
    assert kinds(someone)[-1] == "programs.reminder" and "programs.reminder" not in kinds(other)
    assert len(outbox) == 1 and "提醒" in outbox[0][1]
    assert engine.send_reminders(timezone.now() + datetime.timedelta(days=4, hours=1)) == 1


def test_programs_tick_expires_offers_and_sends_reminders(site):
    session = make.session(make.program(site, offer_hours=1), capacity=1, days=0.5)
    a, b, c = (make.worker(site, n) for n in ("甲", "乙", "丙"))
    first = engine.sign_up(session, a)
    engine.sign_up(session, b)
    engine.sign_up(session, c)
    engine.cancel(first)
    Registration.objects.filter(person=b).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    out = io.StringIO()
    call_command("programs_tick", stdout=out)
    assert "offers expired: 1" in out.getvalue()
    statuses = dict(Registration.objects.filter(session=session).values_list("person_id", "status"))
    assert (statuses[b.pk], statuses[c.pk]) == ("expired", "offered")
    assert "programs.offered" in kinds(c)


def test_the_tick_task_runs(site):
    from programs.tasks import tick

    result = tick.enqueue()
    assert result.return_value == {"offers_expired": 0, "reminders_sent": 0, "notices_sent": 0}
