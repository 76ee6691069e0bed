"""The demo's hardship-aid files and heat condolence: every state present, deterministic, idempotent."""

import random

from rights.demo_aid import HEAT_TITLE, seed_aid
from rights.models import AidCase, AidPayment, BenefitDistribution, BenefitGrant
from stations.models import Station
from tests import factories


def test_seed_aid_makes_every_state_once(tree):
    district, town = tree["district"], tree["town_a"]
    town.name = "柯桥区新业态工会联合会"
    town.save()
    factories.official("kq_rights", "rights", district)
    factories.official("kq_service", "service", district)
    factories.official("kq_keeper", "keeper", district)
    for i in range(12):
        factories.member(tree["site_a"], f"骑手{i}", employment_form="delivery_rider")
    factories.member(tree["site_b"], "文员", employment_form="other")
    Station.objects.create(union=district, name="职工驿站", kind="worker", address="柯桥")

    first = seed_aid(district, random.Random(6))
    assert first["files"] == 4 and first["distributions"] == 1 and first["grants"] == 12
    assert first["redeemed"] == 4
    statuses = sorted(AidCase.objects.values_list("status", flat=True))
    assert statuses == ["active", "exited", "notice", "reviewing"]
    active = AidCase.objects.get(status="active")
    assert active.tier == "deep" and AidPayment.objects.filter(aid_case=active).count() == 3
    assert AidCase.objects.get(status="reviewing").awaiting == district
    heat = BenefitDistribution.objects.get(title=HEAT_TITLE)
    assert BenefitGrant.objects.filter(distribution=heat, redeemed_at__isnull=False).count() == 4

    again = seed_aid(district, random.Random(6))
    assert again == {"files": 0, "distributions": 0, "grants": 0, "redeemed": 0}
    assert AidCase.objects.count() == 4 and BenefitGrant.objects.count() == 12
