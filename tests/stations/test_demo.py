import random
from decimal import Decimal

from core.models import HistoryEntry
from core.scoping import CHANGE, VIEW
from stations import demo
from stations.models import Station

from .. import factories
from .helpers import keeper


def _seed(tree, user=None, seed=2026):
    return demo.seed_stations(tree["district"], user, random.Random(seed))


def test_the_seeds_stations(tree):
    user = keeper("keeper", tree["town_a"])
    stations = _seed(tree, user)
    assert len(stations) == Station.objects.count() == 31
    kinds = [s.kind for s in stations]
    assert (kinds.count("worker"), kinds.count("telecom_care"), kinds.count("rider")) == (10, 20, 1)
    rider = Station.objects.get(kind="rider")
    assert (rider.name, rider.union, rider.region.name) == (
        "柯迎社区小哥驿站（小哥驿家）",
        tree["town_a"],
        "柯桥街道",
    )
    assert set(Station.objects.exclude(kind="rider").values_list("union", flat=True)) == {tree["district"].pk}
    assert set(Station.objects.filter(kind="telecom_care").values_list("partner__name", flat=True)) == {
        f"中国电信柯桥分公司{branch}营业厅" for _street, branch, _road in demo.TELECOM_STATIONS
    }
    for station in stations:
        assert Decimal("30.08") <= station.latitude <= Decimal("30.20"), station.name
        assert Decimal("120.40") <= station.longitude <= Decimal("120.60"), station.name
        assert station.address.startswith("绍兴市柯桥区"), station.name
        assert station.phone.startswith("0575-8") and len(station.phone) == 13, station.phone
        assert station.region is not None and station.region.parent_id == "330603", station.name
        assert station.active


def test_keeper_sees_exactly_two_stations(tree):
    user = keeper("keeper", tree["town_a"])
    _seed(tree, user)
    assert sorted(Station.objects.restrict(user, VIEW).values_list("name", flat=True)) == [
        "柯迎社区小哥驿站（小哥驿家）",
        "爱心翼站·电信柯北营业厅",
    ]
    assert list(Station.objects.restrict(user, CHANGE)) == []
    # The telecom station belongs to the district, above the keeper's role: one was granted there.
    assert sorted(user.roles.values_list("union__name", "kind")) == [
        ("柯桥区总工会", "keeper"),
        ("柯桥街道总工会", "keeper"),
    ]


def test_town_service_official_sees_the_rider_station_only(tree):
    _seed(tree, keeper("keeper", tree["district"]))
    official = factories.official("svc-a", "service", tree["town_a"])
    assert list(Station.objects.restrict(official).values_list("name", flat=True)) == [
        "柯迎社区小哥驿站（小哥驿家）"
    ]


def test_deterministic_and_idempotent(tree):
    user = keeper("keeper", tree["district"])
    first = [(s.pk, s.name, s.address, s.phone, s.latitude, s.longitude) for s in _seed(tree, user)]
    history = HistoryEntry.objects.count()
    again = [(s.pk, s.name, s.address, s.phone, s.latitude, s.longitude) for s in _seed(tree, user)]
    assert again == first
    assert HistoryEntry.objects.count() == history
    assert user.roles.count() == 1
    assert demo._plans(random.Random(7)) == demo._plans(random.Random(7))
    assert demo._plans(random.Random(7)) != demo._plans(random.Random(8))


def test_without_a_keeper(tree):
    assert len(_seed(tree, None)) == 31
    assert not Station.keepers.through.objects.exists()


def test_coordinates_stay_around_keqiao_for_any_seed():
    for seed in range(50):
        for plan in demo._plans(random.Random(seed)):
            assert Decimal("30.08") <= plan["latitude"] <= Decimal("30.20")
            assert Decimal("120.40") <= plan["longitude"] <= Decimal("120.60")
