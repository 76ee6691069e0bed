"""医疗互助 on the worker's H5: sign-in, my coverage, enrol while the window is open, a claim with
documents inside coverage only, its status, and only one's own documents."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.backends import USER_BACKEND
from accounts.models import User
from rights.models import MutualAidClaim, MutualAidEnrollment, MutualAidPlan
from rights.services import mutual
from tests import factories


def worker(union, name="王快递"):
    person = factories.member(union, name)
    person.user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.save()
    client = Client()
    client.force_login(person.user, backend=USER_BACKEND)
    return person, client


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(buffer, "PNG")
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
        coverage_starts_on=today - datetime.timedelta(days=10),
        coverage_ends_on=today + datetime.timedelta(days=300),
        benefits="住院医疗互助（示例）",
    )


def test_sign_in_required(tree, client):
    response = client.get("/me/mutual/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_enrol_in_the_window_then_claim_and_follow_it(tree, plan):
    person, client = worker(tree["site_a"])
    page = client.get("/me/mutual/").content.decode()
    assert "我要参保" in page and "职工医疗互助保障" in page and "您还没有参加" in page
    assert "医疗互助" in client.get("/me/").content.decode()
    response = client.post(f"/me/mutual/plans/{plan.pk}/enrol/")
    assert response.status_code == 302
    enrolment = MutualAidEnrollment.objects.get(person=person)
    today = timezone.localdate()
    # Coverage already started: from tomorrow.
    assert enrolment.coverage_starts_on == today + datetime.timedelta(days=1)
    page = client.get("/me/mutual/").content.decode()
    assert "我要参保" not in page and "申请理赔" in page
    # Twice is refused (the plan is no longer offered).
    assert client.post(f"/me/mutual/plans/{plan.pk}/enrol/").status_code == 404
    assert MutualAidEnrollment.objects.count() == 1

    # A day before cover began is refused, with nothing stored.
    form = {"kind": "住院医疗", "incurred_on": today.isoformat(), "amount_claimed": "500"}
    bad = client.post(
        f"/me/mutual/enrolments/{enrolment.pk}/claim/",
        {**form, "documents": [SimpleUploadedFile("a.png", png(), content_type="image/png")]},
    )
    assert bad.status_code == 200 and "不在保障期间内" in bad.content.decode()
    assert MutualAidClaim.objects.count() == 0


def test_claim_with_documents_and_status(tree, plan):
    person, client = worker(tree["site_a"])
    enrolment = mutual.enrol(plan, person, on=plan.enrol_opens_on)
    day = timezone.localdate() - datetime.timedelta(days=2)
    no_docs = client.post(
        f"/me/mutual/enrolments/{enrolment.pk}/claim/",
        {"kind": "意外伤害", "incurred_on": day.isoformat(), "amount_claimed": "300"},
    )
    assert "请上传发票" in no_docs.content.decode() and MutualAidClaim.objects.count() == 0
    response = client.post(
        f"/me/mutual/enrolments/{enrolment.pk}/claim/",
        {
            "kind": "意外伤害",
            "incurred_on": day.isoformat(),
            "amount_claimed": "300",
            "documents": [
                SimpleUploadedFile("a.png", png(), content_type="image/png"),
                SimpleUploadedFile("b.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
            ],
        },
    )
    claim = MutualAidClaim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/me/mutual/claims/{claim.pk}/"
    status = client.get(response["Location"]).content.decode()
    assert "已提交" in status and "材料 2" in status
    document = claim.documents.first()
    assert client.get(f"/me/mutual/documents/{document.pk}/").status_code == 200
    # Another worker sees neither the claim nor its documents nor can claim on the enrolment.
    _other, other_client = worker(tree["site_a"], "李快递")
    assert other_client.get(f"/me/mutual/claims/{claim.pk}/").status_code == 404
    assert other_client.get(f"/me/mutual/documents/{document.pk}/").status_code == 404
    assert other_client.get(f"/me/mutual/enrolments/{enrolment.pk}/claim/").status_code == 404


def test_closed_window_and_outsider_see_no_offer(tree, plan):
    outsider, client = worker(tree["site_b"])
    plan.union = tree["town_a"]
    plan.save()
    assert "我要参保" not in client.get("/me/mutual/").content.decode()
    assert client.post(f"/me/mutual/plans/{plan.pk}/enrol/").status_code == 404
    assert not MutualAidEnrollment.objects.filter(person=outsider).exists()
