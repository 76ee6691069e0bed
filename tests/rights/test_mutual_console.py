"""Mutual medical aid in the console and the API: plans with figures, batch enrolment page (subtree and
file), enrolments masked, review and payment, documents only within scope; API steps and workers' me/."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from core.models import Notification
from rights.models import MutualAidClaim, MutualAidEnrollment, MutualAidPlan
from rights.services import mutual
from tests import factories


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def plan(tree):
    today = timezone.localdate()
    return MutualAidPlan.objects.create(
        union=tree["district"],
        name="职工医疗互助保障",
        year=today.year,
        premium=Decimal("60"),
        enrol_opens_on=today - datetime.timedelta(days=30),
        enrol_closes_on=today + datetime.timedelta(days=30),
        coverage_starts_on=today - datetime.timedelta(days=20),
        coverage_ends_on=today + datetime.timedelta(days=300),
    )


@pytest.fixture
def people(tree):
    return [factories.member(tree["site_a"], "张小明"), factories.member(tree["site_b"], "李小红")]


def claim_for(person, plan):
    enrolment = mutual.enrol(plan, person, on=plan.enrol_opens_on)
    day = timezone.localdate() - datetime.timedelta(days=1)
    upload = SimpleUploadedFile("a.png", png(), content_type="image/png")
    return mutual.submit_claim(enrolment, "住院医疗", day, "1000", [upload])


def test_batch_page_enrols_subtree_and_plan_page_counts(tree, plan, people, login):
    official = factories.official("kq_rights", "rights", tree["district"])
    client = login(official)
    assert client.get(f"/console/mutual/plans/{plan.pk}/batch/").status_code == 200
    response = client.post(
        f"/console/mutual/plans/{plan.pk}/batch/", {"union": tree["town_a"].pk, "batch": "第一批"}
    )
    assert response.status_code == 302
    assert list(MutualAidEnrollment.objects.values_list("person__name", "batch")) == [("张小明", "第一批")]
    client.post(f"/console/mutual/plans/{plan.pk}/batch/", {"union": tree["town_a"].pk})
    assert MutualAidEnrollment.objects.count() == 1
    page = client.get(f"/console/mutual/plans/{plan.pk}/").content.decode()
    assert 'id="enrolled">1<' in page and 'id="premium">60.00<' in page and "第一批" in page
    listing = client.get("/console/mutual/enrolments/").content.decode()
    assert "张**" in listing and "张小明" not in listing
    # A bad file: row and column, nobody enrolled.
    csv = "身份证号,姓名\n123,\n".encode()
    bad = client.post(
        f"/console/mutual/plans/{plan.pk}/batch/",
        {"union": tree["town_b"].pk, "file": SimpleUploadedFile("l.csv", csv, content_type="text/csv")},
    )
    assert bad.status_code == 200 and "身份证号应为18位" in bad.content.decode()
    assert "名单有 1 处错误" in bad.content.decode() and "下载错误报告" in bad.content.decode()
    assert MutualAidEnrollment.objects.count() == 1


def test_town_official_sees_and_reviews_only_own_subtree(tree, plan, people, login):
    mine, theirs = claim_for(people[0], plan), claim_for(people[1], plan)
    town = factories.official("a_rights", "rights", tree["town_a"])
    client = login(town)
    listing = client.get("/console/mutual/claims/").content.decode()
    assert "张**" in listing and "李**" not in listing
    assert client.get(f"/console/mutual/claims/{theirs.pk}/").status_code == 404
    doc = theirs.documents.get()
    assert client.get(f"/console/mutual/documents/{doc.pk}/").status_code == 404
    assert client.get(f"/console/mutual/documents/{mine.documents.get().pk}/").status_code == 200
    assert (
        client.post(f"/console/mutual/claims/{theirs.pk}/approve/", {"amount_approved": "1"}).status_code
        == 404
    )
    client.post(f"/console/mutual/claims/{mine.pk}/approve/", {"amount_approved": "1200"})
    mine.refresh_from_db()
    assert mine.status == "submitted"
    client.post(f"/console/mutual/claims/{mine.pk}/approve/", {"amount_approved": "900", "note": "核准"})
    client.post(f"/console/mutual/claims/{mine.pk}/pay/", {})
    mine.refresh_from_db()
    assert (mine.status, mine.amount_approved, mine.paid_on) == (
        "paid",
        Decimal("900.00"),
        timezone.localdate(),
    )
    # A viewer role may look but not decide.
    viewer = login(factories.official("a_viewer", "viewer", tree["town_a"]))
    assert viewer.get(f"/console/mutual/claims/{mine.pk}/").status_code == 200
    assert viewer.post(f"/console/mutual/claims/{mine.pk}/reject/", {"reason": "x"}).status_code == 404


def test_plan_edit_tells_members(tree, plan, people, login):
    for person in people:
        mutual.enrol(plan, person, on=plan.enrol_opens_on)
    client = login(factories.official("kq_rights", "rights", tree["district"]))
    form = {
        "union": tree["district"].pk,
        "name": plan.name,
        "year": plan.year,
        "premium": "50",
        "enrol_opens_on": plan.enrol_opens_on.isoformat(),
        "enrol_closes_on": plan.enrol_closes_on.isoformat(),
        "coverage_starts_on": plan.coverage_starts_on.isoformat(),
        "coverage_ends_on": plan.coverage_ends_on.isoformat(),
        "members_only": "on",
        "eligibility": "",
        "benefits": "",
    }
    # A year or a day outside the system's (year 0, 0001-01-01, 9999-12-31) is refused and tells nobody:
    # it was saved, and 696 demo members were told of the "change".
    for odd in ({"year": "0"}, {"enrol_opens_on": "0001-01-01"}, {"coverage_ends_on": "9999-12-31"}):
        refused = client.post(f"/console/mutual/plans/{plan.pk}/edit/", {**form, **odd})
        assert refused.status_code == 200 and refused.context["form"].errors.keys() == odd.keys(), odd
    assert Notification.objects.filter(kind="mutual_aid").count() == 0
    response = client.post(f"/console/mutual/plans/{plan.pk}/edit/", form)
    assert response.status_code == 302
    assert Notification.objects.filter(kind="mutual_aid", channel="sms").count() == 2


def test_api_steps_and_worker_endpoints(tree, plan, people, login):
    official = factories.official("kq_rights", "rights", tree["district"])
    api = login(official)
    done = api.post(
        f"/api/v1/mutual-plans/{plan.pk}/enrol-batch/",
        {"union": tree["district"].pk, "batch": "API"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["created"] == 2
    enrolments = api.get("/api/v1/mutual-enrolments/").json()["results"]
    assert sorted(e["person"] for e in enrolments) == ["张**", "李**"]
    town = login(factories.official("b_rights", "rights", tree["town_b"]))
    assert [e["person"] for e in town.get("/api/v1/mutual-enrolments/").json()["results"]] == ["李**"]
    refused = town.post(
        f"/api/v1/mutual-plans/{plan.pk}/enrol-batch/",
        {"union": tree["town_a"].pk},
        content_type="application/json",
    )
    assert refused.status_code == 400

    # Enrolled after cover began: covered from tomorrow; as if enrolled earlier for the claim below.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert set(MutualAidEnrollment.objects.values_list("coverage_starts_on", flat=True)) == {tomorrow}
    MutualAidEnrollment.objects.update(coverage_starts_on=plan.coverage_starts_on)
    person = people[0]
    person.user = User.objects.create_user("w1", is_worker=True)
    person.save()
    worker = login(person.user)
    mine = worker.get("/api/v1/me/mutual-enrolments/").json()["results"]
    assert len(mine) == 1 and mine[0]["plan"]["premium"] == "60.00"
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    created = worker.post(
        "/api/v1/me/mutual-claims/",
        {
            "enrollment": mine[0]["id"],
            "kind": "住院医疗",
            "incurred_on": day,
            "amount_claimed": "800",
            "documents": [SimpleUploadedFile("a.png", png(), content_type="image/png")],
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert town.post(f"/api/v1/mutual-claims/{pk}/approve/", {"amount_approved": "1"}).status_code == 404
    over = api.post(
        f"/api/v1/mutual-claims/{pk}/approve/", {"amount_approved": "801"}, content_type="application/json"
    )
    assert over.status_code == 400
    ok = api.post(
        f"/api/v1/mutual-claims/{pk}/approve/", {"amount_approved": "700"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    paid = api.post(f"/api/v1/mutual-claims/{pk}/pay/", {}, content_type="application/json")
    assert paid.json()["status"] == "paid"
    assert worker.get(f"/api/v1/me/mutual-claims/{pk}/").json()["amount_approved"] == "700.00"
    assert MutualAidClaim.objects.get().status == "paid"
    assert worker.get("/api/v1/mutual-claims/").status_code in (401, 403, 404)


def test_town_official_enrols_own_members_into_the_district_plan(tree, plan, people, login):
    town = login(factories.official("a_rights", "rights", tree["town_a"]))
    assert plan.pk in {p.pk for p in town.get("/console/mutual/plans/").context["object_list"]}
    assert town.get(f"/console/mutual/plans/{plan.pk}/").status_code == 200
    assert town.get(f"/console/mutual/plans/{plan.pk}/edit/").status_code == 404
    town.post(f"/console/mutual/plans/{plan.pk}/batch/", {"union": tree["town_b"].pk})
    assert MutualAidEnrollment.objects.count() == 0
    town.post(f"/console/mutual/plans/{plan.pk}/batch/", {"union": tree["town_a"].pk})
    assert list(MutualAidEnrollment.objects.values_list("person__name", flat=True)) == ["张小明"]
    mutual.enrol(plan, people[1], on=plan.enrol_opens_on)
    # The list counts what each viewer may see: town_a its one member, the district both.
    row = town.get("/console/mutual/plans/").context["object_list"][0]
    assert (row.enrolled, row.collected) == (1, Decimal("60.00"))
    district = login(factories.official("kq_rights", "rights", tree["district"]))
    row = district.get("/console/mutual/plans/").context["object_list"][0]
    assert (row.enrolled, row.collected) == (2, Decimal("120.00"))
    page = district.get("/console/mutual/plans/").content.decode()
    assert "参保人数" in page and "120.00" in page
    nobody = login(factories.official("nobody", "lawyer", tree["district"]))
    assert nobody.get("/console/mutual/plans/").status_code in (200, 404)
    # A sibling town sees no plan of town_a.
    town_plan = MutualAidPlan.objects.create(
        union=tree["town_a"],
        name="街道计划",
        year=plan.year,
        premium=10,
        enrol_opens_on=plan.enrol_opens_on,
        enrol_closes_on=plan.enrol_closes_on,
        coverage_starts_on=plan.coverage_starts_on,
        coverage_ends_on=plan.coverage_ends_on,
    )
    other = login(factories.official("b_rights", "rights", tree["town_b"]))
    assert other.get(f"/console/mutual/plans/{town_plan.pk}/").status_code == 404


def test_on_behalf_enrolment_and_claim_and_template(tree, plan, people, login):
    client = login(factories.official("kq_rights", "rights", tree["district"]))
    raw = people[0].decrypted("id_number")
    response = client.post(f"/console/mutual/plans/{plan.pk}/enrol/", {"id_number": raw})
    enrolment = MutualAidEnrollment.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/console/mutual/enrolments/{enrolment.pk}/"
    )
    assert raw not in response["Location"]
    again = client.post(f"/console/mutual/plans/{plan.pk}/enrol/", {"id_number": raw}, follow=True)
    assert "已参加本年度计划" in again.content.decode() and MutualAidEnrollment.objects.count() == 1
    MutualAidEnrollment.objects.update(coverage_starts_on=plan.coverage_starts_on)
    page = client.get(f"/console/mutual/enrolments/{enrolment.pk}/").content.decode()
    assert "代职工提交理赔" in page and "张**" in page and "张小明" not in page
    day = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    response = client.post(
        f"/console/mutual/enrolments/{enrolment.pk}/claim/",
        {
            "kind": "特殊病种门诊",
            "incurred_on": day,
            "amount_claimed": "420.50",
            "documents": [SimpleUploadedFile("x.pdf", b"%PDF-1.7 test", content_type="application/pdf")],
        },
    )
    claim = MutualAidClaim.objects.get()
    assert response["Location"] == f"/console/mutual/claims/{claim.pk}/"
    assert (claim.kind, claim.amount_claimed) == ("特殊病种门诊", Decimal("420.50"))
    detail = client.get(response["Location"]).content.decode()
    assert "核准" in detail and "材料 1" in detail
    download = client.get(f"/console/mutual/documents/{claim.documents.get().pk}/")
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    client.post(f"/console/mutual/claims/{claim.pk}/reject/", {"reason": "材料不全"})
    claim.refresh_from_db()
    assert (claim.status, claim.review_note) == ("rejected", "材料不全")
    template = client.get(f"/console/mutual/plans/{plan.pk}/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_enrolling_by_id_number_says_nothing_of_people_outside_the_scope(tree, plan, people, login):
    """An official of town_b learns from a refusal neither whether a number is registered nor a name."""
    from rest_framework.test import APIClient

    official = factories.official("b_rights", "rights", tree["town_b"])
    outside, unknown = people[0].decrypted("id_number"), factories.id_number()
    api = APIClient()
    api.force_authenticate(official)
    answers = [
        api.post(f"/api/v1/mutual-plans/{plan.pk}/enrol/", {"id_number": n}).json()
        for n in (outside, unknown)
    ]
    assert answers[0] == answers[1] == {"detail": "您管辖范围内没有此身份证号的职工"}
    page = login(official)
    said = [
        page.post(f"/console/mutual/plans/{plan.pk}/enrol/", {"id_number": n}, follow=True).content.decode()
        for n in (outside, unknown)
    ]
    assert all("您管辖范围内没有此身份证号的职工" in text for text in said)
    assert not MutualAidEnrollment.objects.exists()
    # Their own member goes in.
    mine = api.post(f"/api/v1/mutual-plans/{plan.pk}/enrol/", {"id_number": people[1].decrypted("id_number")})
    assert mine.status_code == 201
