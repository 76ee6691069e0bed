"""The engine's API: officials in their scope, workers on their own registrations, anyone on programs."""

import datetime

import pytest
from django.utils import timezone

from programs.models import Registration, Session
from programs.services import registrations as engine
from programs.services import tickets

from .. import factories
from . import engine as make


@pytest.fixture
def outsider(tree):
    return factories.official("service_b", "service", tree["town_b"])


def test_worker_signs_up_sees_the_ticket_and_cancels(site, login):
    session = make.session(make.program(site), capacity=1)
    person = make.worker(site)
    client = login(person.user)
    answer = client.post(
        "/api/v1/me/registrations/", {"session": session.pk}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "confirmed" and body["ticket_code"]
    assert tickets.read_ticket(body["ticket"])["r"] == body["id"]
    again = client.post("/api/v1/me/registrations/", {"session": session.pk}, content_type="application/json")
    assert again.status_code == 400 and "已报名" in again.json()["detail"]
    listed = client.get("/api/v1/me/registrations/").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    done = client.post(f"/api/v1/me/registrations/{body['id']}/cancel/")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert Session.objects.get(pk=session.pk).seated == 0


def test_worker_accepts_an_offer_and_cannot_touch_anothers(site, login):
    session = make.session(make.program(site), capacity=1)
    first, second = make.worker(site, "甲"), make.worker(site, "乙")
    mine = engine.sign_up(session, first)
    theirs = engine.sign_up(session, second)
    assert login(first.user).post(f"/api/v1/me/registrations/{theirs.pk}/cancel/").status_code == 404
    engine.cancel(mine)
    answer = login(second.user).post(f"/api/v1/me/registrations/{theirs.pk}/accept-offer/")
    assert answer.status_code == 200 and answer.json()["status"] == "confirmed"


def test_ineligible_worker_gets_the_reasons(site, login):
    prog = make.program(site, min_age=60)
    session = make.session(prog)
    person = make.worker(site)
    client = login(person.user)
    detail = client.get(f"/api/v1/open-programs/{prog.pk}/").json()
    assert any("年满 60 周岁" in r for r in detail["reasons"])
    answer = client.post(
        "/api/v1/me/registrations/", {"session": session.pk}, content_type="application/json"
    )
    assert answer.status_code == 400 and "年满 60 周岁" in answer.json()["detail"]


def test_published_programs_are_public_drafts_are_not(site, client):
    shown = make.program(site, title="公开的课")
    make.program(site, title="草稿课", status="draft")
    make.session(shown)
    listed = client.get("/api/v1/open-programs/").json()
    assert [p["title"] for p in listed["results"]] == ["公开的课"]
    assert "budget" not in listed["results"][0]
    assert client.get("/api/v1/programs/").status_code in (401, 403)


def test_official_signs_up_on_behalf_and_steps_are_scoped(site, tree, official, outsider, login):
    session = make.session(make.program(site), capacity=1)
    a, b, c = (make.worker(site, n) for n in ("甲", "乙", "丙"))
    client = login(official)
    made = [
        client.post(
            "/api/v1/registrations/sign-up/",
            {"session": session.pk, "person": p.pk},
            content_type="application/json",
        )
        for p in (a, b, c)
    ]
    assert [m.status_code for m in made] == [201, 201, 201]
    first, second, third = (m.json() for m in made)
    assert (first["status"], second["status"], third["status"]) == ("confirmed", "waitlisted", "waitlisted")
    assert Registration.objects.get(pk=first["id"]).created_by == official
    # Another town's official sees none of it and cannot act on it.
    other = login(outsider)
    assert other.get("/api/v1/registrations/").json()["count"] == 0
    assert other.post(f"/api/v1/registrations/{first['id']}/cancel/", {}).status_code == 404
    # Reorder needs a reason.
    bad = client.post(f"/api/v1/registrations/{third['id']}/reorder/", {"position": 1, "reason": ""})
    assert bad.status_code == 400
    ok = client.post(
        f"/api/v1/registrations/{third['id']}/reorder/", {"position": 1, "reason": "重点帮扶对象"}
    )
    assert ok.status_code == 200 and ok.json()["position"] == 1
    # Capacity: never below seated; raising offers the seat to the head of the waitlist.
    low = client.post(f"/api/v1/program-sessions/{session.pk}/capacity/", {"capacity": 0})
    assert low.status_code == 400 and "不能少于已占名额" in low.json()["detail"]
    up = client.post(f"/api/v1/program-sessions/{session.pk}/capacity/", {"capacity": 2})
    assert up.status_code == 200 and up.json()["seated"] == 2
    assert Registration.objects.get(pk=third["id"]).status == "offered"
    funnel = client.get(f"/api/v1/programs/{session.program_id}/funnel/").json()
    assert funnel["funnel"]["signups"] == 3 and funnel["funnel"]["confirmed"] == 1


def test_check_in_endpoint(site, official, login):
    session = make.session(make.program(site))
    registration = engine.sign_up(session, make.worker(site))
    client = login(official)
    token = tickets.ticket_token(registration)
    first = client.post("/api/v1/check-in/", {"session": session.pk, "code": token})
    assert first.status_code == 200 and first.json()["status"] == "attended"
    twice = client.post("/api/v1/check-in/", {"session": session.pk, "code": registration.ticket_code})
    assert twice.status_code == 400 and "不能重复签到" in twice.json()["detail"]


def test_lottery_draw_and_public_verification(site, official, login, client):
    now = timezone.now()
    prog = make.program(site, mode="lottery", signup_closes_at=now + datetime.timedelta(minutes=5))
    session = make.session(prog, capacity=2)
    entries = [engine.sign_up(session, make.worker(site, f"职工{i}")) for i in range(5)]
    type(prog).objects.filter(pk=prog.pk).update(signup_closes_at=now - datetime.timedelta(seconds=1))
    answer = login(official).post(f"/api/v1/programs/{prog.pk}/draw/", {"seed": "公开种子"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["sessions"][str(session.pk)] == {"confirmed": 2, "waitlisted": 3}
    again = login(official).post(f"/api/v1/programs/{prog.pk}/draw/", {})
    assert again.status_code == 400 and "已抽签" in again.json()["detail"]
    published = client.get(f"/api/v1/open-programs/{prog.pk}/lottery/").json()
    assert published["seed"] == "公开种子" and published["ok"] is True
    assert sorted(published["sessions"][str(session.pk)]["entries"]) == sorted(r.pk for r in entries)


def test_serializers_built_once_give_what_drf_builds(site):
    # FieldsBuiltOnce hands each instance its own copy of fields built once per class: the same output
    # as DRF building them anew, and one instance's fields never another's.
    from rest_framework import serializers as drf

    from programs.api.serializers import MyRegistrationSerializer, PublicProgramSessionSerializer

    class Plain(drf.ModelSerializer):
        program_title = drf.CharField(source="program.title", read_only=True)
        session_detail = type(
            "PlainSession", (drf.ModelSerializer,), {"Meta": PublicProgramSessionSerializer.Meta}
        )(source="session", read_only=True)
        ticket = drf.SerializerMethodField()
        get_ticket = MyRegistrationSerializer.get_ticket
        place = drf.SerializerMethodField()
        get_place = MyRegistrationSerializer.get_place

        class Meta(MyRegistrationSerializer.Meta):
            pass

    from programs.services.tickets import read_ticket

    def shown(data):
        # A ticket is signed with the second it was made in: two made across a second's edge differ
        # only there, so the tickets are compared by what they carry.
        return {**data, "ticket": data["ticket"] and read_ticket(data["ticket"])}

    session = make.session(make.program(site), capacity=2)
    registration = engine.sign_up(session, make.worker(site))
    first, second = MyRegistrationSerializer(registration), MyRegistrationSerializer(registration)
    assert shown(first.data) == shown(second.data) == shown(Plain(registration).data)
    # The hand-read answer (to_representation) is DRF's generic one in every state a worker sees.
    second_seat = engine.sign_up(session, make.worker(site))
    engine.sign_up(session, make.worker(site))  # waitlisted, then offered the cancelled seat
    engine.check_in(registration.ticket_code, by=None, session=session)
    engine.cancel(second_seat)
    engine.sign_up(session, make.worker(site))
    states = engine.with_place(Registration.objects.filter(session=session)).select_related("session")
    assert {r.status for r in states} == {"attended", "cancelled", "offered", "waitlisted"}
    for state in states:
        assert shown(MyRegistrationSerializer(state).data) == shown(Plain(state).data), state.status
        assert PublicProgramSessionSerializer(state.session).data == drf.ModelSerializer.to_representation(
            PublicProgramSessionSerializer(state.session), state.session
        )
    assert first.data["ticket"] and first.data["session_detail"]["id"] == session.pk
    assert first.fields["ticket"] is not second.fields["ticket"]
    assert first.fields["ticket"].parent is first and second.fields["ticket"].parent is second
    # Nested: the session's fields are the nested serializer's own, per instance too.
    nested_first, nested_second = first.fields["session_detail"], second.fields["session_detail"]
    assert nested_first is not nested_second and nested_first.parent is first
    assert nested_first.fields["free"] is not nested_second.fields["free"]
    assert nested_first.fields["free"].parent is nested_first
    # The class's own fields are never bound (a copy's binding must not reach them).
    assert all(f.parent is None for f in MyRegistrationSerializer._fields_built_once.values())
    # A plain serializer's declared fields too: each body checked by its own copy, as DRF would.
    from programs.api.serializers import ProgramSignUpSerializer

    class PlainBody(drf.Serializer):
        session = drf.IntegerField()

    for body in ({"session": 12}, {"session": "十二"}, {}, {"session": 2**70}):
        ours, drfs = ProgramSignUpSerializer(data=body), PlainBody(data=body)
        assert ours.is_valid() == drfs.is_valid() and ours.errors == drfs.errors, body
    assert all(f.parent is None for f in ProgramSignUpSerializer._fields_built_once.values())


def test_represent_shows_what_data_shows_through_one_serializer(site):
    # FieldsBuiltOnce.represent: the sign-up's answer through a serializer kept per class and thread.
    from programs.api.serializers import MyRegistrationSerializer

    session = make.session(make.program(site), capacity=1)
    seated = engine.sign_up(session, make.worker(site))
    waiting = engine.sign_up(session, make.worker(site))
    for registration in (seated, waiting, seated):
        assert MyRegistrationSerializer.represent(registration) == MyRegistrationSerializer(registration).data
    assert MyRegistrationSerializer.represent(waiting)["ticket"] is None
    assert MyRegistrationSerializer.represent(seated)["session_detail"]["id"] == session.pk


def test_a_session_that_is_not_there_is_told_in_the_callers_language(site, login):
    client = login(make.worker(site).user)
    for language, told in (("zh-hans", "场次不存在"), ("en", "No such session")):
        answer = client.post(
            "/api/v1/me/registrations/",
            {"session": 999_999},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert answer.status_code == 400 and answer.json()["session"] == [told]
