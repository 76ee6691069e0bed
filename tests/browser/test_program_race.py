"""Two workers on phones race for the last seat of a program: one gets it, the other is waitlisted;
when the first cancels, the second is offered the seat with its deadline, and accepts it."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from core.notify import MemorySmsBackend
from programs.models import Program, Registration, Session
from programs.services.tickets import read_ticket
from tests import factories

from .helpers import scan, worker_sign_in

pytestmark = [pytest.mark.browser]
playwright = pytest.importorskip("playwright.sync_api", reason="browser: playwright is not installed")
expect = playwright.expect

PHONES = {"王骑手": "13800138001", "李骑手": "13800138002"}


@pytest.fixture
def last_seat(tree):
    for name, phone in PHONES.items():
        person = factories.member(tree["site_a"], name)
        person.set_phone(phone)
        person.save()
    now = timezone.now()
    program = Program.objects.create(
        union=tree["district"],
        title="免费观影 · 职工专场",
        kind="benefit",
        status="published",
        summary="周六晚场",
        signup_opens_at=now - datetime.timedelta(days=1),
        signup_closes_at=now + datetime.timedelta(days=2),
    )
    start = now + datetime.timedelta(days=4)
    Session.objects.create(
        program=program,
        title="周六晚场",
        place="柯桥万达影城",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=1,
    )
    return program


def test_two_workers_race_for_the_last_seat(new_page, last_seat):
    MemorySmsBackend.outbox.clear()
    phones = {name: new_page("phone") for name in PHONES}
    for name, page in phones.items():
        worker_sign_in(page, PHONES[name])
        page.goto("/")
        page.get_by_role("link", name=re.compile("活动报名")).click()
        expect(page.get_by_text("余 1 / 1 个名额")).to_be_visible()
        page.get_by_role("link", name="查看详情").click()
        expect(page.get_by_role("heading", name="免费观影 · 职工专场")).to_be_visible()
        expect(page.get_by_text("您符合报名条件")).to_be_visible()
        assert page.viewport_size["width"] == 375

    # Both saw the one free seat and press 报名. On PostgreSQL the two requests really overlap; the
    # SQLite test database lives in memory, where a shared cache locks whole tables instead of waiting,
    # so there the second presses right after the first, on a page that still offers the seat.
    # (The engine's own tests race 500 sign-ups on both databases.)
    together = connection.vendor == "postgresql"
    for page in phones.values():
        page.get_by_role("button", name="报名", exact=True).click(no_wait_after=together)
        if not together:
            expect(page.get_by_role("region", name="报名状态")).to_be_visible()
    for page in phones.values():
        expect(page.get_by_role("region", name="报名状态")).to_be_visible()

    registrations = {r.person.name: r for r in Registration.objects.select_related("person")}
    assert sorted(r.status for r in registrations.values()) == ["confirmed", "waitlisted"]
    assert Session.objects.get().seated == 1
    first = next(name for name, r in registrations.items() if r.status == "confirmed")
    second = next(name for name in PHONES if name != first)
    winner, waiting = phones[first], phones[second]
    ticket = winner.get_by_role("img", name="报名票二维码")
    expect(ticket.locator("svg")).to_be_visible()
    expect(winner.get_by_text(registrations[first].ticket_code)).to_be_visible()
    # Large enough for a keeper's camera at arm's length, and it reads as the ticket it stands for.
    assert ticket.bounding_box()["width"] >= 200
    code = scan(ticket)
    assert code == ticket.get_attribute("data-code")
    assert read_ticket(code) == {"r": registrations[first].pk, "c": registrations[first].ticket_code}
    expect(waiting.get_by_text("您在候补第 1 位")).to_be_visible()

    # The first cancels: the seat is offered to the second, with a deadline to confirm by.
    winner.get_by_role("button", name="取消报名").click()
    expect(winner.locator(".status")).to_have_text("已取消")
    offered = Registration.objects.get(pk=registrations[second].pk)
    assert offered.status == "offered"
    deadline = timezone.localtime(offered.offer_expires_at).strftime("%m月%d日 %H:%M")
    waiting.goto("/me/programs/")
    expect(waiting.get_by_text(f"有空位递补给您，请在 {deadline} 前确认")).to_be_visible()
    waiting.get_by_role("link", name="候补递补待确认").click()
    expect(waiting.get_by_role("alert")).to_contain_text(deadline)
    waiting.get_by_role("button", name="确认参加").click()
    expect(waiting.locator(".status")).to_have_text("已确认")
    expect(waiting.get_by_role("img", name="报名票二维码").locator("svg")).to_be_visible()
    assert Registration.objects.get(pk=offered.pk).status == "confirmed"
    assert Session.objects.get().seated == 1
