"""Hardship aid in the console and the API: on-behalf application, the household masked, decisions by
the awaiting union only, the printable notice, documents, payments, re-check, exit, filters, scoping."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from members.models import Person
from rights.models import AidCase, AidDocument
from rights.services import aid
from tests import factories


@pytest.fixture
def officials(tree):
    return {
        "site": factories.official("site_rights", "rights", tree["site_a"]),
        "town": factories.official("town_rights", "rights", tree["town_a"]),
        "other": factories.official("hs_rights", "rights", tree["site_b"]),
    }


def _form(tree, applicant_id, member_id, **extra):
    data = {
        "union": tree["site_a"].pk,
        "applicant_name": "王大哥",
        "applicant_id_number": applicant_id,
        "tier": "deep",
        "cause": "妻子重病，孩子读书，家庭收入低",
        "annual_income": "18000",
        "applicant_income": "18000",
        "consent": "on",
        "m-TOTAL_FORMS": "4",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "12",
        "m-0-name": "王小妹",
        "m-0-id_number": member_id,
        "m-0-relation": "女儿",
        "m-0-annual_income": "0",
        "m-0-note": "在读初中",
    }
    data.update(extra)
    return data


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(buffer, "PNG")
    return SimpleUploadedFile("收入证明.png", buffer.getvalue(), content_type="image/png")


def test_on_behalf_application_then_second_refused_with_pointer(tree, officials, login):
    client = login(officials["site"])
    applicant_id, member_id = factories.id_number(), factories.id_number()
    response = client.post(reverse("rights:aid-add"), _form(tree, applicant_id, member_id, documents=_png()))
    case = AidCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.created_by == officials["site"] and case.documents.count() == 1
    document = case.documents.get()
    assert document.title == "收入证明.png" and "收入证明" not in document.file.name
    assert document.file.name.endswith(".png")
    assert client.get(reverse("rights:aid-document", args=[document.pk])).status_code == 200
    assert (
        login(officials["other"]).get(reverse("rights:aid-document", args=[document.pk])).status_code == 404
    )
    page = client.get(case.get_absolute_url()).content.decode()
    assert "王**" in page and "王小妹" not in page and member_id not in page and applicant_id not in page
    assert member_id[-4:] in page  # the mask keeps the last digits
    other = factories.id_number()
    response = client.post(reverse("rights:aid-add"), _form(tree, other, member_id))
    assert response.status_code == 200 and f"#{case.pk}" in response.content.decode()
    assert AidCase.objects.count() == 1


def test_bad_document_is_refused_and_nothing_made(tree, officials, login):
    client = login(officials["site"])
    bad = SimpleUploadedFile("x.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(
        reverse("rights:aid-add"), _form(tree, factories.id_number(), factories.id_number(), documents=bad)
    )
    assert response.status_code == 200 and "只支持 PDF" in response.content.decode()
    assert AidCase.objects.count() == 0 and AidDocument.objects.count() == 0


def _relative_case(tree, officials):
    return aid.apply(
        union=tree["site_a"],
        applicant=factories.member(tree["site_a"], "王大哥"),
        tier="relative",
        cause="工伤后收入下降很多",
        annual_income="30000",
        by=officials["site"],
    )


def test_a_documents_title_from_its_file_name_masks_an_id_number(tree, officials, login):
    case = _relative_case(tree, officials)
    scan = SimpleUploadedFile("330621199001010011身份证.pdf", b"%PDF-1.4 scan", content_type="text/plain")
    made = aid.add_documents(case, [("", scan)], officials["site"])
    assert made[0].title == "330621********0011身份证.pdf"


def test_decisions_in_the_console_by_the_awaiting_union_only(tree, officials, login):
    case = _relative_case(tree, officials)
    site, town = login(officials["site"]), login(officials["town"])
    site.post(
        reverse("rights:aid-visit", args=[case.pk]),
        {
            "visited_on": timezone.localdate().isoformat(),
            "visitors": "张主席",
            "findings": "家中情况属实，需要帮扶",
        },
    )
    page = town.get(case.get_absolute_url()).content.decode()
    assert "提交审批意见" not in page  # the site union decides first
    site.post(reverse("rights:aid-decide", args=[case.pk]), {"decision": "approve", "note": "属实"})
    case.refresh_from_db()
    assert case.status == "reviewing" and case.awaiting == tree["town_a"]
    # the site official cannot decide for the town
    site.post(reverse("rights:aid-decide", args=[case.pk]), {"decision": "approve"})
    case.refresh_from_db()
    assert case.status == "reviewing"
    assert "提交审批意见" in town.get(case.get_absolute_url()).content.decode()
    listed = town.get(reverse("rights:aid-list"), {"awaiting_me": "true"}).content.decode()
    assert f"#{case.pk}" in listed
    town.post(reverse("rights:aid-decide", args=[case.pk]), {"decision": "approve"})
    case.refresh_from_db()
    assert case.status == "notice"
    notice = town.get(reverse("rights:aid-notice")).content.decode()
    assert f"#{case.pk}" in notice and "王**" in notice and "3000" in notice and "相对困难" in notice
    assert case.applicant.id_number_mask not in notice and case.applicant.phone_mask not in notice


def test_after_notice_payments_recheck_and_exit_in_the_console(tree, officials, login):
    case = aid.apply(
        union=tree["site_a"],
        applicant=factories.member(tree["site_a"], "王大哥"),
        tier="deep",
        cause="重病致困，无力支付医疗费",
        annual_income="12000",
        by=officials["site"],
    )
    case = aid.record_visit(case, officials["site"], timezone.localdate(), "张主席", "情况属实，急需帮扶")
    case = aid.approve(case, officials["site"])
    case = aid.approve(case, officials["town"])
    AidCase.objects.filter(pk=case.pk).update(
        notice_ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client = login(officials["site"])
    page = client.get(case.get_absolute_url()).content.decode()  # opening the page ends the notice
    case.refresh_from_db()
    assert case.status == "active" and "登记发放" in page
    client.post(
        reverse("rights:aid-payment", args=[case.pk]),
        {"paid_on": timezone.localdate().isoformat(), "amount": "3000", "purpose": "春节送温暖"},
    )
    assert aid.paid_total(case) == 3000
    AidCase.objects.filter(pk=case.pk).update(next_review_on=timezone.localdate())
    due = client.get(reverse("rights:aid-list"), {"due": "true"}).content.decode()
    assert f"#{case.pk}" in due
    client.post(reverse("rights:aid-recheck", args=[case.pk]), {"tier": "relative", "note": "有所好转"})
    case.refresh_from_db()
    assert case.tier == "relative" and case.next_review_on > timezone.localdate()
    client.post(reverse("rights:aid-exit", args=[case.pk]), {"reason": "已脱困"})
    case.refresh_from_db()
    assert case.status == "exited" and not case.household.filter(open=True).exists()


def test_scoping_console_and_api(tree, officials, login):
    case = aid.apply(
        union=tree["site_a"],
        applicant=factories.member(tree["site_a"], "王大哥"),
        tier="deep",
        cause="重病致困，无力支付医疗费",
        annual_income="12000",
        by=officials["site"],
    )
    other = login(officials["other"])
    assert other.get(case.get_absolute_url()).status_code == 404
    assert other.post(reverse("rights:aid-exit", args=[case.pk]), {"reason": "x"}).status_code == 404
    assert other.get(f"/api/v1/aid-cases/{case.pk}/").status_code == 404
    assert other.post(f"/api/v1/aid-cases/{case.pk}/exit/", {"note": "xx"}).status_code == 404
    assert other.get(reverse("rights:aid-list")).content.decode().count(f"#{case.pk}") == 0
    case.refresh_from_db()
    assert case.status == "applied"


def test_api_apply_and_climb(tree, officials, login):
    site, town = login(officials["site"]), login(officials["town"])
    member_id = factories.id_number()
    body = {
        "union": tree["site_a"].pk,
        "applicant_name": "王大哥",
        "applicant_id_number": factories.id_number(),
        "tier": "accident",
        "cause": "交通事故致残，收入中断",
        "annual_income": "9000",
        "members": [{"name": "王小妹", "id_number": member_id, "relation": "女儿"}],
    }
    made = site.post("/api/v1/aid-cases/apply/", body, "application/json")
    assert made.status_code == 201
    data = made.json()
    assert [m["name"] for m in data["household"]] == ["王**", "王**"]
    assert member_id not in made.content.decode()
    again = site.post(
        "/api/v1/aid-cases/apply/", {**body, "applicant_id_number": factories.id_number()}, "application/json"
    )
    assert again.status_code == 400 and f"#{data['id']}" in again.content.decode()
    pk = data["id"]
    assert (
        site.post(f"/api/v1/aid-cases/{pk}/approve/", {}, "application/json").status_code == 400
    )  # no visit
    visit = {
        "visited_on": timezone.localdate().isoformat(),
        "visitors": "张主席",
        "findings": "情况属实需要帮扶",
    }
    assert (
        site.post(f"/api/v1/aid-cases/{pk}/visit/", visit, "application/json").json()["status"] == "visited"
    )
    assert (
        site.post(f"/api/v1/aid-cases/{pk}/approve/", {}, "application/json").json()["status"] == "reviewing"
    )
    refused = site.post(f"/api/v1/aid-cases/{pk}/approve/", {}, "application/json")
    assert refused.status_code == 400 and tree["town_a"].name in refused.json()["detail"]
    # A refusal names the field the request sent (the service calls it reason).
    unsaid = town.post(f"/api/v1/aid-cases/{pk}/send-back/", {"note": ""}, "application/json")
    assert unsaid.status_code == 400 and unsaid.json() == {"note": ["请填写退回原因"]}
    back = town.post(f"/api/v1/aid-cases/{pk}/send-back/", {"note": "补充材料"}, "application/json").json()
    assert back["status"] == "visited" and back["awaiting"] == tree["site_a"].pk
    listed = town.get("/api/v1/aid-cases/", {"status": "visited"}).json()
    assert [c["id"] for c in listed["results"]] == [pk]


def test_a_refused_application_leaves_no_person_behind(tree, officials, login):
    from members.models import Person

    number = factories.id_number()
    body = {
        "union": tree["site_a"].pk,
        "applicant_name": "测试甲",
        "applicant_id_number": number,
        "tier": "deep",
        "cause": "家里老人重病住院",
        "annual_income": "12000",
    }
    before = Person.objects.count()
    outside = login(officials["other"]).post("/api/v1/aid-cases/apply/", body, "application/json")
    assert outside.status_code == 404
    short = login(officials["site"]).post(
        "/api/v1/aid-cases/apply/", {**body, "cause": "短"}, "application/json"
    )
    assert short.status_code == 400
    page = login(officials["site"]).post(reverse("rights:aid-add"), _form(tree, number, number))
    assert page.status_code == 200  # the applicant listed again as a member: refused on the page
    assert Person.objects.count() == before and not AidCase.objects.exists()


def test_api_payment_recheck_exit_and_reject(tree, officials, login):
    # Each API step reaches its service with the body's fields in their places.
    from tests.rights.test_aid_service import _active, _to_visited, file_for

    people = {**officials, "district": factories.official("kq_rights", "rights", tree["district"])}
    case = _active(tree, people)
    site = login(officials["site"])
    today = timezone.localdate().isoformat()
    paid = site.post(
        f"/api/v1/aid-cases/{case.pk}/payment/",
        {"paid_on": today, "amount": "2000", "purpose": "春节送温暖"},
        "application/json",
    )
    assert paid.status_code == 200, paid.content
    payment = case.payments.get()
    assert (str(payment.amount), payment.purpose, payment.paid_on.isoformat()) == (
        "2000.00",
        "春节送温暖",
        today,
    )
    bad = site.post(
        f"/api/v1/aid-cases/{case.pk}/payment/", {"paid_on": today, "amount": "0", "purpose": "x"}
    )
    assert bad.status_code == 400 and "amount" in bad.json()
    rechecked = site.post(
        f"/api/v1/aid-cases/{case.pk}/recheck/",
        {"tier": "relative", "note": "收入有所提高"},
        "application/json",
    )
    assert rechecked.status_code == 200 and rechecked.json()["tier"] == "relative"
    left = site.post(
        f"/api/v1/aid-cases/{case.pk}/exit/", {"note": "家庭收入稳定，已脱困"}, "application/json"
    )
    assert left.status_code == 200 and left.json()["status"] == "exited"
    assert AidCase.objects.get(pk=case.pk).exit_reason == "家庭收入稳定，已脱困"
    # A file at its first level: the site's official rejects it.
    other = _to_visited(file_for(tree, by=officials["site"]), officials["site"])
    said = site.post(
        f"/api/v1/aid-cases/{other.pk}/reject/", {"note": "家庭收入高于标准"}, "application/json"
    )
    assert said.status_code == 200 and said.json()["status"] == "rejected"


def test_a_number_is_not_a_household_members_name(tree, officials, login):
    client = login(officials["site"])
    form = _form(tree, factories.id_number(), factories.id_number(), **{"m-0-name": "13800138000"})
    response = client.post(reverse("rights:aid-add"), form)
    assert response.status_code == 200
    assert "第 1 位家庭成员：姓名不能含数字" in response.content.decode()
    assert not AidCase.objects.exists()
    assert not Person.objects.exists()
