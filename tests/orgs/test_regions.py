import importlib

import pytest
from django.apps import apps as global_apps

from orgs.models import Region
from orgs.region_data import load_regions, read_rows

from .. import factories

migration = importlib.import_module("orgs.migrations.0002_regions")


@pytest.fixture
def regions(db):
    # The data migration loads them; a transactional test elsewhere in the run may have flushed
    # the tables since, so make sure (loading is idempotent).
    load_regions(Region)


def zhejiang():
    return Region.objects.filter(code__startswith="33")


def test_counts_per_level(regions):
    counts = {
        level: zhejiang().filter(level=level).count() for level in ("province", "city", "county", "town")
    }
    assert counts == {"province": 1, "city": 11, "county": 90, "town": 16}
    assert len(read_rows()) == 118


@pytest.mark.parametrize(
    ("code", "name", "level"),
    [
        ("330000", "浙江省", "province"),
        ("330600", "绍兴市", "city"),
        ("331100", "丽水市", "city"),
        ("330603", "柯桥区", "county"),
        ("330112", "临安区", "county"),
        ("330113", "临平区", "county"),
        ("330114", "钱塘区", "county"),
        ("330383", "龙港市", "county"),
        ("331083", "玉环市", "county"),
        ("331124", "松阳县", "county"),
        ("330502", "吴兴区", "county"),
        ("330822", "常山县", "county"),
        ("330212", "鄞州区", "county"),
        ("331127", "景宁畲族自治县", "county"),
        ("330603001", "柯桥街道", "town"),
        ("330603003", "华舍街道", "town"),
        ("330603011", "马鞍街道", "town"),
        ("330603105", "平水镇", "town"),
        ("330603114", "夏履镇", "town"),
    ],
)
def test_exact_codes(regions, code, name, level):
    region = Region.objects.get(code=code)
    assert (region.name, region.level) == (name, level)


def test_abolished_and_statistical_only_codes_are_absent(regions):
    # 下城区 and 江干区 were merged in 2021; 温州经济技术开发区 has a statistical code only.
    assert not Region.objects.filter(code__in=["330103", "330104", "330204", "330371"]).exists()


def test_streets_and_towns_of_keqiao(regions):
    keqiao = Region.objects.get(code="330603")
    names = list(keqiao.children.values_list("name", flat=True))
    assert len(names) == 16
    assert sum(name.endswith("街道") for name in names) == 11
    assert sum(name.endswith("镇") for name in names) == 5


def test_parent_chain_and_full_name(regions):
    town = Region.objects.get(code="330603003")
    chain = []
    node = town
    while node is not None:
        chain.append(node.code)
        node = node.parent
    assert chain == ["330603003", "330603", "330600", "330000"]
    assert town.full_name == "浙江省绍兴市柯桥区华舍街道"
    assert Region.objects.get(code="331124").full_name == "浙江省丽水市松阳县"


def test_every_parent_is_one_level_up_and_shares_the_code_prefix(regions):
    widths = {"city": 2, "county": 4, "town": 6}
    for region in zhejiang().exclude(level="province").select_related("parent"):
        assert region.parent is not None, region.code
        assert region.code[: widths[region.level]] == region.parent.code[: widths[region.level]], region.code
        assert ("province", "city", "county").index(region.parent.level) == (
            ("city", "county", "town").index(region.level)
        )


def test_loading_again_changes_nothing_and_repairs_a_changed_name(regions):
    assert load_regions(Region) == 0
    Region.objects.filter(code="330603001").update(name="旧名")
    assert load_regions(Region) == 1
    assert Region.objects.get(code="330603001").name == "柯桥街道"
    assert zhejiang().count() == 118


def test_migration_reverses_and_keeps_regions_in_use(regions):
    street = Region.objects.get(code="330603001")
    factories.union("柯桥街道总工会", "town_federation", reg=street)

    migration.backwards(global_apps, None)
    # The street a union stands on stays, and so do its parents; everything else goes.
    assert sorted(zhejiang().values_list("code", flat=True)) == ["330000", "330600", "330603", "330603001"]

    migration.forwards(global_apps, None)
    assert zhejiang().count() == 118
