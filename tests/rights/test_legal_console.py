"""Console pages of legal consultations: a lawyer sees only what is assigned, answers it; a rights
official sees the subtree, reassigns, makes a case; the worker appears masked; lawyers and duty days."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from rights.models import Consultation, DutyDay, Lawyer, RightsCase
from rights.services import legal
from stations.models import Station
from tests import factories

QUESTION = "我下班的时候摔了一跤，人没事，餐食坏了，公司要我出钱赔，请问我可以拒绝吗？"


def make_lawyer(union, username, name, **fields):
    user = factories.official(username, "lawyer", union)
    return Lawyer.objects.create(user=user, union=union, name=name, **fields)


@pytest.fixture
def setup(tree):
    zhang = make_lawyer(tree["district"], "lw_zhang", "张律师", max_open=1)
    li = make_lawyer(tree["district"], "lw_li", "李律师", max_open=1)
    person = factories.member(tree["site_a"], "王小明")
    person.user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.save()
    first = legal.submit(person, "penalty", QUESTION, no_employer_contact=True)
    second = legal.submit(person, "wages", "站点拖欠了两个月的工资，我该怎么办？")
    official = factories.official("kq_rights", "rights", tree["district"])
    town_b_official = factories.official("hs_rights", "rights", tree["town_b"])
    return {
        "zhang": zhang,
        "li": li,
        "person": person,
        "first": first,
        "second": second,
        "official": official,
        "town_b": town_b_official,
    }


def test_lawyer_sees_only_assigned(setup, login):
    zhang, first, second = setup["zhang"], setup["first"], setup["second"]
    assert (first.lawyer, second.lawyer) == (zhang, setup["li"])
    client = login(zhang.user)
    listing = client.get("/console/consultations/").content.decode()
    assert f"/console/consultations/{first.pk}/" in listing
    assert f"/console/consultations/{second.pk}/" not in listing
    assert client.get(f"/console/consultations/{second.pk}/").status_code == 404
    assert client.post(f"/console/consultations/{second.pk}/reply/", {"body": "越权"}).status_code == 404
    assert second.messages.count() == 0
    page = client.get(f"/console/consultations/{first.pk}/").content.decode()
    # Masked name only, and the no-employer-contact notice.
    assert "王**" in page and "王小明" not in page
    assert "职工要求：不要联系其用人单位。" in page
    assert "改派律师" not in page
    mine = client.get("/console/consultations/mine/").content.decode()
    assert f"#{first.pk}" in mine and f"#{second.pk}" not in mine and "王**" in mine


def test_lawyer_answers_in_the_console(setup, login):
    zhang, first = setup["zhang"], setup["first"]
    client = login(zhang.user)
    response = client.post(f"/console/consultations/{first.pk}/reply/", {"body": "您可以拒绝全额赔偿。"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "answered" and first.answered_at is not None
    assert first.messages.get().author_kind == "lawyer"
    # The lawyer may not reassign.
    client.post(f"/console/consultations/{first.pk}/reassign/", {"lawyer": setup["li"].pk})
    first.refresh_from_db()
    assert first.lawyer == zhang


def test_official_sees_subtree_reassigns_and_makes_a_case(setup, login):
    official, first, li = setup["official"], setup["first"], setup["li"]
    client = login(official)
    listing = client.get("/console/consultations/").content.decode()
    assert (
        f"/console/consultations/{first.pk}/" in listing
        and f"/console/consultations/{setup['second'].pk}/" in listing
    )
    page = client.get(f"/console/consultations/{first.pk}/").content.decode()
    assert "改派律师" in page and "王**" in page
    client.post(f"/console/consultations/{first.pk}/reassign/", {"lawyer": li.pk})
    first.refresh_from_db()
    assert first.lawyer == li
    client.post(f"/console/consultations/{first.pk}/case/", {"summary": "协商"})
    case = RightsCase.objects.get(consultation=first)
    client.post(
        f"/console/rights-cases/{case.pk}/",
        {"outcome": "mediated", "amount_recovered": "320.00", "closed_on": "", "summary": "调解成功"},
    )
    case.refresh_from_db()
    assert (case.outcome, str(case.amount_recovered), case.closed_on) == (
        "mediated",
        "320.00",
        timezone.localdate(),
    )
    # An official of another town's subtree sees none of the district's consultations.
    other = login(setup["town_b"])
    assert other.get(f"/console/consultations/{first.pk}/").status_code == 404


def test_filters_overdue_and_status(setup, login):
    first = setup["first"]
    Consultation.objects.filter(pk=first.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    client = login(setup["official"])
    body = client.get("/console/consultations/?overdue=true").content.decode()
    assert (
        f"/console/consultations/{first.pk}/" in body
        and f"/console/consultations/{setup['second'].pk}/" not in body
    )
    body = client.get("/console/consultations/?category=wages").content.decode()
    assert (
        f"/console/consultations/{setup['second'].pk}/" in body
        and f"/console/consultations/{first.pk}/" not in body
    )
    body = client.get(f"/console/consultations/?lawyer={setup['zhang'].pk}").content.decode()
    assert (
        f"/console/consultations/{first.pk}/" in body
        and f"/console/consultations/{setup['second'].pk}/" not in body
    )


def test_lawyer_profile_needs_the_lawyer_role(tree, login):
    official = factories.official("kq_rights", "rights", tree["district"])
    candidate = factories.official("lw_wang", "lawyer", tree["district"])
    plain = factories.official("plain", "viewer", tree["district"])
    client = login(official)
    form = client.get("/console/lawyers/add/").content.decode()
    assert "lw_wang" in form and ">plain<" not in form
    client.post(
        "/console/lawyers/add/",
        {"user": plain.pk, "union": tree["district"].pk, "name": "假律师", "max_open": 5, "active": "on"},
    )
    assert not Lawyer.objects.exists()
    response = client.post(
        "/console/lawyers/add/",
        {
            "user": candidate.pk,
            "union": tree["district"].pk,
            "name": "王律师",
            "firm": "某律所",
            "categories": ["penalty", "wages"],
            "regions": [tree["town_a"].region_id],
            "max_open": 5,
            "active": "on",
        },
    )
    assert response.status_code == 302
    lawyer = Lawyer.objects.get()
    assert (lawyer.user, lawyer.categories, list(lawyer.regions.values_list("code", flat=True))) == (
        candidate,
        ["penalty", "wages"],
        ["330603001"],
    )
    page = client.get(f"/console/lawyers/{lawyer.pk}/").content.decode()
    assert "平台处罚与扣款、工资报酬与欠薪" in page and "柯桥街道" in page


def test_duty_days_crud(tree, login):
    official = factories.official("kq_rights", "rights", tree["district"])
    lawyer = make_lawyer(tree["district"], "lw_zhang", "张律师")
    station = Station.objects.create(union=tree["site_a"], name="柯桥小哥驿站", kind="worker", address="柯桥")
    client = login(official)
    day = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    data = {"lawyer": lawyer.pk, "station": station.pk, "day": day, "starts_at": "14:00", "ends_at": "17:00"}
    assert client.post("/console/duty-days/add/", data).status_code == 302
    duty = DutyDay.objects.get()
    # The end before the start is refused.
    client.post("/console/duty-days/add/", {**data, "starts_at": "18:00", "day": "2030-01-01"})
    assert DutyDay.objects.count() == 1
    assert "柯桥小哥驿站" in client.get("/console/duty-days/").content.decode()
    client.post(f"/console/duty-days/{duty.pk}/", {**data, "ends_at": "18:00"})
    duty.refresh_from_db()
    assert duty.ends_at == datetime.time(18)
    # Another town's rights official can neither open nor change it.
    outsider = login(factories.official("hs_rights", "rights", tree["town_b"]))
    assert outsider.get(f"/console/duty-days/{duty.pk}/").status_code == 404
    assert outsider.post(f"/console/duty-days/{duty.pk}/", {**data, "ends_at": "19:00"}).status_code == 404
    duty.refresh_from_db()
    assert duty.ends_at == datetime.time(18)
    # A role that sees duty days without arranging them follows a row of the list to the lawyer's
    # page, where they are listed (it was a 404); posting there changes nothing.
    viewer = login(factories.official("kq_viewer", "viewer", tree["district"]))
    assert f'href="/console/duty-days/{duty.pk}/"' in viewer.get("/console/duty-days/").content.decode()
    response = viewer.get(f"/console/duty-days/{duty.pk}/", follow=True)
    assert response.redirect_chain == [(lawyer.get_absolute_url(), 302)]
    assert "柯桥小哥驿站" in response.content.decode()
    assert viewer.post(f"/console/duty-days/{duty.pk}/", {**data, "ends_at": "19:00"}).status_code == 404
    duty.refresh_from_db()
    assert duty.ends_at == datetime.time(18)
    # The lawyer may see their duty days but not delete them.
    assert login(lawyer.user).post(f"/console/duty-days/{duty.pk}/delete/").status_code == 404
    client.post(f"/console/duty-days/{duty.pk}/delete/")
    assert not DutyDay.objects.exists()
