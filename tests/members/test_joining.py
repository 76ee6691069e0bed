"""Joining: routing, one person nationwide, review with reasons, auto-approval, on-site enrolment."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import HistoryEntry, Notification
from members.models import Consent, JoinRequest, Membership, Person, Transfer
from members.services import joining
from orgs.models import Employer

from .. import factories


@pytest.fixture
def district(tree):
    """The tree plus a new-economy federation and a joint union under 柯桥街道, and employers."""
    new_economy = factories.union("柯桥街道新业态工会联合会", "new_economy", tree["town_a"])
    joint = factories.union("柯桥街道联合工会", "joint", tree["town_a"])
    covered = Employer.objects.create(
        name="饿了么柯桥站",
        sector="food_delivery",
        region=tree["town_a"].region,
        area_union=tree["town_a"],
        union=tree["site_a"],
    )
    uncovered = Employer.objects.create(
        name="美团柯桥站", sector="food_delivery", region=tree["town_a"].region, area_union=tree["town_a"]
    )
    far = Employer.objects.create(
        name="华舍某网点", sector="express", region=tree["town_b"].region, area_union=tree["town_b"]
    )
    return {
        **tree,
        "new_economy": new_economy,
        "joint": joint,
        "covered": covered,
        "uncovered": uncovered,
        "far": far,
    }


def join(**fields):
    values = {
        "name": "张骑手",
        "id_number": factories.id_number(),
        "phone": factories.phone(),
        "employment_form": "delivery_rider",
    }
    return joining.submit(**(values | fields))


def test_routing_cases(district):
    d = district
    assert joining.route("courier", union=d["site_b"])[0] == d["site_b"]
    assert joining.route("courier", employer=d["covered"]) == (d["site_a"], "“饿了么柯桥站”的覆盖工会")
    assert joining.route("delivery_rider", employer=d["uncovered"]) == (
        d["new_economy"],
        "按属地“柯桥街道总工会”和就业形态分配到新业态工会联合会",
    )
    assert joining.route("other", employer=d["uncovered"]) == (
        d["joint"],
        "按属地“柯桥街道总工会”和就业形态分配到联合工会/区域工会",
    )
    # 华舍 has neither: walk up to the district, which has none either, so the area union takes it.
    assert joining.route("courier", employer=d["far"]) == (d["town_b"], "属地工会“华舍街道总工会”受理")
    # A new-economy federation higher up is found by walking up.
    district_ne = factories.union("柯桥区新业态工会联合会", "new_economy", d["district"])
    assert joining.route("courier", area_union=d["town_b"])[0] == district_ne
    with pytest.raises(ValidationError):
        joining.route("courier")


def test_submit_creates_the_person_consent_and_a_routed_request(district):
    raw_id = factories.id_number()
    request = join(id_number=raw_id, employer=district["uncovered"], source="美团柯桥站海报")
    person = Person.objects.get()
    assert (person.name, person.employment_form, person.decrypted("id_number")) == (
        "张骑手",
        "delivery_rider",
        raw_id,
    )
    assert (request.union, request.status, request.channel, request.source) == (
        district["new_economy"],
        "submitted",
        "qr",
        "美团柯桥站海报",
    )
    consent = Consent.objects.get(person=person)
    assert (consent.purpose, consent.text_version, consent.channel) == ("membership", "2026-11", "h5")
    assert request.consent == consent
    assert Membership.objects.count() == 0
    assert HistoryEntry.objects.for_object(request).filter(verb="submitted").count() == 1


def test_same_id_number_is_the_same_person_and_a_second_open_request_is_refused(district):
    raw_id = factories.id_number()
    join(id_number=raw_id, employer=district["uncovered"])
    before = (Person.objects.count(), JoinRequest.objects.count(), Consent.objects.count())
    with pytest.raises(ValidationError) as refused:
        join(id_number=raw_id, employer=district["covered"])
    assert refused.value.messages == ["您已有一份入会申请正在办理"]
    # Under another name, unproven: the name on record stays, and the difference is said.
    with pytest.raises(ValidationError, match="姓名与登记的不一致"):
        join(id_number=raw_id, employer=district["covered"], name="张三")
    assert (Person.objects.count(), JoinRequest.objects.count(), Consent.objects.count()) == before
    assert Person.objects.get().name == "张骑手"


def test_bad_id_number_changes_nothing(district):
    valid = factories.id_number()
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    with pytest.raises(ValidationError):
        join(id_number=wrong_check, employer=district["uncovered"])
    assert (Person.objects.count(), JoinRequest.objects.count()) == (0, 0)


def test_active_member_elsewhere_becomes_a_transfer(district):
    member = factories.member(district["site_b"], "李快递")
    raw_id = member.decrypted("id_number")
    request = join(
        id_number=raw_id, name="李快递", employer=district["covered"], phone=member.decrypted("phone")
    )
    assert Person.objects.count() == 1
    transfer = Transfer.objects.get()
    assert (transfer.from_union, transfer.to_union, transfer.status, transfer.join_request) == (
        district["site_b"],
        district["site_a"],
        "requested",
        request,
    )
    assert request.routing == "“饿了么柯桥站”的覆盖工会；已是“顺丰华舍网点工会”会员，转为会员关系接转"
    assert Membership.objects.filter(person=member).count() == 1


def test_already_member_of_that_union_is_told_so(district):
    member = factories.member(district["site_a"], "李快递")
    with pytest.raises(ValidationError) as refused:
        join(
            id_number=member.decrypted("id_number"),
            name="李快递",
            phone=member.decrypted("phone"),
            employer=district["covered"],
        )
    assert refused.value.messages == ["您已是饿了么柯桥站工会的会员"]
    assert JoinRequest.objects.count() == 0


def test_approve_creates_the_membership_with_a_card_number(district, settings):
    officer = factories.official("ne_org", "organisation", district["new_economy"])
    request = join(employer=district["uncovered"])
    approved = joining.approve(request, officer, "材料齐全")
    membership = Membership.objects.get()
    assert (approved.status, approved.membership, approved.decided_by, approved.decision_reason) == (
        "approved",
        membership,
        officer,
        "材料齐全",
    )
    assert membership.card_number == f"330603{membership.joined_on.year}0000001"
    assert (membership.union, membership.channel, membership.status) == (
        district["new_economy"],
        "qr",
        "active",
    )
    # The second in the same region and year takes the next number.
    second = joining.approve(join(employer=district["uncovered"]), officer)
    assert second.membership.card_number == f"330603{membership.joined_on.year}0000002"


def test_official_of_another_union_cannot_decide_and_nothing_changes(district):
    outsider = factories.official("hs_org", "organisation", district["town_b"])
    viewer = factories.official("kq_view", "viewer", district["town_a"])
    request = join(employer=district["uncovered"])
    for user in (outsider, viewer):
        with pytest.raises(PermissionDenied):
            joining.approve(request, user)
        with pytest.raises(PermissionDenied):
            joining.reject(request, user, "不符合条件")
    request.refresh_from_db()
    assert (request.status, request.decided_by, Membership.objects.count()) == ("submitted", None, 0)


def test_reject_needs_a_reason_and_tells_the_worker(district):
    officer = factories.official("kq_org", "organisation", district["town_a"])
    request = join(employer=district["uncovered"])
    with pytest.raises(ValidationError):
        joining.reject(request, officer, "  ")
    request.refresh_from_db()
    assert request.status == "submitted"
    joining.reject(request, officer, "不在本辖区工作")
    request.refresh_from_db()
    assert (request.status, request.decision_reason, request.decided_by) == (
        "rejected",
        "不在本辖区工作",
        officer,
    )
    assert Membership.objects.count() == 0
    with pytest.raises(ValidationError):
        joining.approve(request, officer)
    assert Membership.objects.count() == 0


def test_ask_for_information_and_the_worker_replies(district):
    officer = factories.official("kq_org", "organisation", district["town_a"])
    request = join(employer=district["uncovered"])
    joining.ask_info(request, officer, "请上传站点工作证明")
    request.refresh_from_db()
    assert (request.status, request.info_request) == ("info_requested", "请上传站点工作证明")
    with pytest.raises(PermissionDenied):
        joining.reply(request, factories.member(district["site_b"]), "我是别人")
    joining.reply(request, request.person, "站长可以证明")
    request.refresh_from_db()
    assert (request.status, request.worker_reply) == ("submitted", "站长可以证明")
    steps = list(HistoryEntry.objects.for_object(request).exclude(verb="").values_list("verb", flat=True))
    assert sorted(steps) == ["info_requested", "replied", "submitted"]


def test_auto_approval_by_rule(district, settings):
    settings.JOIN_AUTO_APPROVE_KINDS = ["new_economy"]
    request = join(employer=district["uncovered"], phone_verified=True)
    assert (request.status, request.auto_approved, request.decided_by) == ("approved", True, None)
    assert request.membership.union == district["new_economy"]
    # Not verified, or another kind of union: reviewed.
    assert join(employer=district["uncovered"]).status == "submitted"
    assert join(employer=district["covered"], phone_verified=True).status == "submitted"


def test_official_enrols_on_site(district):
    officer = factories.official("kq_org", "organisation", district["town_a"])
    request = joining.enrol(
        officer,
        district["joint"],
        name="王阿姨",
        id_number=factories.id_number(female=True),
        phone=factories.phone(),
        employment_form="domestic_worker",
        channel="mobile_window",
    )
    assert (request.status, request.channel, request.decided_by) == ("approved", "mobile_window", officer)
    assert request.routing == "柯桥街道联合工会工作人员代为登记"
    assert Consent.objects.get().channel == "paper"
    assert request.membership.channel == "mobile_window"
    with pytest.raises(PermissionDenied):
        joining.enrol(
            officer,
            district["site_b"],
            name="外区",
            id_number=factories.id_number(),
            phone=factories.phone(),
            employment_form="courier",
        )
    assert Membership.objects.count() == 1


def test_the_employer_is_never_told(district):
    person = factories.member(district["site_b"])
    person.user = factories.official("w1", None, None)
    person.save()
    officer = factories.official("kq_org", "organisation", district["town_a"])
    boss = factories.official("boss", "organisation", district["site_a"])
    joining.approve(join(employer=district["uncovered"]), officer)
    assert Notification.objects.filter(user=boss).count() == 0


def test_a_verified_phone_does_not_take_over_a_known_id_number(district):
    """Someone who knows another's ID number and proves only their own phone changes nothing."""
    victim = factories.member(district["site_b"], "王真名")
    id_number, phone = victim.decrypted("id_number"), victim.decrypted("phone")
    before = (victim.name, victim.phone_hash, Membership.objects.filter(person=victim).count())
    with pytest.raises(ValidationError, match="该身份证号已登记"):
        join(name="冒名者", id_number=id_number, union=district["site_a"], phone_verified=True)
    victim.refresh_from_db()
    assert (victim.name, victim.phone_hash, Membership.objects.filter(person=victim).count()) == before
    assert not JoinRequest.objects.filter(person=victim).exists() and not Transfer.objects.exists()
    # A known phone with another ID number: refused too.
    with pytest.raises(ValidationError, match="该手机号已登记在另一位职工名下"):
        join(phone=phone, union=district["site_a"], phone_verified=True)
    # The person themselves, proving the phone on record, go on to a transfer as before.
    moved = join(
        name="王真名", id_number=id_number, phone=phone, union=district["site_a"], phone_verified=True
    )
    assert moved.person == victim


def test_a_decision_text_too_long_is_said_and_nothing_decided(district, client):
    request = join(union=district["site_a"])
    official = factories.official("site_org", "organisation", district["site_a"])
    client.force_login(official)
    page = client.post(f"/console/joins/{request.pk}/approve/", {"text": "很" * 1001}, follow=True)
    assert "1000" in page.content.decode()
    request.refresh_from_db()
    assert request.status == "submitted"


def test_an_official_enrolling_a_new_id_number_with_a_known_phone_renames_nobody(district, client):
    """The console enrols without a code: a phone already on another person's record with another ID
    number is refused on the page, and that person keeps their name and ID number."""
    owner = factories.member(district["site_b"], "王机主")
    before = (owner.name, owner.id_number_hash, owner.phone_hash)
    officer = factories.official("kq_org", "organisation", district["town_a"])
    client.force_login(officer)
    page = client.post(
        "/console/joins/enrol/",
        {
            "union": district["site_a"].pk,
            "channel": "on_site",
            "name": "新来的",
            "id_number": factories.id_number(),
            "phone": owner.decrypted("phone"),
            "employment_form": "courier",
            "consent": "on",
        },
    )
    assert page.status_code == 200
    assert "该手机号已登记在另一位职工名下" in page.content.decode()
    owner.refresh_from_db()
    assert (owner.name, owner.id_number_hash, owner.phone_hash) == before
    assert not JoinRequest.objects.exists() and Person.objects.count() == 1


def test_an_official_elsewhere_cannot_rename_a_known_person(district, client):
    """The console proves nothing but the ID number typed: a known person's name is not replaced."""
    person = factories.member(district["site_a"], "张三丰")
    officer = factories.official("hs_org", "organisation", district["site_b"])
    client.force_login(officer)
    form = {
        "union": district["site_b"].pk,
        "channel": "on_site",
        "name": "被改名",
        "id_number": person.decrypted("id_number"),
        "phone": factories.phone(),
        "employment_form": "courier",
        "consent": "on",
    }
    page = client.post("/console/joins/enrol/", form)
    assert page.status_code == 200 and "姓名与登记的不一致" in page.content.decode()
    person.refresh_from_db()
    assert person.name == "张三丰" and not JoinRequest.objects.exists() and not Transfer.objects.exists()
    # The same person with the name on record: enrolled (a transfer, as they are a member elsewhere).
    moved = client.post("/console/joins/enrol/", {**form, "name": "张三丰"})
    assert moved.status_code == 302 and JoinRequest.objects.get().person == person
    # A record with no name yet takes the one typed.
    unnamed = factories.member(district["site_a"], "")
    named = client.post(
        "/console/joins/enrol/", {**form, "name": "李四", "id_number": unnamed.decrypted("id_number")}
    )
    unnamed.refresh_from_db()
    assert named.status_code == 302, named.context["form"].errors
    assert unnamed.name == "李四"


@pytest.mark.parametrize("name", ["330621199001010011", "13800138000", "张３", "王1", "张\u202e三"])
def test_a_number_is_not_a_name(district, name):
    # Found by fuzzing the join page: an ID number typed as the name was kept, in plain text; and a
    # right-to-left override, which shows the name reversed.
    with pytest.raises(ValidationError) as refused:
        join(name=name, employer=district["uncovered"])
    assert refused.value.messages[0].startswith(("姓名不能含数字", "不能含强制文字方向符"))
    assert (Person.objects.count(), JoinRequest.objects.count()) == (0, 0)
