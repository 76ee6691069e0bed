"""Tickets and check-in: signed QR, typed code, member card; double and wrong-session check-ins refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.models import Membership
from members.services import cards
from programs.models import Registration, Session
from programs.services import funnel, tickets
from programs.services import registrations as engine

from .. import factories
from . import engine as make


@pytest.fixture
def staff(tree):
    return factories.official("staff_a", "service", tree["site_a"])


@pytest.fixture
def booked(site):
    prog = make.program(site)
    session, other = make.session(prog, capacity=5), make.session(prog, capacity=5, days=4)
    person = make.worker(site)
    return {"session": session, "other": other, "person": person, "reg": engine.sign_up(session, person)}


def test_signed_ticket_checks_in_once(booked, staff):
    token = engine.ticket_token(booked["reg"])
    done = engine.check_in(token, by=staff, session=booked["session"])
    assert done.status == "attended" and done.checked_in_by == staff
    row = Registration.objects.get(pk=booked["reg"].pk)
    assert row.status == "attended" and row.checked_in_at
    with pytest.raises(ValidationError, match="不能重复签到"):
        engine.check_in(token, by=staff, session=booked["session"])
    assert Session.objects.get(pk=booked["session"].pk).seated == 1  # attended still holds its seat


def test_typed_code_works_in_any_case_and_with_spaces(booked, staff):
    code = booked["reg"].ticket_code
    typed = f" {code[:4].lower()} {code[4:]} "
    assert engine.check_in(typed, by=staff, session=booked["session"]).pk == booked["reg"].pk


def test_the_wrong_session_is_refused(booked, staff):
    with pytest.raises(ValidationError, match="不是本场次"):
        engine.check_in(booked["reg"].ticket_code, by=staff, session=booked["other"])
    assert Registration.objects.get(pk=booked["reg"].pk).status == "confirmed"


def test_member_card_qr_finds_the_registration(booked, staff, site):
    membership = Membership.objects.get(person=booked["person"])
    token = cards.sign_card(membership)
    assert engine.check_in(token, by=staff, session=booked["session"]).pk == booked["reg"].pk
    stranger = Membership.objects.get(person=factories.member(site, "没报名"))
    with pytest.raises(ValidationError, match="没有本场次的有效报名"):
        engine.check_in(cards.sign_card(stranger), by=staff, session=booked["session"])


def test_forged_void_and_unknown_codes_are_refused(booked, staff):
    token = engine.ticket_token(booked["reg"])
    with pytest.raises(ValidationError, match="签名无效"):
        engine.check_in(token[:-3] + "abc", by=staff, session=booked["session"])
    with pytest.raises(ValidationError, match="无法识别"):
        engine.check_in("https://example.com/x", by=staff, session=booked["session"])
    with pytest.raises(ValidationError, match="票号不存在"):
        engine.check_in("ZZZZZZZZ", by=staff, session=booked["session"])
    engine.cancel(booked["reg"])
    with pytest.raises(ValidationError, match="不能签到"):
        engine.check_in(token, by=staff, session=booked["session"])


def test_a_card_token_is_not_a_ticket_and_back(booked):
    """Each has its own salt: a ticket token never verifies as a card."""
    assert not cards.verify_card(engine.ticket_token(booked["reg"])).valid
    membership = Membership.objects.get(person=booked["person"])
    assert tickets.read_ticket(cards.sign_card(membership)) is None


def test_no_shows_after_the_session_and_the_funnel(site, staff):
    prog = make.program(site)
    session = make.session(prog, capacity=3)
    regs = [engine.sign_up(session, make.worker(site, f"职工{i}")) for i in range(4)]
    funnel.record_view(prog)
    funnel.record_view(prog)
    engine.check_in(regs[0].ticket_code, by=staff, session=session)
    with pytest.raises(ValidationError, match="结束后"):
        engine.mark_no_shows(session)
    later = session.ends_at + datetime.timedelta(minutes=1)
    assert engine.mark_no_shows(session, now=later) == 2
    statuses = [Registration.objects.get(pk=r.pk).status for r in regs]
    assert statuses == ["attended", "no_show", "no_show", "waitlisted"]
    assert Session.objects.get(pk=session.pk).seated == 1
    figures = funnel.funnel(prog)
    assert (figures["views"], figures["signups"], figures["confirmed"], figures["attended"]) == (2, 4, 3, 1)
    assert figures["no_shows"] == 2
    assert figures["sessions"][0]["confirmed"] == 3


def test_spending_to_date(site, staff):
    from programs.models import ProgramExpense

    prog = make.program(site, kind="screening", budget=60000, unit_cost=200)
    session = make.session(prog, capacity=5)
    for i in range(2):
        reg = engine.sign_up(session, make.worker(site, f"职工{i}", gender="female"))
        engine.check_in(reg.ticket_code, by=staff, session=session)
    ProgramExpense.objects.create(
        program=prog, spent_on=timezone.localdate(), amount=500, note="检查费", recorded_by=staff
    )
    money = funnel.spending(prog)
    assert money["budget"] == 60000 and money["planned_people"] == 300
    assert money["spent"] == 500 and money["remaining"] == 59500
    assert money["attended"] == 2 and str(money["cost_per_attendee"]) == "250.00"
