"""Rights statistics: exact figures on a small fixture across subtree and period boundaries; the
console page (scoped union picker, xlsx) and the API (another union is 404)."""

import datetime
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from rights.models import (
    AidCase,
    AidPayment,
    BenefitDistribution,
    BenefitGrant,
    Consultation,
    MutualAidClaim,
    MutualAidEnrollment,
    MutualAidPlan,
    RightsCase,
)
from rights.services import statistics
from tests import factories

D = datetime.date
START, END = D(2026, 1, 1), D(2026, 6, 30)


def at(day: datetime.date, hour: int = 9):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def consult(union, person, category, day, answered_hours=None):
    submitted = at(day)
    return Consultation.objects.create(
        union=union,
        person=person,
        category=category,
        question="问题",
        submitted_at=submitted,
        answered_at=submitted + timedelta(hours=answered_hours) if answered_hours is not None else None,
        status="answered" if answered_hours is not None else "submitted",
    )


@pytest.fixture
def data(tree, settings):
    settings.CONSULTATION_RESPONSE_HOURS = 4
    official = factories.official("kq_rights", "rights", tree["district"])
    pa, pb = factories.member(tree["site_a"], "甲"), factories.member(tree["site_b"], "乙")
    # town_a subtree: 4 answered (1, 2, 3, 10 h), one unanswered; one outside the period.
    consult(tree["site_a"], pa, "wages", D(2026, 2, 1), 1)
    consult(tree["site_a"], pa, "wages", D(2026, 2, 2), 2)
    consult(tree["town_a"], pa, "injury", D(2026, 3, 1), 3)
    c4 = consult(tree["site_a"], pa, "penalty", D(2026, 6, 30), 10)
    consult(tree["site_a"], pa, "penalty", D(2026, 4, 1))
    consult(tree["site_a"], pa, "wages", D(2026, 7, 1), 1)
    # town_b: one answered in 5 h.
    cb = consult(tree["site_b"], pb, "traffic", D(2026, 5, 1), 5)
    RightsCase.objects.create(
        consultation=c4, outcome="mediated", amount_recovered=Decimal("3000.50"), opened_on=D(2026, 6, 30)
    )
    RightsCase.objects.create(
        consultation=cb, outcome="arbitration", amount_recovered=Decimal("1000"), opened_on=D(2026, 5, 2)
    )

    aid_a = AidCase.objects.create(
        union=tree["site_a"],
        applicant=pa,
        tier="deep",
        cause="病",
        annual_income=1000,
        status="active",
        applied_on=D(2026, 1, 5),
    )
    AidCase.objects.create(
        union=tree["site_a"],
        applicant=pa,
        tier="accident",
        cause="事故",
        annual_income=0,
        applied_on=D(2025, 12, 31),
    )
    aid_b = AidCase.objects.create(
        union=tree["site_b"],
        applicant=pb,
        tier="relative",
        cause="学",
        annual_income=2000,
        applied_on=D(2026, 2, 1),
    )
    AidPayment.objects.create(
        aid_case=aid_a, paid_on=D(2026, 2, 1), amount=Decimal("500"), purpose="生活", recorded_by=official
    )
    AidPayment.objects.create(
        aid_case=aid_a, paid_on=D(2026, 7, 1), amount=Decimal("800"), purpose="生活", recorded_by=official
    )
    AidPayment.objects.create(
        aid_case=aid_b, paid_on=D(2026, 3, 1), amount=Decimal("200"), purpose="助学", recorded_by=official
    )

    heat = BenefitDistribution.objects.create(
        union=tree["town_a"],
        kind="heat",
        title="高温",
        items="清凉包",
        starts_on=D(2026, 6, 15),
        ends_on=D(2026, 8, 31),
    )
    winter = BenefitDistribution.objects.create(
        union=tree["town_a"],
        kind="winter",
        title="送温暖",
        items="棉衣",
        starts_on=D(2026, 12, 1),
        ends_on=D(2027, 1, 31),
    )
    BenefitGrant.objects.create(distribution=heat, person=pa, redeemed_at=at(D(2026, 6, 20)))
    pc = factories.member(tree["site_a"], "丙")
    BenefitGrant.objects.create(distribution=heat, person=pc)
    BenefitGrant.objects.create(distribution=winter, person=pa)

    plan = MutualAidPlan.objects.create(
        union=tree["district"],
        name="互助",
        year=2026,
        premium=60,
        enrol_opens_on=D(2026, 1, 1),
        enrol_closes_on=D(2026, 12, 31),
        coverage_starts_on=D(2026, 3, 1),
        coverage_ends_on=D(2027, 2, 28),
    )
    cover = {"coverage_starts_on": D(2026, 3, 1), "coverage_ends_on": D(2027, 2, 28)}
    ea = MutualAidEnrollment.objects.create(
        plan=plan, person=pa, union=tree["site_a"], enrolled_on=D(2026, 2, 1), premium_paid=60, **cover
    )
    MutualAidEnrollment.objects.create(
        plan=plan, person=pc, union=tree["site_a"], enrolled_on=D(2026, 7, 2), premium_paid=60, **cover
    )
    eb = MutualAidEnrollment.objects.create(
        plan=plan, person=pb, union=tree["site_b"], enrolled_on=D(2026, 2, 1), premium_paid=60, **cover
    )
    claim = dict(kind="住院医疗", incurred_on=D(2026, 3, 2))
    MutualAidClaim.objects.create(
        enrollment=ea,
        amount_claimed=1000,
        amount_approved=800,
        status="paid",
        paid_on=D(2026, 5, 1),
        submitted_on=D(2026, 4, 1),
        **claim,
    )
    MutualAidClaim.objects.create(
        enrollment=ea,
        amount_claimed=500,
        amount_approved=500,
        status="approved",
        submitted_on=D(2026, 4, 2),
        **claim,
    )
    MutualAidClaim.objects.create(
        enrollment=ea,
        amount_claimed=300,
        status="rejected",
        review_note="x",
        submitted_on=D(2026, 4, 3),
        **claim,
    )
    MutualAidClaim.objects.create(
        enrollment=ea, amount_claimed=200, status="submitted", submitted_on=D(2026, 7, 3), **claim
    )
    MutualAidClaim.objects.create(
        enrollment=eb,
        amount_claimed=900,
        amount_approved=900,
        status="paid",
        paid_on=D(2026, 6, 1),
        submitted_on=D(2026, 5, 3),
        **claim,
    )
    return official


def counts(items):
    return {value: n for value, _label, n in items if n}


def test_town_a_subtree_and_period_exact(tree, data):
    f = statistics.figures(tree["town_a"], START, END)
    assert f.consultations == 5
    assert counts(f.by_category) == {"wages": 2, "injury": 1, "penalty": 2}
    assert (f.answered, f.within_target) == (4, 3)
    assert (f.median_hours, f.p90_hours) == (2.5, 7.9)
    assert f.within_share == Decimal("0.750")
    assert (f.cases, counts(f.by_outcome), f.recovered) == (1, {"mediated": 1}, Decimal("3000.50"))
    assert (f.aid_files, counts(f.aid_by_tier), counts(f.aid_by_status)) == (1, {"deep": 1}, {"active": 1})
    assert (f.aid_payments, f.aid_paid) == (1, Decimal("500.00"))
    assert (f.benefits_listed, f.benefits_redeemed) == (2, 1)
    assert (f.enrolled, f.premium) == (1, Decimal("60.00"))
    assert (f.claims, f.claims_approved, f.approved_amount) == (3, 2, Decimal("1300.00"))
    assert (f.claims_paid, f.paid_amount) == (1, Decimal("800.00"))


def test_district_adds_town_b_and_site_is_a_smaller_subtree(tree, data):
    f = statistics.figures(tree["district"], START, END)
    assert f.consultations == 6 and (f.answered, f.within_target) == (5, 3)
    assert (f.median_hours, f.p90_hours) == (3.0, 8.0)
    assert (f.cases, f.recovered) == (2, Decimal("4000.50"))
    assert (f.aid_files, f.aid_payments, f.aid_paid) == (2, 2, Decimal("700.00"))
    assert (f.enrolled, f.premium) == (2, Decimal("120.00"))
    assert (f.claims, f.claims_approved, f.approved_amount) == (4, 3, Decimal("2200.00"))
    assert (f.claims_paid, f.paid_amount) == (2, Decimal("1700.00"))
    # The grassroots union under town_a: the consultation received by town_a itself is not in it.
    s = statistics.figures(tree["site_a"], START, END)
    assert (s.consultations, s.answered) == (4, 3)
    assert (s.benefits_listed, s.enrolled) == (0, 1)
    # Nothing in an empty period.
    e = statistics.figures(tree["district"], D(2020, 1, 1), D(2020, 12, 31))
    assert (e.consultations, e.median_hours, e.within_share, e.premium) == (0, None, None, Decimal("0.00"))


def test_percentile_matches_percentile_cont():
    assert statistics.percentile([1, 2, 3, 10], 0.5) == 2.5
    assert statistics.percentile([1, 2, 3, 10], 0.9) == pytest.approx(7.9)
    assert statistics.percentile([4], 0.9) == 4 and statistics.percentile([], 0.5) is None


def test_console_page_scoped_and_xlsx(tree, data, login):
    town = factories.official("town_viewer", "rights", tree["town_a"])
    client = login(town)
    page = client.get("/console/rights/statistics/", {"start": "2026-01-01", "end": "2026-06-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "柯桥街道总工会" in html and 'id="consultations">5<' in html
    # town_b is not offered and cannot be asked for.
    assert "华舍街道总工会" not in html
    refused = client.get("/console/rights/statistics/", {"union": tree["town_b"].pk})
    assert refused.status_code == 200 and 'id="consultations"' not in refused.content.decode()
    book = client.get(
        "/console/rights/statistics/", {"start": "2026-01-01", "end": "2026-06-30", "format": "xlsx"}
    )
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    values = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert values[("医疗互助", "参保人数")] == 1 and values[("答复时效", "中位数（小时）")] == 2.5


def test_api_scoped(tree, data, login):
    town = factories.official("town_viewer", "rights", tree["town_a"])
    client = login(town)
    ok = client.get("/api/v1/rights/statistics/", {"start": "2026-01-01", "end": "2026-06-30"})
    assert ok.status_code == 200
    body = ok.json()
    assert (body["union"], body["consultations"], body["median_hours"], body["premium"]) == (
        tree["town_a"].pk,
        5,
        2.5,
        "60.00",
    )
    assert {c["value"]: c["count"] for c in body["by_category"]}["wages"] == 2
    assert client.get("/api/v1/rights/statistics/", {"union": tree["town_b"].pk}).status_code == 404
    worker = factories.member(tree["site_a"])
    from accounts.models import User

    worker.user = User.objects.create_user("wk", is_worker=True)
    worker.save()
    assert login(worker.user).get("/api/v1/rights/statistics/").status_code in (401, 403)
