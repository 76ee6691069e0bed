"""困难帮扶 on the H5: a member applies for their household (ID numbers validated, consent required),
sees the file's status in 我的帮扶, is refused a second file (pointed to the first); the worker API."""

import pytest
from django.urls import reverse

from accounts.models import User
from rights.models import AidCase, HouseholdMember
from rights.services import aid
from tests import factories


@pytest.fixture
def rider(tree):
    person = factories.member(tree["site_a"], "王骑手")
    person.user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.save()
    return person


def _post(member_id, **extra):
    data = {
        "tier": "accident",
        "cause": "送餐途中摔伤，三个月不能工作",
        "annual_income": "26000",
        "consent": "on",
        "m-TOTAL_FORMS": "4",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "12",
        "m-0-name": "李秀兰",
        "m-0-id_number": member_id,
        "m-0-relation": "妻子",
        "m-0-annual_income": "0",
    }
    data.update(extra)
    return data


def test_member_applies_and_sees_the_status(tree, rider, login):
    client = login(rider.user)
    page = client.get(reverse("portal:aid-apply")).content.decode()
    assert "一户一档" in page and "个人信息保护告知书" in page
    assert reverse("portal:my-aid") in client.get(reverse("portal:me")).content.decode()
    member_id = factories.id_number()
    response = client.post(reverse("portal:aid-apply"), _post(member_id))
    assert response.status_code == 302 and response["Location"] == reverse("portal:my-aid")
    case = AidCase.objects.get()
    assert case.applicant == rider and case.union == tree["site_a"] and case.created_by is None
    mine = client.get(reverse("portal:my-aid")).content.decode()
    assert f"#{case.pk}" in mine and "等待工会入户走访" in mine and "李**" in mine and member_id not in mine
    # a second application is refused on the page itself
    page = client.get(reverse("portal:aid-apply")).content.decode()
    assert f"#{case.pk}" in page and "一户只建一档" in page


def test_bad_id_number_and_missing_consent_change_nothing(tree, rider, login):
    client = login(rider.user)
    response = client.post(reverse("portal:aid-apply"), _post("330621199001011235"))
    assert response.status_code == 200 and AidCase.objects.count() == 0
    response = client.post(reverse("portal:aid-apply"), _post(factories.id_number(), consent=""))
    assert response.status_code == 200 and AidCase.objects.count() == 0


def test_household_member_in_another_file_is_refused_without_saying_whose(tree, rider, login):
    """The worker is not told the other file's number or union: typing anyone's ID number as a
    household member's would tell whose household holds a hardship file. The union looks it up."""
    official = factories.official("site_rights", "rights", tree["site_a"])
    member_id = factories.id_number()
    first = aid.apply(
        union=tree["site_a"],
        applicant=factories.member(tree["site_a"], "赵某某"),
        tier="deep",
        cause="重病致困，无力支付医疗费",
        annual_income="10000",
        members=[aid.MemberEntry(member_id, "李秀兰", "母亲")],
        by=official,
    )
    client = login(rider.user)
    response = client.post(reverse("portal:aid-apply"), _post(member_id))
    page = response.content.decode()
    assert response.status_code == 200 and "已在其他帮扶档案中" in page and "请联系工会" in page
    assert f"档案编号 #{first.pk}" not in page and "赵" not in page  # (the rider's own union is on the form)
    assert AidCase.objects.count() == 1 and HouseholdMember.objects.count() == 2


def test_non_member_is_asked_to_join_first(tree, login):
    from members.models import Person

    person = Person(name="游客")
    person.set_phone(factories.phone())
    person.save()
    person.user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.save()
    client = login(person.user)
    page = client.get(reverse("portal:aid-apply")).content.decode()
    assert "请先加入工会" in page
    client.post(reverse("portal:aid-apply"), _post(factories.id_number()))
    assert AidCase.objects.count() == 0


def test_worker_api(tree, rider, login):
    client = login(rider.user)
    body = {
        "tier": "relative",
        "cause": "家中老人长期卧床",
        "annual_income": "30000",
        "members": [{"name": "王老汉", "id_number": factories.id_number(), "relation": "父亲"}],
    }
    made = client.post("/api/v1/me/aid-cases/", body, "application/json")
    assert made.status_code == 201 and made.json()["status"] == "applied"
    again = client.post("/api/v1/me/aid-cases/", body, "application/json")
    assert again.status_code == 400
    listed = client.get("/api/v1/me/aid-cases/").json()
    assert [c["id"] for c in listed["results"]] == [made.json()["id"]]
    other = factories.official("site_rights", "rights", tree["site_a"])
    assert login(other).get("/api/v1/me/aid-cases/").status_code in (403, 404)


def test_phone_only_member_gives_their_id_number_once(tree, login):
    from members.models import Membership, Person

    person = Person(name="")
    person.set_phone(factories.phone())
    person.save()
    Membership.objects.create(person=person, union=tree["site_a"], card_number=f"K{person.pk:09d}")
    person.user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.save()
    client = login(person.user)
    assert "您的身份证号" in client.get(reverse("portal:aid-apply")).content.decode()
    own = factories.id_number()
    taken = factories.member(tree["site_b"], "别人").decrypted("id_number")
    response = client.post(
        reverse("portal:aid-apply"), _post(factories.id_number(), own_name="张三", own_id_number=taken)
    )
    assert response.status_code == 200 and "另一账号" in response.content.decode()
    assert AidCase.objects.count() == 0
    response = client.post(
        reverse("portal:aid-apply"), _post(factories.id_number(), own_name="张三", own_id_number=own)
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "张三" and person.id_number_mask.endswith(own[-4:])
    assert AidCase.objects.get().applicant == person
