"""API of legal consultations: lawyers see only what is assigned and answer through their path; officials
reassign and record cases; workers list, ask (with photos), follow up, rate and close their own only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Role, User
from rights.models import Consultation, DutyDay, Lawyer, RightsCase
from rights.services import legal
from stations.models import Station
from tests import factories

QUESTION = "我下班的时候摔了一跤，人没事，餐食坏了，公司要我出钱赔，请问我可以拒绝吗？"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def make_lawyer(union, username, name, **fields):
    return Lawyer.objects.create(
        user=factories.official(username, "lawyer", union), union=union, name=name, **fields
    )


@pytest.fixture
def world(tree):
    zhang = make_lawyer(tree["district"], "lw_zhang", "张律师", max_open=1)
    li = make_lawyer(tree["district"], "lw_li", "李律师", max_open=1)
    person = factories.member(tree["site_a"], "王小明")
    person.user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.save()
    first = legal.submit(person, "penalty", QUESTION)
    second = legal.submit(person, "wages", "站点拖欠了两个月的工资，我该怎么办？")
    return {
        "zhang": zhang,
        "li": li,
        "person": person,
        "first": first,
        "second": second,
        "official": factories.official("kq_rights", "rights", tree["district"]),
    }


def test_lawyer_lists_and_answers_only_assigned(world):
    zhang, first, second = world["zhang"], world["first"], world["second"]
    client = api(zhang.user)
    listed = client.get("/api/v1/consultations/").json()["results"]
    assert [c["id"] for c in listed] == [first.pk]
    assert listed[0]["person"] == "王**"
    assert client.get(f"/api/v1/consultations/{second.pk}/").status_code == 404
    assert client.post(f"/api/v1/consultations/{second.pk}/answer/", {"body": "越权"}).status_code == 404
    done = client.post(f"/api/v1/consultations/{first.pk}/answer/", {"body": "可以拒绝。"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "answered" and done.json()["messages"][0]["author_kind"] == "lawyer"
    assert (
        client.post(f"/api/v1/consultations/{first.pk}/answer/", {"body": ""}, format="json").status_code
        == 400
    )
    # A lawyer cannot reassign: another lawyer is not even visible to them; nothing changed.
    response = client.post(f"/api/v1/consultations/{first.pk}/reassign/", {"lawyer": world["li"].pk})
    assert response.status_code == 400
    first.refresh_from_db()
    assert first.lawyer == zhang
    assert [row["id"] for row in client.get("/api/v1/lawyers/").json()["results"]] == [zhang.pk]


def test_official_reassigns_and_records_a_case(world):
    client = api(world["official"])
    first, li = world["first"], world["li"]
    assert {c["id"] for c in client.get("/api/v1/consultations/").json()["results"]} == {
        first.pk,
        world["second"].pk,
    }
    response = client.post(f"/api/v1/consultations/{first.pk}/reassign/", {"lawyer": li.pk}, format="json")
    assert response.status_code == 200 and response.json()["lawyer"] == li.pk
    too_long = client.post(
        f"/api/v1/consultations/{first.pk}/case/", {"summary": "调" * 100_000}, format="json"
    )
    assert too_long.status_code == 400 and "5000" in too_long.json()["summary"][0]
    assert not RightsCase.objects.exists()
    created = client.post(f"/api/v1/consultations/{first.pk}/case/", {"summary": "调解"}, format="json")
    assert created.status_code == 201
    assert client.post(f"/api/v1/consultations/{first.pk}/case/", {}, format="json").status_code == 400
    case = RightsCase.objects.get()
    outcome = client.post(
        f"/api/v1/rights-cases/{case.pk}/outcome/",
        {"outcome": "mediated", "amount_recovered": "1200.00"},
        format="json",
    )
    assert outcome.status_code == 200 and outcome.json()["amount_recovered"] == "1200.00"
    long_outcome = {"outcome": "mediated", "summary": "调" * 5001}
    refused = client.post(f"/api/v1/rights-cases/{case.pk}/outcome/", long_outcome, format="json")
    assert refused.status_code == 400 and "summary" in refused.json()
    assert RightsCase.objects.get().summary == "调解"
    assert client.get("/api/v1/consultations/?category=wages").json()["count"] == 1


def test_an_outsider_official_sees_nothing(world, tree):
    other = factories.official("hs_rights", "rights", tree["town_b"])
    client = api(other)
    assert client.get("/api/v1/consultations/").json()["count"] == 0
    assert client.post(f"/api/v1/consultations/{world['first'].pk}/close/").status_code == 404


def _png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def test_worker_endpoints_own_only(world, tree):
    person = world["person"]
    client = api(person.user)
    mine = client.get("/api/v1/me/consultations/").json()["results"]
    assert {c["id"] for c in mine} == {world["first"].pk, world["second"].pk}
    assert "person" not in mine[0] and "lawyer" not in mine[0]
    created = client.post(
        "/api/v1/me/consultations/",
        {
            "category": "traffic",
            "question": "电动车和汽车相撞，对方全责但不赔，怎么办？",
            "no_employer_contact": "true",
            "photos": [SimpleUploadedFile("a.png", _png(), content_type="image/png")],
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    new = Consultation.objects.get(pk=created.json()["id"])
    assert new.no_employer_contact and new.photos.count() == 1 and new.person == person
    bad = client.post("/api/v1/me/consultations/", {"category": "nope", "question": "x"}, format="json")
    assert bad.status_code == 400
    # Rating before an answer is refused; after it, accepted once.
    first = world["first"]
    assert client.post(f"/api/v1/me/consultations/{first.pk}/rate/", {"rating": 5}).status_code == 400
    legal.answer(first, world["zhang"].user, "可以拒绝。")
    assert client.post(f"/api/v1/me/consultations/{first.pk}/rate/", {"rating": 7}).status_code == 400
    rated = client.post(f"/api/v1/me/consultations/{first.pk}/rate/", {"rating": 5, "comment": "好"})
    assert rated.status_code == 200 and rated.json()["rating"] == 5
    message = client.post(f"/api/v1/me/consultations/{first.pk}/message/", {"body": "谢谢"})
    assert [m["author_kind"] for m in message.json()["messages"]] == ["lawyer", "worker"]
    assert client.post(f"/api/v1/me/consultations/{first.pk}/close/").json()["status"] == "closed"
    # Another worker sees none of it.
    other = factories.member(tree["site_a"], "别人")
    other.user = User.objects.create_user(f"w{other.pk}", is_worker=True)
    other.save()
    stranger = api(other.user)
    assert stranger.get("/api/v1/me/consultations/").json()["count"] == 0
    assert stranger.get(f"/api/v1/me/consultations/{first.pk}/").status_code == 404
    assert stranger.post(f"/api/v1/me/consultations/{first.pk}/message/", {"body": "x"}).status_code == 404
    # Workers are not officials: the scoped endpoints answer 404.
    assert stranger.get("/api/v1/consultations/").status_code == 404


def test_lawyers_and_duty_days(world, tree):
    client = api(world["official"])
    candidate = factories.official("lw_wang", "lawyer", tree["district"])
    plain = factories.official("plain", "viewer", tree["district"])
    refused = client.post(
        "/api/v1/lawyers/",
        {"user": plain.pk, "union": tree["district"].pk, "name": "假", "max_open": 3},
        format="json",
    )
    assert refused.status_code == 400
    made = client.post(
        "/api/v1/lawyers/",
        {
            "user": candidate.pk,
            "union": tree["district"].pk,
            "name": "王律师",
            "categories": ["injury"],
            "max_open": 3,
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["categories"] == ["injury"]
    station = Station.objects.create(union=tree["site_a"], name="驿站", kind="worker", address="柯桥")
    duty = client.post(
        "/api/v1/duty-days/",
        {
            "lawyer": made.json()["id"],
            "station": station.pk,
            "day": "2030-05-01",
            "starts_at": "14:00",
            "ends_at": "13:00",
        },
        format="json",
    )
    assert duty.status_code == 400 and not DutyDay.objects.exists()
    duty = client.post(
        "/api/v1/duty-days/",
        {
            "lawyer": made.json()["id"],
            "station": station.pk,
            "day": "2030-05-01",
            "starts_at": "14:00",
            "ends_at": "17:00",
        },
        format="json",
    )
    assert duty.status_code == 201 and DutyDay.objects.count() == 1


def test_a_lawyer_whose_role_is_revoked_gets_and_sees_nothing(world, tree):
    zhang, first = world["zhang"], world["first"]
    assert first.lawyer == zhang
    Role.objects.filter(user=zhang.user, kind="lawyer").update(active=False)
    Role.objects.create(user=zhang.user, union=tree["town_b"], kind="viewer")  # another kind, elsewhere
    zhang.user.forget_roles()
    client = api(zhang.user)
    assert client.get("/api/v1/consultations/").json()["count"] == 0
    assert client.get(f"/api/v1/consultations/{first.pk}/").status_code == 404
    # New questions go to a lawyer who can answer them (李律师, given room for one more), never to 张律师.
    Lawyer.objects.filter(pk=world["li"].pk).update(max_open=2)
    third = legal.submit(world["person"], "injury", "送餐路上被车撞了，算工伤吗？")
    assert third.lawyer == world["li"]
    fourth = legal.submit(world["person"], "relationship", "没签劳动合同，可以要求补签吗？")
    assert fourth.lawyer is None
