"""The demo's unified standard: the checklist in force, most stations inspected, 2–3 below the bar."""

import random

from accounts.choices import RoleKind
from core.models import HistoryEntry
from stations import demo, demo_standard
from stations.models import Checklist, Inspection, Station
from stations.services import standard as services

from .. import factories


def _seed(tree, inspector, seed=2026):
    demo.seed_stations(tree["district"], None, random.Random(seed))
    return demo_standard.seed_standard(tree["district"], inspector, random.Random(seed))


def _outcome():
    return sorted(
        Inspection.objects.values_list("station__name", "inspected_on", "score", "result", "follow_up_on")
    )


def test_the_demo_standard_is_deterministic_and_idempotent(tree):
    inspector = factories.official("kq_service", RoleKind.SERVICE, tree["district"])
    created = _seed(tree, inspector)
    checklist = Checklist.objects.get()
    assert (checklist.name, checklist.version, checklist.active, checklist.pass_mark) == (
        "柯桥区职工驿站统一标准",
        "2026版",
        True,
        80,
    )
    assert services.total_max(checklist) == 100
    assert [i.text.split("：")[0] for i in checklist.items.order_by("order")][:10] == [
        "统一标识标牌", "饮用水", "休息座椅", "充电设施", "急救药箱",
        "卫生整洁", "开放时间公示", "服务项目公示", "管理员在岗", "台账记录",
    ]  # fmt: skip
    stations = Station.objects.count()
    assert created == Inspection.objects.count() and stations * 0.75 <= created < stations
    below = Station.objects.filter(below_standard=True)
    assert 2 <= below.count() <= 3
    for station in below:
        latest = services.latest_inspection(station)
        assert latest.result == "failed" and latest.follow_up_on is not None
    assert len(services.overdue_follow_ups()) == 1
    # Every station's flags agree with its inspection.
    for station in Station.objects.exclude(inspected_on=None):
        latest = services.latest_inspection(station)
        assert (station.standard_score, station.below_standard) == (latest.score, latest.result == "failed")
    first = _outcome()

    history = HistoryEntry.objects.count()
    assert _seed(tree, inspector) == 0
    assert HistoryEntry.objects.count() == history and _outcome() == first

    # Another database, the same draws: the same outcome.
    Inspection.objects.all().delete()
    Checklist.objects.all().delete()
    Station.objects.update(standard_score=None, below_standard=False, inspected_on=None)
    _seed(tree, inspector)
    assert _outcome() == first
