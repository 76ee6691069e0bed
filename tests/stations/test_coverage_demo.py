"""The demo's hot spots: census sites placed in their streets, imported ones; deterministic, idempotent."""

import random
from decimal import Decimal

from core.models import HistoryEntry
from orgs.models import Employer
from orgs.services.employers import save_employer
from stations import demo_coverage
from stations.models import HotSpot
from stations.services import coverage as services


def employers(tree):
    made = []
    for name, union, counts in (
        ("美团柯桥站点", tree["town_a"], {"delivery_rider": 40}),
        ("顺丰速运华舍网点", tree["town_b"], {"courier": 30, "truck_driver": 5}),
        ("某商贸公司", tree["town_a"], {"other": 12}),
    ):
        employer = Employer(name=name, sector="express", region=union.region, area_union=union)
        made.append(save_employer(employer, headcounts=counts))
    return made


def test_seed_hot_spots_places_the_census_sites_and_adds_the_imported_ones(tree):
    meituan, sf, _office = employers(tree)
    assert demo_coverage.seed_hot_spots(tree["district"], random.Random(1)) == 2 + len(demo_coverage.IMPORTED)
    meituan.refresh_from_db()
    centre = demo_coverage.AREAS["柯桥街道"]
    assert abs(meituan.latitude - centre[0]) <= Decimal("0.012")
    assert abs(meituan.longitude - centre[1]) <= Decimal("0.012")
    census = {
        s.employer_id: (s.union, s.day_workers, s.night_workers)
        for s in HotSpot.objects.filter(source="census")
    }
    assert census == {meituan.pk: (tree["town_a"], 40, 20), sf.pk: (tree["town_b"], 35, 5)}
    market = HotSpot.objects.get(name="中国轻纺城东市场")
    assert (market.union, market.source, market.day_workers, market.night_workers) == (
        tree["town_a"],
        "imported",
        600,
        60,
    )
    # Streets the test tree lacks fall back to the district union.
    assert HotSpot.objects.get(name="齐贤物流园").union == tree["district"]

    before = (list(HotSpot.objects.order_by("pk").values_list()), HistoryEntry.objects.count())
    assert demo_coverage.seed_hot_spots(tree["district"], random.Random(1)) == 0
    assert (list(HotSpot.objects.order_by("pk").values_list()), HistoryEntry.objects.count()) == before


def test_seed_hot_spots_is_deterministic(tree):
    employers(tree)
    demo_coverage.seed_hot_spots(tree["district"], random.Random(7))
    first = sorted(Employer.objects.values_list("name", "latitude", "longitude"))
    Employer.objects.update(latitude=None, longitude=None)
    HotSpot.objects.all().delete()
    demo_coverage.seed_hot_spots(tree["district"], random.Random(7))
    assert sorted(Employer.objects.values_list("name", "latitude", "longitude")) == first


def test_the_demo_network_has_gaps_by_night(tree):
    from .helpers import station

    employers(tree)
    demo_coverage.seed_hot_spots(tree["district"], random.Random(1))
    bank_hours = [[[510, 1020]] for _ in range(7)]
    station(
        tree["district"],
        "柯桥职工驿站·轻纺城",
        latitude=Decimal("30.093000"),
        longitude=Decimal("120.500000"),
        hours=bank_hours,
    )
    analysis = services.analyse(tree["district"], 1000, "night", 3)
    assert analysis.figures["day"].covered > 0
    assert analysis.figures["night"].covered == 0
    gains = [s.gain for s in analysis.suggestions]
    assert len(gains) == 3 and gains == sorted(gains, reverse=True) and gains[-1] > 0
    assert analysis.suggestions[-1].total == sum(gains)
