"""The demo's legal consultations: lawyers' profiles, the seed's question answered and rated, a dozen more
with answer times, one escalated, two cases (one mediated with money recovered), duty days at the rider
station; a second run adds nothing."""

import random
from decimal import Decimal

from django.utils import timezone

from core.models import Notification
from rights.demo_legal import PROFILES, SEED_QUESTION, seed_legal
from rights.models import Consultation, DutyDay, Lawyer, RightsCase
from stations.demo import RIDER_STATION
from stations.models import Station
from tests import factories


def _district(tree):
    for username in PROFILES:
        factories.official(username, "lawyer", tree["district"])
    factories.official("kq_rights", "rights", tree["district"])
    Station.objects.create(union=tree["town_a"], name=RIDER_STATION, kind="rider", address="柯迎社区")
    for n in range(15):
        factories.member(tree["site_a"] if n % 2 else tree["site_b"], f"职工{n}")
    worker = factories.member(tree["site_a"], "李国强")
    return worker


def test_seed_legal(tree):
    worker = _district(tree)
    done = seed_legal(tree["district"], random.Random(7), worker=worker)
    assert done["lawyers"] == 4 and done["consultations"] == 13 and done["duty_days"] == 10
    assert Lawyer.objects.count() == 4
    fang = Lawyer.objects.get(user__username="kq_lawyer_fang")
    assert list(fang.regions.values_list("name", flat=True)) == ["柯桥街道"]

    seed = Consultation.objects.get(question=SEED_QUESTION)
    assert (seed.person, seed.category, seed.status, seed.rating) == (worker, "penalty", "answered", 5)
    hours = (seed.answered_at - seed.submitted_at).total_seconds() / 3600
    assert 2 <= hours <= 3
    assert seed.messages.get().author_kind == "lawyer"

    answered = Consultation.objects.exclude(answered_at=None)
    assert answered.count() == 10
    assert all(c.answered_at > c.submitted_at for c in answered)
    assert Consultation.objects.filter(status="closed").count() >= 5
    assert set(Consultation.objects.values_list("category", flat=True)) >= {
        "wages",
        "injury",
        "traffic",
        "penalty",
        "relationship",
        "social_insurance",
        "other",
    }
    escalated = Consultation.objects.exclude(escalated_at=None)
    assert escalated.count() == 1 and escalated.get().answered_at is None
    assert Notification.objects.filter(user__username="kq_rights", subject="法律咨询超时未答复").count() == 1

    cases = {c.outcome: c for c in RightsCase.objects.all()}
    assert set(cases) == {"mediated", "arbitration"}
    assert cases["mediated"].amount_recovered == Decimal("1860.00") and cases["mediated"].closed_on
    assert cases["arbitration"].closed_on is None

    days = DutyDay.objects.filter(station__name=RIDER_STATION, day__gte=timezone.localdate())
    assert days.count() >= 6  # the next three weeks at least, whatever today is

    again = seed_legal(tree["district"], random.Random(7), worker=worker)
    assert again == {"lawyers": 4, "consultations": 0, "duty_days": 0}
    assert Consultation.objects.count() == 13 and RightsCase.objects.count() == 2
