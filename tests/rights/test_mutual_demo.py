"""The mutual-aid demo: the express-industry union's 60-yuan plan, couriers by batch, claims in every
state; deterministic and idempotent. Also the union page's counter."""

import random
from decimal import Decimal

from core.counters import union_figures
from rights.demo_mutual import seed_mutual
from rights.models import MutualAidClaim, MutualAidEnrollment, MutualAidPlan
from tests import factories


def test_seed_mutual_is_deterministic_and_idempotent(tree):
    factories.official("kq_rights", "rights", tree["district"])
    express = factories.union("柯桥区快递行业工会", "industry", tree["district"])
    sites = [factories.union(f"快递网点{n}工会", "grassroots", express) for n in range(2)]
    for n in range(12):
        factories.member(sites[n % 2], f"快递员{n}")
    factories.member(tree["site_a"], "骑手")

    done = seed_mutual(tree["district"], random.Random("x"))
    assert done == {"plans": 1, "enrolled": 12, "claims": 10}
    plan = MutualAidPlan.objects.get()
    assert (plan.union, plan.premium, plan.year) == (express, Decimal("60.00"), 2026)
    assert "示例" in plan.benefits and "住院医疗互助" in plan.benefits
    assert set(MutualAidEnrollment.objects.values_list("batch", flat=True)) == {
        "快递网点0工会 2026年度",
        "快递网点1工会 2026年度",
    }
    states = sorted(MutualAidClaim.objects.values_list("status", flat=True))
    assert states == ["approved"] * 2 + ["paid"] * 4 + ["rejected"] + ["submitted"] * 3
    assert all(
        c.amount_approved <= c.amount_claimed for c in MutualAidClaim.objects.exclude(amount_approved=None)
    )
    first = sorted(MutualAidClaim.objects.values_list("enrollment__person__name", "amount_claimed"))

    assert seed_mutual(tree["district"], random.Random("x")) == {"plans": 0, "enrolled": 0, "claims": 0}
    assert MutualAidClaim.objects.count() == 10

    # The same rng gives the same claims on a fresh plan.
    MutualAidClaim.objects.all().delete()
    seed_mutual(tree["district"], random.Random("x"))
    assert sorted(MutualAidClaim.objects.values_list("enrollment__person__name", "amount_claimed")) == first


def test_union_page_counter_counts_current_cover(tree):
    factories.official("kq_rights", "rights", tree["district"])
    express = factories.union("柯桥区快递行业工会", "industry", tree["district"])
    site = factories.union("快递网点工会", "grassroots", express)
    factories.member(site, "快递员")
    seed_mutual(tree["district"], random.Random("x"))
    MutualAidEnrollment.objects.update(coverage_starts_on="2000-01-01", coverage_ends_on="2999-12-31")
    label = "医疗互助在保人数（含下级）"
    assert dict((str(k), v) for k, v in union_figures(express))[label] == 1
    assert dict((str(k), v) for k, v in union_figures(tree["town_a"]))[label] == 0
