"""Mutual medical aid: batch enrolment (idempotent, subtree only, from a file all or nothing), window and
eligibility, coverage (late enrolment), claims inside coverage only, review (approve ≤ claimed, reject
with a reason), payment, notifications (plan changes told per person, without personal data)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import User
from core.models import HistoryEntry, Notification
from members.models import Membership
from rights.models import ClaimDocument, MutualAidClaim, MutualAidEnrollment, MutualAidPlan
from rights.services import mutual
from tests import factories

D = datetime.date


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    return buffer.getvalue()


def doc(name="invoice.png", content=None):
    return SimpleUploadedFile(name, content if content is not None else png(), content_type="image/png")


def make_plan(union, **fields) -> MutualAidPlan:
    values = dict(
        union=union,
        name="职工医疗互助保障",
        year=2026,
        premium=Decimal("60.00"),
        enrol_opens_on=D(2026, 1, 1),
        enrol_closes_on=D(2026, 12, 31),
        coverage_starts_on=D(2026, 3, 1),
        coverage_ends_on=D(2027, 2, 28),
    )
    values.update(fields)
    plan = MutualAidPlan(**values)
    mutual.save_plan(plan)
    return plan


@pytest.fixture
def rights_official(tree):
    return factories.official("kq_rights", "rights", tree["district"])


@pytest.fixture
def town_official(tree):
    return factories.official("town_rights", "rights", tree["town_a"])


def test_batch_enrols_the_subtree_once_and_is_idempotent(tree, rights_official):
    plan = make_plan(tree["district"])
    a1, a2 = factories.member(tree["site_a"], "甲"), factories.member(tree["town_a"], "乙")
    b1 = factories.member(tree["site_b"], "丙")
    left = factories.member(tree["site_a"], "丁")
    Membership.objects.filter(person=left).update(status="left")

    first = mutual.enrol_batch(plan, tree["town_a"], by=rights_official, batch="第一批", on=D(2026, 2, 1))
    assert (first.created, first.already, first.batch) == (2, 0, "第一批")
    rows = MutualAidEnrollment.objects.filter(plan=plan).order_by("person_id")
    assert {(e.person_id, e.union_id) for e in rows} == {
        (a1.pk, tree["site_a"].pk),
        (a2.pk, tree["town_a"].pk),
    }
    assert {(e.coverage_starts_on, e.coverage_ends_on, e.premium_paid) for e in rows} == {
        (D(2026, 3, 1), D(2027, 2, 28), Decimal("60.00"))
    }
    # Again, and with a newcomer: only the newcomer.
    a3 = factories.member(tree["site_a"], "戊")
    again = mutual.enrol_batch(plan, tree["town_a"], by=rights_official, on=D(2026, 2, 2))
    assert (again.created, again.already) == (1, 2)
    assert set(plan.enrollments.values_list("person_id", flat=True)) == {a1.pk, a2.pk, a3.pk}
    assert b1.pk not in set(plan.enrollments.values_list("person_id", flat=True))
    assert mutual.enrol_batch(plan, tree["town_a"], by=rights_official, on=D(2026, 2, 3)).created == 0
    assert HistoryEntry.objects.filter(object_id=str(plan.enrollments.get(person=a3).pk)).exists()


def test_batch_refused_outside_window_scope_or_plan_subtree(tree, town_official, rights_official):
    plan = make_plan(tree["district"], enrol_closes_on=D(2026, 2, 28))
    factories.member(tree["site_a"])
    with pytest.raises(ValidationError):
        mutual.enrol_batch(plan, tree["town_a"], by=rights_official, on=D(2026, 3, 1))
    with pytest.raises(PermissionDenied):
        mutual.enrol_batch(plan, tree["town_b"], by=town_official, on=D(2026, 2, 1))
    town_plan = make_plan(tree["town_a"], name="街道计划")
    with pytest.raises(ValidationError):
        mutual.enrol_batch(town_plan, tree["town_b"], by=rights_official, on=D(2026, 2, 1))
    assert MutualAidEnrollment.objects.count() == 0
    # A town official enrols their own subtree.
    assert mutual.enrol_batch(plan, tree["town_a"], by=town_official, on=D(2026, 2, 1)).created == 1


def _sheet(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号", "姓名"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_file_enrolment_is_all_or_nothing_with_row_and_column(tree, rights_official):
    plan = make_plan(tree["district"])
    ok = factories.member(tree["site_a"], "张三")
    other = factories.member(tree["site_b"], "李四")
    raw = {p.pk: p.decrypted("id_number") for p in (ok, other)}
    bad = _sheet(
        [
            [raw[ok.pk], "张三"],
            ["123", ""],
            [raw[other.pk], "李四"],
            [raw[ok.pk], ""],
            [raw[other.pk][:-1] + "0" if raw[other.pk][-1] != "0" else raw[other.pk][:-1] + "1", ""],
        ]
    )
    result = mutual.enrol_from_file(
        plan, tree["town_a"], bad, "list.xlsx", by=rights_official, on=D(2026, 2, 1)
    )
    assert result.created == 0
    assert [(p.row, p.column) for p in result.problems] == [
        (3, "身份证号"),
        (4, "身份证号"),
        (5, "身份证号"),
        (6, "身份证号"),
    ]
    assert "不是所选工会" in result.problems[1].message and "重复" in result.problems[2].message
    assert MutualAidEnrollment.objects.count() == 0

    wrong_name = _sheet([[raw[ok.pk], "张四"]])
    result = mutual.enrol_from_file(
        plan, tree["town_a"], wrong_name, "l.xlsx", by=rights_official, on=D(2026, 2, 1)
    )
    assert [(p.row, p.column) for p in result.problems] == [(2, "姓名")]
    # Of people outside the union the file says one thing, whether unknown, elsewhere or misnamed.
    guesses = _sheet([[factories.id_number(), ""], [raw[other.pk], "王五"]])
    result = mutual.enrol_from_file(
        plan, tree["town_a"], guesses, "l.xlsx", by=rights_official, on=D(2026, 2, 1)
    )
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (2, "身份证号", "不是所选工会（含下级）的在册会员"),
        (3, "身份证号", "不是所选工会（含下级）的在册会员"),
    ]

    good = _sheet([[raw[ok.pk], "张三"]])
    result = mutual.enrol_from_file(
        plan, tree["town_a"], good, "l.xlsx", by=rights_official, batch="名单", on=D(2026, 2, 1)
    )
    assert (result.created, result.problems) == (1, [])
    again = mutual.enrol_from_file(plan, tree["town_a"], good, "l.xlsx", by=rights_official, on=D(2026, 2, 1))
    assert (again.created, again.already) == (0, 1)
    assert MutualAidEnrollment.objects.get().batch == "名单"


def test_individual_window_eligibility_and_late_coverage(tree):
    plan = make_plan(tree["town_a"], enrol_opens_on=D(2026, 1, 1), enrol_closes_on=D(2026, 6, 30))
    member = factories.member(tree["site_a"])
    outsider = factories.member(tree["site_b"])
    with pytest.raises(ValidationError, match="不在参保时间内"):
        mutual.enrol(plan, member, on=D(2026, 7, 1))
    with pytest.raises(ValidationError, match="在册会员"):
        mutual.enrol(plan, outsider, on=D(2026, 2, 1))
    late = mutual.enrol(plan, member, on=D(2026, 4, 10))
    assert (late.coverage_starts_on, late.coverage_ends_on, late.union) == (
        D(2026, 4, 11),
        D(2027, 2, 28),
        tree["site_a"],
    )
    with pytest.raises(ValidationError, match="已参加"):
        mutual.enrol(plan, member, on=D(2026, 4, 11))
    # An open plan takes a non-member below it, under the plan's union.
    open_plan = make_plan(tree["town_a"], name="开放计划", members_only=False)
    assert mutual.enrol(open_plan, outsider, on=D(2026, 2, 1)).union == tree["town_a"]


@pytest.fixture
def enrolled(tree):
    plan = make_plan(tree["district"])
    person = factories.member(tree["site_a"], "王快递")
    person.user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.save()
    return mutual.enrol(plan, person, on=D(2026, 2, 1))


def test_claims_only_inside_coverage_with_valid_documents(enrolled):
    today = D(2026, 6, 1)
    for day in (D(2026, 2, 28), D(2026, 6, 2)):
        with pytest.raises(ValidationError) as error:
            mutual.submit_claim(enrolled, "住院医疗", day, "100", [doc()], today=today)
        assert "incurred_on" in error.value.message_dict
    with pytest.raises(ValidationError, match="材料"):
        mutual.submit_claim(enrolled, "住院医疗", D(2026, 3, 1), "100", [], today=today)
    with pytest.raises(ValidationError, match="第 2 个文件"):
        mutual.submit_claim(
            enrolled, "住院医疗", D(2026, 3, 1), "100", [doc(), doc("x.pdf", b"not a pdf")], today=today
        )
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError, match="10 MB"):
        mutual.submit_claim(enrolled, "住院医疗", D(2026, 3, 1), "100", [big], today=today)
    # A hundred million yuan is a typo, as for a hardship-aid figure (core.money; fuzzing found 9.99e9 kept).
    with pytest.raises(ValidationError, match="金额过大，请核对"):
        mutual.submit_claim(enrolled, "住院医疗", D(2026, 3, 1), "9999999999.99", [doc()], today=today)
    assert MutualAidClaim.objects.count() == 0 and ClaimDocument.objects.count() == 0

    pdf = SimpleUploadedFile("王快递-病历.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    claim = mutual.submit_claim(enrolled, "住院医疗", D(2026, 3, 1), "1200.50", [doc(), pdf], today=today)
    assert claim.amount_claimed == Decimal("1200.50") and claim.status == "submitted"
    names = [d.file.name for d in claim.documents.all()]
    assert len(names) == 2 and all("王" not in n for n in names) and names[1].endswith(".pdf")


def test_review_approve_not_above_claimed_then_pay_and_notify(enrolled, tree, rights_official):
    claim = mutual.submit_claim(enrolled, "意外伤害", D(2026, 3, 5), "800", [doc()], today=D(2026, 4, 1))
    with pytest.raises(ValidationError, match="不能超过申请金额"):
        mutual.approve(claim, rights_official, "800.01")
    with pytest.raises(ValidationError, match="只有已核准"):
        mutual.pay(claim, rights_official)
    claim.refresh_from_db()
    assert (claim.status, claim.amount_approved) == ("submitted", None)
    mutual.approve(claim, rights_official, "650", "按比例核准")
    claim.refresh_from_db()
    assert (claim.status, claim.amount_approved, claim.reviewed_by) == (
        "approved",
        Decimal("650.00"),
        rights_official,
    )
    with pytest.raises(ValidationError):
        mutual.reject(claim, rights_official, "重复")
    for early in (D(2026, 3, 31), D(1, 1, 1)):  # before the claim was submitted (2026-04-01)
        with pytest.raises(ValidationError, match="不能早于"):
            mutual.pay(claim, rights_official, early)
    mutual.pay(claim, rights_official, D(2026, 4, 20))
    claim.refresh_from_db()
    assert (claim.status, claim.paid_on) == ("paid", D(2026, 4, 20))
    person = enrolled.person
    site = Notification.objects.filter(user=person.user, channel="site", kind="mutual_aid").order_by("pk")
    assert [n.subject for n in site] == ["医疗互助理赔已核准", "医疗互助理赔已赔付"]
    sms = Notification.objects.filter(channel="sms", kind="mutual_aid")
    assert sms.count() == 2 and all("650" not in n.body for n in sms)
    verbs = list(
        HistoryEntry.objects.filter(object_id=str(claim.pk), kind="action").values_list("verb", flat=True)
    )
    assert {"submitted", "approved", "paid"} <= set(verbs)


def test_reject_needs_a_reason_and_scope(enrolled, tree):
    claim = mutual.submit_claim(enrolled, "住院医疗", D(2026, 3, 5), "300", [doc()], today=D(2026, 4, 1))
    stranger = factories.official("b_rights", "rights", tree["town_b"])
    with pytest.raises(PermissionDenied):
        mutual.approve(claim, stranger, "100")
    official = factories.official("a_rights", "rights", tree["town_a"])
    with pytest.raises(ValidationError):
        mutual.reject(claim, official, " ")
    mutual.reject(claim, official, "就医日期前已患病，不属保障范围")
    claim.refresh_from_db()
    assert (claim.status, claim.review_note) == ("rejected", "就医日期前已患病，不属保障范围")


def test_plan_change_is_recorded_and_each_member_told(tree, rights_official):
    plan = make_plan(tree["district"])
    with_account = factories.member(tree["site_a"], "赵有号")
    with_account.user = User.objects.create_user("wa", is_worker=True)
    with_account.save()
    phone_only = factories.member(tree["site_b"], "钱无号")
    for person in (with_account, phone_only):
        mutual.enrol(plan, person, on=D(2026, 2, 1))
    late = factories.member(tree["site_b"], "孙晚到")
    late_enrolment = mutual.enrol(plan, late, on=D(2026, 3, 10))
    # A name change tells nobody.
    plan.name = "职工医疗互助保障（2026）"
    assert mutual.save_plan(plan, by=rights_official) == 0
    plan.premium = Decimal("50.00")
    plan.coverage_starts_on = D(2026, 4, 1)
    assert mutual.save_plan(plan, by=rights_official) == 3
    assert Notification.objects.filter(kind="mutual_aid").count() == 3
    site = Notification.objects.get(channel="site", user=with_account.user)
    sms = list(Notification.objects.filter(channel="sms", kind="mutual_aid"))
    assert len(sms) == 2 and {n.phone_mask for n in sms} == {phone_only.phone_mask, late.phone_mask}
    for note in [site, *sms]:
        assert "50.00" in note.body and "2026-04-01" in note.body
        assert "赵" not in note.body and "钱" not in note.body and "孙" not in note.body
    entry = HistoryEntry.objects.get(object_id=str(plan.pk), kind="action", verb="terms_changed")
    assert "50.00" in entry.note
    # Enrolments follow the coverage period; premiums already paid stay.
    early = plan.enrollments.get(person=with_account)
    assert (early.coverage_starts_on, early.premium_paid) == (D(2026, 4, 1), Decimal("60.00"))
    late_enrolment.refresh_from_db()
    assert late_enrolment.coverage_starts_on == D(2026, 4, 1)


def test_many_members_are_told_by_a_background_job_after_commit(
    tree, rights_official, monkeypatch, django_capture_on_commit_callbacks
):
    from core.models import Job

    monkeypatch.setattr(mutual, "INLINE_TELL", 1)
    plan = make_plan(tree["district"])
    for n in range(3):
        mutual.enrol(plan, factories.member(tree["site_a"], f"员{n}"), on=D(2026, 2, 1))
    plan.premium = Decimal("55.00")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert mutual.save_plan(plan, by=rights_official) == 3
    # Nothing is sent before the change is committed.
    assert Notification.objects.filter(kind="mutual_aid").count() == 0 and len(callbacks) == 1
    callbacks[0]()
    job = Job.objects.get(kind="mutual_notice")
    assert (job.status, job.result, job.total, job.done) == ("done", {"told": 3}, 3, 3)
    assert Notification.objects.filter(kind="mutual_aid", channel="sms").count() == 3
