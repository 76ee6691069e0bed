"""The demo district's unified standard: 柯桥区's checklist, in force, and an inspection of most stations.

Called by `demo.seed_demo` after the stations. Deterministic for a given `rng` (every draw is
made, in the same order, whether or not a station was already inspected) and idempotent: the
checklist is found by its union, name and version, and a station already inspected against it
is left as it is. Three stations come out below the bar: two on their total, one on a required
item (expired first-aid supplies) whatever its total; each has a follow-up date, one overdue.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from orgs.models import Union

from .models import Checklist, ChecklistItem, Station
from .services import standard as services

NAME = "柯桥区职工驿站统一标准"
VERSION = "2026版"
PASS_MARK = Decimal(80)

# (key, category, text, max score, required, what an inspector writes when points are taken off)
ITEMS = [
    (
        "sign",
        "统一标识",
        "统一标识标牌：门口悬挂全国统一的“工会户外劳动者服务站点”标识，站内有服务指南",
        10,
        True,
        "标识牌褪色，站内服务指南未更新",
    ),
    (
        "water",
        "设施",
        "饮用水：提供冷热饮用水，饮水设备清洁、滤芯在更换周期内",
        15,
        True,
        "饮水机滤芯超过更换周期",
    ),
    ("seats", "设施", "休息座椅：休息区座椅不少于4个，完好整洁", 10, False, "座椅仅2个，高峰时段不够坐"),
    (
        "charging",
        "设施",
        "充电设施：提供手机充电（含多种接口），有条件的提供电动车充电",
        10,
        False,
        "充电线缺少Type-C接口",
    ),
    (
        "first_aid",
        "设施",
        "急救药箱：配备急救药箱，药品在有效期内并有登记",
        10,
        True,
        "部分药品（碘伏、创可贴）已过期，未登记",
    ),
    (
        "hygiene",
        "卫生",
        "卫生整洁：地面、桌椅、微波炉、卫生间清洁无异味",
        10,
        False,
        "卫生间有异味，地面有积水",
    ),
    (
        "hours",
        "开放时间",
        "开放时间公示：门口公示开放时间，实际开放与公示一致",
        10,
        False,
        "公示的开放时间与实际不一致",
    ),
    ("services", "服务范围", "服务项目公示：公示服务项目、联系电话和监督电话", 10, False, "未公示监督电话"),
    ("keeper", "管理", "管理员在岗：开放时间内有驿站管理员或网点工作人员值守", 5, False, "检查时无人值守"),
    ("ledger", "管理", "台账记录：来访和服务人次按月登记，台账完整", 5, False, "近两个月服务台账未登记"),
    ("safety", "安全", "消防安全：灭火器在有效期内，安全通道畅通", 5, False, "灭火器压力不足"),
]

# How the three failing stations fail: points taken off per item key, their age and follow-up.
FAILURES = [
    # On the total, and its follow-up is overdue: inspected 40 days ago, to re-check 10 days ago.
    ({"seats": 4, "charging": 5, "hygiene": 5, "services": 4, "ledger": 3}, 40, -10),
    # On a required item: expired first-aid supplies fail it whatever the total.
    ({"first_aid": 4}, 12, 18),
    ({"hygiene": 6, "hours": 5, "keeper": 5, "safety": 3, "seats": 3}, 20, 10),
]


def _checklist(district_union: Union) -> Checklist:
    checklist = Checklist.objects.filter(union=district_union, name=NAME, version=VERSION).first()
    if checklist is not None:
        return checklist
    items = [
        ChecklistItem(category=category, text=text, max_score=Decimal(top), required=required)
        for _key, category, text, top, required, _finding in ITEMS
    ]
    checklist = services.create_checklist(
        Checklist(union=district_union, name=NAME, version=VERSION, pass_mark=PASS_MARK), items
    )
    return services.activate(checklist)


def seed_standard(district_union: Union, inspector_user, rng: random.Random) -> int:
    """Put the district's standard in force and inspect most of its stations; the count of new inspections."""
    checklist = _checklist(district_union)
    items = dict(zip((key for key, *_rest in ITEMS), checklist.items.order_by("order", "pk"), strict=True))
    findings = {key: finding for key, *_rest, finding in ITEMS}
    stations = list(Station.objects.filter(union__path__subtree=district_union.path).order_by("name", "pk"))
    failing = dict(zip((s.pk for s in rng.sample(stations, min(3, len(stations)))), FAILURES, strict=False))
    today = timezone.localdate()
    created = 0
    for station in stations:
        # Every draw happens for every station, inspected before or not, so the sequence never shifts.
        skipped = rng.random() < 0.12
        days_ago = rng.randint(8, 75)
        taken = {
            key: rng.choice((0, 0, 0, 0, 0, 0, 1, 2)) for key, *_r, required, _f in ITEMS if not required
        }
        follow_up = None
        if station.pk in failing:
            off, days_ago, follow_up = failing[station.pk]
            taken = {**taken, **off}
        elif skipped:
            continue
        if inspector_user is None or station.inspections.filter(checklist=checklist).exists():
            continue
        rows = []
        for key, item in items.items():
            off = Decimal(taken.get(key, 0))
            score = max(item.max_score - off, Decimal(0))
            rows.append(services.ScoreInput(item.pk, score, findings[key] if off else ""))
        inspected_on = today - datetime.timedelta(days=days_ago)
        services.record_inspection(
            station,
            inspector_user,
            rows,
            checklist=checklist,
            inspected_on=inspected_on,
            findings="；".join(findings[key] for key, off in taken.items() if off >= 3),
            follow_up_on=today + datetime.timedelta(days=follow_up) if follow_up is not None else None,
        )
        created += 1
    return created
