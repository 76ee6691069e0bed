"""Programs on the worker's H5: the open list, a program page with eligibility before trying and the
lottery's published seed, sign-up, "我的报名" with the ticket, offers and cancellation."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.backends import USER_BACKEND
from programs.choices import RegistrationStatus
from programs.models import Program, Registration, Session
from programs.services import registrations as engine
from programs.services import tickets
from programs.services.lottery import lottery_order
from tests import factories

S = RegistrationStatus


def worker(union, name="王骑手", **fields):
    """A member with a worker login, and a client signed in as them."""
    from accounts.models import User

    person = factories.member(union, name, **fields)
    person.user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.save()
    client = Client()
    client.force_login(person.user, backend=USER_BACKEND)
    return person, client


def program_with_session(union, capacity=1, **fields):
    now = timezone.now()
    program = Program.objects.create(
        union=union,
        title=fields.pop("title", "免费观影"),
        kind=fields.pop("kind", "benefit"),
        status=fields.pop("status", "published"),
        summary="请快递小哥看电影",
        signup_opens_at=now - datetime.timedelta(days=1),
        signup_closes_at=now + datetime.timedelta(days=3),
        **fields,
    )
    start = now + datetime.timedelta(days=5)
    session = Session.objects.create(
        program=program,
        title="周六晚场",
        place="柯桥万达影城",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=capacity,
    )
    return program, session


def test_open_programs_are_listed_with_free_seats(tree):
    _program, _session = program_with_session(tree["site_a"], capacity=30)
    draft, _ = program_with_session(tree["site_a"], title="草稿活动", status="draft")
    page = Client().get("/programs/").content.decode()
    assert "免费观影" in page and "余 30 / 30 个名额" in page and "草稿活动" not in page
    assert Client().get(f"/programs/{draft.pk}/").status_code == 404
    assert 'href="/programs/"' in Client().get("/").content.decode()


def test_program_page_counts_views_and_tells_why_not_before_trying(tree):
    program, session = program_with_session(
        tree["site_a"], title="两癌筛查", kind="screening", gender="female"
    )
    anonymous = Client().get(f"/programs/{program.pk}/").content.decode()
    assert "女性职工" in anonymous and "登录后查看能否报名" in anonymous
    _man, client = worker(tree["site_a"], "张师傅")
    page = client.get(f"/programs/{program.pk}/").content.decode()
    assert "您暂时不能报名" in page and "本活动仅限女性职工报名" in page
    assert f"/programs/sessions/{session.pk}/sign-up/" not in page
    assert Program.objects.get(pk=program.pk).view_count == 2
    # Trying anyway is refused by the engine with the same reason.
    response = client.post(f"/programs/sessions/{session.pk}/sign-up/", follow=True)
    assert "本活动仅限女性职工报名" in response.content.decode()
    assert not Registration.objects.exists()

    woman_id = factories.id_number(female=True)
    woman, her = worker(tree["site_a"], "李女士")
    woman.set_id_number(woman_id)
    woman.save()
    page = her.get(f"/programs/{program.pk}/").content.decode()
    assert "您符合报名条件" in page and f"/programs/sessions/{session.pk}/sign-up/" in page


def test_sign_up_needs_the_worker_login(tree):
    program, session = program_with_session(tree["site_a"])
    response = Client().post(f"/programs/sessions/{session.pk}/sign-up/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    _person, client = worker(tree["site_a"])
    # Back from the login page (a GET): the program page, where the worker presses the button.
    assert client.get(f"/programs/sessions/{session.pk}/sign-up/")["Location"] == f"/programs/{program.pk}/"
    assert not Registration.objects.exists()


def test_sign_up_ticket_waitlist_offer_and_accept(tree):
    _program, session = program_with_session(tree["site_a"], capacity=1)
    first, one = worker(tree["site_a"], "王一")
    second, two = worker(tree["site_a"], "李二")
    response = one.post(f"/programs/sessions/{session.pk}/sign-up/", follow=True)
    mine = Registration.objects.get(person=first)
    assert mine.status == S.CONFIRMED
    page = response.content.decode()
    assert "报名成功" in page and mine.ticket_code in page and "<svg" in page and "报名票二维码" in page
    # The QR carries a signed token, not the ticket code or anything personal (the token is signed
    # with the time, so it is compared by what it says: the second may have turned meanwhile).
    shown = re.search(r'data-code="([^"]+)"', page).group(1)
    assert mine.ticket_code not in shown
    assert tickets.read_ticket(shown) == tickets.read_ticket(engine.ticket_token(mine)) is not None

    page = two.post(f"/programs/sessions/{session.pk}/sign-up/", follow=True).content.decode()
    theirs = Registration.objects.get(person=second)
    assert theirs.status == S.WAITLISTED and "候补第 1 位" in page
    # A second sign-up for the same program is refused.
    two.post(f"/programs/sessions/{session.pk}/sign-up/")
    assert Registration.objects.filter(person=second).count() == 1

    one.post(f"/me/programs/{mine.pk}/cancel/")
    assert Registration.objects.get(pk=mine.pk).status == S.CANCELLED
    theirs.refresh_from_db()
    assert theirs.status == S.OFFERED
    listing = two.get("/me/programs/").content.decode()
    deadline = timezone.localtime(theirs.offer_expires_at).strftime("%m月%d日 %H:%M")
    assert "请在 " + deadline + " 前确认" in listing
    page = two.post(f"/me/programs/{theirs.pk}/accept/", follow=True).content.decode()
    theirs.refresh_from_db()
    assert theirs.status == S.CONFIRMED and theirs.ticket_code in page
    # Someone else's registration is not found.
    assert one.get(f"/me/programs/{theirs.pk}/").status_code == 404
    assert one.post(f"/me/programs/{theirs.pk}/cancel/").status_code == 404
    assert Registration.objects.get(pk=theirs.pk).status == S.CONFIRMED


def test_decline_offer_and_leave_waitlist(tree):
    _program, session = program_with_session(tree["site_a"], capacity=1)
    people = [worker(tree["site_a"], name) for name in ("王一", "李二", "赵三")]
    regs = [engine.sign_up(session, person) for person, _client in people]
    engine.cancel(regs[0])
    regs[1].refresh_from_db()
    assert regs[1].status == S.OFFERED
    people[1][1].post(f"/me/programs/{regs[1].pk}/decline/")
    assert Registration.objects.get(pk=regs[1].pk).status == S.LEFT
    assert Registration.objects.get(pk=regs[2].pk).status == S.OFFERED
    fourth, client = worker(tree["site_a"], "钱四")
    waiting = engine.sign_up(session, fourth)
    assert waiting.status == S.WAITLISTED
    client.post(f"/me/programs/{waiting.pk}/leave/")
    assert Registration.objects.get(pk=waiting.pk).status == S.LEFT


def test_lottery_page_shows_the_window_then_the_seed_and_how_to_verify(tree):
    program, session = program_with_session(tree["site_a"], capacity=1, mode="lottery", title="疗休养")
    page = Client().get(f"/programs/{program.pk}/").content.decode()
    assert "截止后公开抽签" in page
    entries = [engine.sign_up(session, worker(tree["site_a"], n)[0]) for n in ("王一", "李二", "赵三")]
    now = timezone.now()
    Program.objects.filter(pk=program.pk).update(signup_closes_at=now - datetime.timedelta(minutes=1))
    program.refresh_from_db()
    engine.draw_lottery(program, by=factories.official("kq", "service", tree["site_a"]), seed="demo-seed-1")
    page = Client().get(f"/programs/{program.pk}/").content.decode()
    assert "demo-seed-1" in page and "sha256" in page and "如何自行验证" in page
    ids = sorted(e.pk for e in entries)
    assert ", ".join(str(i) for i in ids) in page
    order = lottery_order("demo-seed-1", ids)
    assert Registration.objects.get(pk=order[0]).status == S.CONFIRMED
    # A worker who entered sees their own number and rank, to check against the published order.
    last = Registration.objects.select_related("person__user").get(pk=order[-1])
    client = Client()
    client.force_login(last.person.user, backend=USER_BACKEND)
    page = client.get(f"/programs/{program.pk}/").content.decode()
    assert f"<dt>我的报名编号</dt><dd>{last.pk}</dd>" in page and "<dt>我的抽签序号</dt><dd>3</dd>" in page


@pytest.mark.parametrize("path", ["/programs/", "/me/programs/"])
def test_pages_fit_a_phone_and_load_nothing_from_elsewhere(tree, path):
    _person, client = worker(tree["site_a"])
    program_with_session(tree["site_a"])
    page = client.get(path).content.decode()
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page
    assert 'name="viewport"' in page


def test_the_waitlist_place_moves_up_when_those_ahead_get_seats_or_leave(tree):
    # Positions keep their gaps (only a reorder renumbers); a worker is shown the place: those ahead + 1.
    _program, session = program_with_session(tree["site_a"], capacity=1)
    people = [worker(tree["site_a"], name) for name in ("王一", "李二", "赵三", "钱四", "孙五")]
    regs = [engine.sign_up(session, person) for person, _client in people]
    assert [r.status for r in regs] == [S.CONFIRMED] + [S.WAITLISTED] * 4
    assert [r.position for r in regs[1:]] == [1, 2, 3, 4]
    engine.cancel(regs[0])  # 李二 is offered the seat
    engine.leave_waitlist(regs[3])  # 钱四 leaves
    _last, client = people[4]
    mine = Registration.objects.get(pk=regs[4].pk)
    assert (mine.position, engine.place(mine)) == (4, 2)  # behind 赵三 only
    assert "候补第 2 位" in client.get("/me/programs/").content.decode()
    assert "您在候补第 2 位" in client.get(f"/me/programs/{mine.pk}/").content.decode()
    answer = client.get(f"/api/v1/me/registrations/{mine.pk}/").json()
    assert (answer["position"], answer["place"]) == (4, 2)
    listed = client.get("/api/v1/me/registrations/").json()["results"]
    assert [(r["id"], r["place"]) for r in listed] == [(mine.pk, 2)]
    third = Registration.objects.get(pk=regs[2].pk)
    assert engine.place(third) == 1 and engine.place(Registration.objects.get(pk=regs[1].pk)) is None
    # A new sign-up's H5 message tells the place too.
    _late, late_client = worker(tree["site_a"], "周六")
    page = late_client.post(f"/programs/sessions/{session.pk}/sign-up/", follow=True).content.decode()
    assert "您已进入候补第 3 位" in page
