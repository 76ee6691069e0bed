"""Bad input to the programs module: a clear 400 (or a message on the console) naming what is wrong,
and nothing changed; the rules of a program (its status steps, union, series, co-organisers, sign-up
mode) hold on the API as on the console."""

import pytest
from django.conf import settings
from django.core import signing

from accounts.models import User
from orgs.models import Partner
from programs.models import Program, ProgramSeries, Registration, Session
from programs.models.catalogue import MAX_CAPACITY, MAX_OFFER_HOURS
from programs.services import registrations as engine
from programs.services import tickets

from . import engine as make

JSON = "application/json"


def _patch(client, program, body):
    return client.patch(f"/api/v1/programs/{program.pk}/", body, content_type=JSON)


@pytest.mark.parametrize("value", [5, True, "abc", {"a": 1}, [{"a": 1}], [["x"]], ["courier", "astronaut"]])
def test_employment_forms_must_be_a_list_of_known_codes(site, official, login, value):
    program = make.program(site, employment_forms=["courier"])
    make.session(program)
    answer = _patch(login(official), program, {"employment_forms": value})
    assert answer.status_code == 400, answer.content
    assert "employment_forms" in answer.json()
    assert Program.objects.get(pk=program.pk).employment_forms == ["courier"]
    # Pages and sign-ups keep working on the program.
    assert login(make.worker(site).user).get(f"/programs/{program.pk}/").status_code == 200


def test_numbers_past_their_bounds_are_refused(site, official, login):
    program = make.program(site)
    session = make.session(program, capacity=2)
    client = login(official)
    for body in ({"offer_hours": MAX_OFFER_HOURS + 1}, {"budget": "-1"}, {"unit_cost": "-0.01"}):
        answer = _patch(client, program, body)
        assert answer.status_code == 400 and set(body) <= set(answer.json()), body
    for capacity in (MAX_CAPACITY + 1, 2**63, 10**30):
        answer = client.post(
            f"/api/v1/program-sessions/{session.pk}/capacity/", {"capacity": capacity}, content_type=JSON
        )
        assert answer.status_code == 400 and "capacity" in answer.json(), capacity
        console = f"/console/program-sessions/{session.pk}/capacity/"
        page = client.post(console, {"capacity": capacity}, follow=True)
        assert page.status_code == 200 and "名额：" in page.content.decode()
    with pytest.raises(Exception, match="名额不能超过"):
        engine.set_capacity(session, MAX_CAPACITY + 1, by=official)
    assert Session.objects.get(pk=session.pk).capacity == 2
    assert Program.objects.get(pk=program.pk).offer_hours == 24


@pytest.mark.parametrize("session_id", [2**63, -(2**63) - 1, 10**30])
def test_a_session_number_past_any_id_is_no_session(site, login, session_id):
    client = login(make.worker(site).user)
    answer = client.post("/api/v1/me/registrations/", {"session": session_id}, content_type=JSON)
    assert answer.status_code == 400 and answer.json() == {"session": ["场次不存在"]}


def test_a_worker_account_without_its_person_has_no_worker_pages(site, login):
    """Made by hand in the admin (a worker's account is made with its person): 404s, not 500s."""
    session = make.session(make.program(site))
    client = login(User.objects.create_user("13900000000", is_worker=True))
    assert client.post(f"/programs/sessions/{session.pk}/sign-up/").status_code == 404
    for page in ("/me/", "/me/card/", "/me/joins/", "/me/programs/"):
        assert client.get(page).status_code == 404, page
    api = client.post("/api/v1/me/registrations/", {"session": session.pk}, content_type=JSON)
    assert api.status_code == 403
    assert Session.objects.get(pk=session.pk).seated == 0


def test_a_signed_code_that_is_no_ticket_is_unreadable(site, official, login):
    session = make.session(make.program(site))
    for payload in ({"r": "abc", "c": None}, {"r": 1.5, "c": "X"}, {"r": 1}, ["r", "c"]):
        code = signing.dumps(payload, key=settings.SIGNING_KEY, salt=tickets.TICKET_SALT)
        assert tickets.read_ticket(code) is None
        answer = login(official).post("/api/v1/check-in/", {"session": session.pk, "code": code})
        assert answer.status_code == 400, (payload, answer.content)


def test_status_moves_by_its_steps_only(site, official, login):
    client = login(official)
    created = client.post(
        "/api/v1/programs/",
        {"union": site.pk, "title": "草稿活动", "kind": "course", "status": "published"},
        content_type=JSON,
    )
    assert created.status_code == 400 and "status" in created.json()
    created = client.post(
        "/api/v1/programs/", {"union": site.pk, "title": "草稿活动", "kind": "course"}, content_type=JSON
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    program = Program.objects.get(pk=created.json()["id"])
    assert _patch(client, program, {"status": "cancelled"}).status_code == 400
    assert _patch(client, program, {"status": "draft", "title": "改名"}).status_code == 200  # unchanged: fine

    publish = f"/api/v1/programs/{program.pk}/status/publish/"
    refused = client.post(publish)
    assert refused.status_code == 400 and "场次" in refused.json()["detail"]
    make.session(program)
    assert client.post(publish).json()["status"] == "published"
    assert client.post(publish).status_code == 400  # already published
    unknown = client.post(f"/api/v1/programs/{program.pk}/status/cancel/")
    assert unknown.status_code == 400 and "未知的操作" in unknown.json()["detail"]
    assert client.post(f"/api/v1/programs/{program.pk}/status/close/").json()["status"] == "closed"
    page = client.post(f"/console/programs/{program.pk}/status/zzz/", follow=True).content.decode()
    assert "未知的操作" in page
    assert Program.objects.get(pk=program.pk).status == "closed"


def test_mode_is_fixed_once_people_signed_up(site, official, login):
    program = make.program(site)
    session = make.session(program)
    client = login(official)
    assert _patch(client, program, {"mode": "lottery"}).status_code == 200
    assert _patch(client, program, {"mode": "first_come"}).status_code == 200
    engine.sign_up(session, make.worker(site))
    answer = _patch(client, program, {"mode": "lottery"})
    assert answer.status_code == 400 and "mode" in answer.json()
    assert Program.objects.get(pk=program.pk).mode == "first_come"


def test_union_series_and_partners_agree_on_the_api(tree, site, official, login):
    program = make.program(site)
    make.session(program)
    ours = ProgramSeries.objects.create(union=site, name="本站系列")
    above = Partner.objects.create(union=tree["district"], name="区妇幼保健院", kind="hospital")
    below = Partner.objects.create(union=site, name="站点合作方", kind="hospital")
    client = login(official)
    assert _patch(client, program, {"series": ours.pk, "partners": [above.pk]}).status_code == 200
    moved = _patch(client, program, {"union": tree["town_a"].pk})  # the series stays the site's
    assert moved.status_code == 400 and "series" in moved.json()
    lower = _patch(client, program, {"union": tree["town_a"].pk, "series": None, "partners": [below.pk]})
    assert lower.status_code == 400 and "partners" in lower.json()
    program.refresh_from_db()
    assert program.union == site and program.series == ours

    series_move = client.patch(
        f"/api/v1/program-series/{ours.pk}/", {"union": tree["town_a"].pk}, content_type=JSON
    )
    assert series_move.status_code == 400 and "union" in series_move.json()
    assert ProgramSeries.objects.get(pk=ours.pk).union == site


def test_console_steps_name_what_is_wrong(site, official, login):
    program = make.program(site)
    session = make.session(program, capacity=1)
    elsewhere = make.session(make.program(site, title="另一活动"))
    registration = engine.sign_up(session, make.worker(site))
    client = login(official)
    moved = client.post(
        f"/console/registrations/{registration.pk}/move/", {"session": elsewhere.pk}, follow=True
    )
    assert "请选择本活动的其他场次" in moved.content.decode()
    assert Registration.objects.get(pk=registration.pk).session == session
    url = f"/console/program-sessions/{session.pk}/check-in/"
    assert "请扫描二维码或输入票号" in client.post(url, {"code": ""}).content.decode()
    assert "2000" in client.post(url, {"code": "A" * 2001}).content.decode()


def test_api_messages_are_in_chinese(site, login):
    client = login(make.worker(site).user)
    missing = client.get("/api/v1/open-programs/987654/")
    assert missing.status_code == 404 and missing.json() == {"detail": "未找到。"}
    broken = client.post("/api/v1/me/registrations/", "{session: 1", content_type=JSON)
    assert broken.status_code == 400 and broken.json()["detail"].startswith("请求内容不是有效的 JSON（")
    assert "line 1 column 2" in broken.json()["detail"]  # where, as the parser says it
    empty = client.post("/api/v1/me/registrations/", "null", content_type=JSON)
    assert empty.status_code == 400
    assert empty.json() == {"non_field_errors": ["没有提供数据：请求内容应为一个 JSON 对象"]}


def test_a_path_no_endpoint_answers_is_a_json_404_under_the_api(site, official, login):
    client = login(official)
    program = make.program(site)
    for path in (f"/api/v1/programs/{program.pk}/zzz/", "/api/v1/no-such-list/"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer["Content-Type"] == "application/json", path
        assert answer.json() == {"detail": "未找到。"}
    page = client.get("/console/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


OUT_OF_RANGE = ["9999-12-31T23:00:00+08:00", "0001-01-01T08:00:00+08:00", "1999-12-31T12:00"]


@pytest.mark.parametrize("when", OUT_OF_RANGE)
def test_times_outside_the_systems_years_are_refused(site, official, login, when):
    # A session in year 9999 took sign-ups while a program's window did not; both now keep to
    # core.dates' years (2000-2099), on the API and on the console.
    program = make.program(site)
    session = make.session(program)
    client = login(official)
    before = (session.starts_at, session.ends_at)
    for body in ({"starts_at": when}, {"ends_at": when}):
        answer = client.patch(f"/api/v1/program-sessions/{session.pk}/", body, content_type=JSON)
        assert answer.status_code == 400 and set(body) <= set(answer.json()), (body, answer.content)
    answer = client.post(
        "/api/v1/program-sessions/",
        {
            "program": program.pk,
            "place": "驿站",
            "starts_at": when,
            "ends_at": "2099-12-31T23:00",
            "capacity": 5,
        },
        content_type=JSON,
    )
    assert answer.status_code == 400 and "starts_at" in answer.json()
    answer = _patch(client, program, {"signup_closes_at": when})
    assert answer.status_code == 400 and "signup_closes_at" in answer.json()
    page = client.post(
        f"/console/program-sessions/{session.pk}/edit/",
        {"place": "驿站", "starts_at": when[:16], "ends_at": "2099-12-31T23:00"},
    )
    assert page.status_code == 200 and "starts_at" in page.context["form"].errors
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == before
    assert Session.objects.filter(program=program).count() == 1
    assert Program.objects.get(pk=program.pk).signup_closes_at == program.signup_closes_at
