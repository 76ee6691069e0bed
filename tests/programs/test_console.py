"""The programs console: lists and filters, the program page (sessions, funnel, budget, lottery), capacity,
signing a worker up on their behalf, the registration's steps and the staff check-in page."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import HistoryEntry
from programs.choices import RegistrationChannel, RegistrationStatus
from programs.models import Program, ProgramExpense, Registration, Session
from programs.services import registrations as engine
from tests import factories

S = RegistrationStatus


@pytest.fixture
def staff(tree):
    return factories.official("kq_service", "service", tree["town_a"])


def make_program(union, capacity=2, **fields) -> tuple[Program, Session]:
    now = timezone.now()
    values = {
        "title": "乐享摄影技巧",
        "kind": "course",
        "status": "published",
        "signup_opens_at": now - datetime.timedelta(days=1),
        "signup_closes_at": now + datetime.timedelta(days=5),
        **fields,
    }
    program = Program.objects.create(union=union, **values)
    start = now + datetime.timedelta(days=7)
    session = Session.objects.create(
        program=program,
        title="第一课",
        place="柯桥区工人文化宫三楼",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=capacity,
    )
    return program, session


def test_program_list_filters_by_kind_and_open_for_sign_up(tree, staff, login):
    course, _s = make_program(tree["site_a"])
    closed, _s = make_program(tree["site_a"], title="高温慰问", kind="benefit", status="closed")
    elsewhere, _s = make_program(tree["site_b"], title="华舍课程")
    client = login(staff)
    seen = {p.pk for p in client.get("/console/programs/").context["object_list"]}
    assert seen == {course.pk, closed.pk}
    assert {p.pk for p in client.get("/console/programs/?open=true").context["object_list"]} == {course.pk}
    assert {p.pk for p in client.get("/console/programs/?open=false").context["object_list"]} == {closed.pk}
    assert {p.pk for p in client.get("/console/programs/?kind=benefit").context["object_list"]} == {closed.pk}
    within = client.get(f"/console/programs/?within={tree['site_a'].pk}").context["object_list"]
    assert {p.pk for p in within} == {course.pk, closed.pk}
    assert elsewhere.pk not in seen


def test_create_a_program_with_eligibility_and_publish_it(tree, staff, login):
    client = login(staff)
    page = client.get("/console/programs/add/").content.decode()
    assert "外卖配送员" in page and "限就业形态" in page
    response = client.post(
        "/console/programs/add/",
        {
            "union": tree["town_a"].pk,
            "title": "两癌筛查",
            "kind": "screening",
            "mode": "first_come",
            "one_per": "program",
            "offer_hours": 24,
            "members_only": "on",
            "employment_forms": ["courier", "delivery_rider"],
            "gender": "female",
            "min_age": 25,
            "max_age": 60,
            "signup_opens_at": "2026-11-01T08:00",
            "signup_closes_at": "2026-12-01T08:00",
            "budget": "60000",
            "unit_cost": "195",
        },
    )
    program = Program.objects.get(title="两癌筛查")
    assert response.status_code == 302 and response["Location"] == f"/console/programs/{program.pk}/"
    assert program.employment_forms == ["courier", "delivery_rider"]
    assert (program.gender, program.min_age, program.max_age, program.budget) == ("female", 25, 60, 60000)
    assert program.status == "draft"

    # Publishing needs a session first.
    client.post(f"/console/programs/{program.pk}/status/publish/")
    assert Program.objects.get(pk=program.pk).status == "draft"
    client.post(
        f"/console/programs/{program.pk}/sessions/add/",
        {
            "session-title": "第一批",
            "session-place": "柯桥区妇幼保健院",
            "session-starts_at": "2026-12-10T08:00",
            "session-ends_at": "2026-12-10T11:30",
            "session-capacity": "120",
        },
    )
    assert program.sessions.get().capacity == 120
    client.post(f"/console/programs/{program.pk}/status/publish/")
    assert Program.objects.get(pk=program.pk).status == "published"
    assert HistoryEntry.objects.for_object(program).filter(verb="发布").exists()
    detail = client.get(f"/console/programs/{program.pk}/").content.decode()
    assert "限性别：女" in detail and "60000.00" in detail and "预算可服务人数" in detail


def test_a_town_official_cannot_create_for_another_town(tree, staff, login):
    response = login(staff).post(
        "/console/programs/add/",
        {
            "union": tree["town_b"].pk,
            "title": "越权",
            "kind": "course",
            "mode": "first_come",
            "one_per": "program",
            "offer_hours": 24,
            "budget": "0",
            "unit_cost": "0",
        },
    )
    assert response.status_code == 200 and "union" in response.context["form"].errors
    assert not Program.objects.filter(title="越权").exists()


def test_program_page_shows_sessions_counts_and_funnel(tree, staff, login):
    program, session = make_program(tree["site_a"], capacity=1)
    first, second = factories.member(tree["site_a"], "王一"), factories.member(tree["site_a"], "李二")
    engine.sign_up(session, first)
    engine.sign_up(session, second)
    Program.objects.filter(pk=program.pk).update(view_count=10)
    response = login(staff).get(f"/console/programs/{program.pk}/")
    assert response.status_code == 200
    row = response.context["sessions"][0]
    assert (row.capacity, row.seated, row.free, row.waiting) == (1, 1, 0, 1)
    assert [(b["label"], b["value"], b["percent"]) for b in response.context["funnel_bars"]] == [
        ("浏览", 10, 100),
        ("报名", 2, 20),
        ("确认", 1, 10),
        ("签到", 0, 0),
    ]


def test_capacity_never_below_seats_taken(tree, staff, login):
    _program, session = make_program(tree["site_a"], capacity=2)
    engine.sign_up(session, factories.member(tree["site_a"], "王一"))
    engine.sign_up(session, factories.member(tree["site_a"], "李二"))
    waiting = factories.member(tree["site_a"], "赵三")
    engine.sign_up(session, waiting)
    client = login(staff)
    response = client.post(f"/console/program-sessions/{session.pk}/capacity/", {"capacity": 1}, follow=True)
    assert Session.objects.get(pk=session.pk).capacity == 2
    assert "名额" in response.content.decode() and response.context["messages"]
    client.post(f"/console/program-sessions/{session.pk}/capacity/", {"capacity": 3})
    assert Session.objects.get(pk=session.pk).capacity == 3
    # The raised capacity went to the first of the waitlist.
    assert Registration.objects.get(person=waiting).status in (S.OFFERED, S.CONFIRMED)


def test_sign_up_on_behalf_by_id_number_never_shows_the_number(tree, staff, login):
    _program, session = make_program(tree["site_a"], capacity=5)
    raw = factories.id_number()
    person = factories.member(tree["site_a"], "张骑手")
    person.set_id_number(raw)
    person.save()
    client = login(staff)
    url = f"/console/program-sessions/{session.pk}/sign-up/"
    response = client.post(url, {"number": raw}, follow=True)
    registration = Registration.objects.get(person=person)
    assert (registration.status, registration.channel, registration.created_by) == (
        S.CONFIRMED,
        RegistrationChannel.OFFICIAL,
        staff,
    )
    page = response.content.decode()
    assert raw not in page and "张**" in page
    # Twice: refused, the reason shown, nothing echoed.
    again = client.post(url, {"number": raw})
    text = again.content.decode()
    assert again.status_code == 200 and raw not in text and "已报名" in text
    assert Registration.objects.filter(person=person).count() == 1
    # Someone outside the official's subtree is not found.
    stranger_id = factories.id_number()
    stranger = factories.member(tree["site_b"], "外人")
    stranger.set_id_number(stranger_id)
    stranger.save()
    response = client.post(url, {"number": stranger_id})
    assert "管理范围内没有" in response.content.decode() and stranger_id not in response.content.decode()
    assert not Registration.objects.filter(person=stranger).exists()


def test_cancel_reorder_and_move(tree, staff, login):
    program, session = make_program(tree["site_a"], capacity=1)
    start = session.starts_at + datetime.timedelta(days=1)
    other = Session.objects.create(
        program=program,
        title="第二课",
        place="文化宫",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=5,
    )
    people = [factories.member(tree["site_a"], name) for name in ("王一", "李二", "赵三")]
    seated, *waiting = [engine.sign_up(session, person) for person in people]
    client = login(staff)
    # A reorder needs a reason.
    client.post(f"/console/registrations/{waiting[1].pk}/reorder/", {"position": 1, "reason": ""})
    assert Registration.objects.get(pk=waiting[1].pk).position == 2
    client.post(f"/console/registrations/{waiting[1].pk}/reorder/", {"position": 1, "reason": "残疾职工优先"})
    assert Registration.objects.get(pk=waiting[1].pk).position == 1
    assert Registration.objects.get(pk=waiting[0].pk).position == 2

    client.post(f"/console/registrations/{seated.pk}/cancel/", {"reason": "本人电话告知无法参加"})
    assert Registration.objects.get(pk=seated.pk).status == S.CANCELLED
    offered = Registration.objects.get(pk=waiting[1].pk)
    assert offered.status == S.OFFERED and offered.offer_expires_at is not None

    client.post(f"/console/registrations/{waiting[0].pk}/move/", {"session": other.pk, "reason": "改期"})
    moved = Registration.objects.get(person=people[1], status__in=[S.CONFIRMED, S.WAITLISTED, S.OFFERED])
    assert moved.session == other and moved.status == S.CONFIRMED
    response = client.get(f"/console/program-sessions/{session.pk}/?status=offered")
    assert [r.person.masked_name for r in response.context["page"]] == ["赵*"]
    assert "赵*" in response.content.decode()


def test_check_in_page_refuses_a_second_check_in(tree, staff, login):
    _program, session = make_program(tree["site_a"], capacity=3)
    registration = engine.sign_up(session, factories.member(tree["site_a"], "王一"))
    client = login(staff)
    url = f"/console/program-sessions/{session.pk}/check-in/"
    page = client.get(url).content.decode()
    assert 'id="scan"' in page and "js/check.js" in page
    token = engine.ticket_token(registration)
    first = client.post(url, {"code": token}).content.decode()
    assert "签到成功" in first and "王*" in first
    assert Registration.objects.get(pk=registration.pk).status == S.ATTENDED
    second = client.post(url, {"code": registration.ticket_code}).content.decode()
    assert "不能重复签到" in second and "签到成功" not in second
    assert "未签到" in client.post(url, {"code": "NOPE2345"}).content.decode()


def test_expense_and_spending(tree, staff, login):
    program, _session = make_program(tree["site_a"], budget=Decimal("60000"), unit_cost=Decimal("200"))
    client = login(staff)
    client.post(
        f"/console/programs/{program.pk}/expenses/add/",
        {"spent_on": "2026-11-20", "amount": "12500.00", "note": "第一批筛查费用"},
    )
    expense = ProgramExpense.objects.get(program=program)
    assert (expense.amount, expense.recorded_by) == (Decimal("12500.00"), staff)
    page = client.get(f"/console/programs/{program.pk}/").content.decode()
    assert "47500.00" in page and "第一批筛查费用" in page
    viewer = login(factories.official("viewer", "viewer", tree["town_a"]))
    assert (
        viewer.post(
            f"/console/programs/{program.pk}/expenses/add/",
            {"spent_on": "2026-11-20", "amount": "1", "note": "x"},
        ).status_code
        == 404
    )
    assert ProgramExpense.objects.count() == 1


def test_lottery_draw_shows_seed_and_algorithm(tree, staff, login):
    now = timezone.now()
    program, session = make_program(tree["site_a"], capacity=1, mode="lottery")
    entries = [engine.sign_up(session, factories.member(tree["site_a"], n)) for n in ("王一", "李二", "赵三")]
    assert {e.status for e in entries} == {S.ENTERED}
    Program.objects.filter(pk=program.pk).update(
        signup_opens_at=now - datetime.timedelta(days=2), signup_closes_at=now - datetime.timedelta(minutes=1)
    )
    client = login(staff)
    client.post(f"/console/programs/{program.pk}/lottery/")
    program.refresh_from_db()
    assert program.lottery_seed and program.lottery_drawn_at
    statuses = sorted(Registration.objects.filter(program=program).values_list("status", flat=True))
    assert statuses == [S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    page = client.get(f"/console/programs/{program.pk}/").content.decode()
    assert program.lottery_seed in page and "sha256" in page
    # Drawn once only.
    client.post(f"/console/programs/{program.pk}/lottery/")
    assert Program.objects.get(pk=program.pk).lottery_seed == program.lottery_seed


def test_registration_pages_are_scoped(tree, staff, login):
    _program, session = make_program(tree["site_b"], capacity=3)
    registration = engine.sign_up(session, factories.member(tree["site_b"], "王一"))
    client = login(staff)
    assert client.get(registration.get_absolute_url()).status_code == 404
    assert (
        client.post(f"/console/registrations/{registration.pk}/cancel/", {"reason": "x"}).status_code == 404
    )
    assert client.get(f"/console/program-sessions/{session.pk}/check-in/").status_code == 404
    assert Registration.objects.get(pk=registration.pk).status == S.CONFIRMED
    assert re.search(r"/console/programs/", client.get("/console/").content.decode())


def test_no_shows_after_the_session(tree, staff, login):
    _program, session = make_program(tree["site_a"], capacity=3)
    came = engine.sign_up(session, factories.member(tree["site_a"], "王一"))
    missed = engine.sign_up(session, factories.member(tree["site_a"], "李二"))
    engine.check_in(came.ticket_code, by=staff, session=session)
    client = login(staff)
    url = f"/console/program-sessions/{session.pk}/no-shows/"
    client.post(url)
    assert Registration.objects.get(pk=missed.pk).status == S.CONFIRMED  # not over yet
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    page = client.post(url, follow=True).content.decode()
    assert "已登记未到场 1 人" in page
    assert Registration.objects.get(pk=missed.pk).status == S.NO_SHOW
    assert Registration.objects.get(pk=came.pk).status == S.ATTENDED
    assert Session.objects.get(pk=session.pk).seated == 1


def test_finance_sees_the_figures_records_spending_and_not_who_signed_up(tree, login):
    # Found by fuzzing the pages: the session page listed the registrations (masked names, times) to
    # finance and audit, who see no personal data; and finance, who may record a program's expenses,
    # was never shown the form.
    program, session = make_program(tree["site_a"], capacity=3, budget=Decimal("60000"))
    engine.sign_up(session, factories.member(tree["site_a"], "王一"))
    engine.sign_up(session, factories.member(tree["site_a"], "李二"))
    finance = login(factories.official("kq_finance", "finance", tree["town_a"]))
    page = finance.get(f"/console/program-sessions/{session.pk}/").content.decode()
    assert "全部（2）" in page and "您的角色只看人数，不查看报名人员" in page
    assert "王*" not in page and "/console/registrations/" not in page
    page = finance.get(f"/console/programs/{program.pk}/").content.decode()
    assert "记录支出" in page
    finance.post(
        f"/console/programs/{program.pk}/expenses/add/",
        {"spent_on": "2026-11-20", "amount": "300", "note": "场地费"},
    )
    assert ProgramExpense.objects.get().amount == Decimal("300")
    staff = login(factories.official("kq_service", "service", tree["town_a"]))
    page = staff.get(f"/console/program-sessions/{session.pk}/").content.decode()
    assert "王*" in page and "李*" in page and "您的角色只看人数" not in page
