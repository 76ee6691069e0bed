"""The seed's stations in the demo district: 10 职工驿站, 20 爱心翼站 and the 小哥驿站 at 柯迎社区.

Called by `demo.seed_demo` when this app is installed. Deterministic for a given
`rng` (every random draw is made, in the same order, whether or not a station
already exists) and idempotent: a station is found by its union and name, and an
existing one is left as it is.
"""

import random
from decimal import Decimal

from accounts.choices import RoleKind
from accounts.services import grant_role
from orgs.choices import PartnerKind, UnionKind
from orgs.models import Partner, Region, Union

from .choices import StationKind
from .models import Station
from .services import registry as services

# Rough WGS-84 centres of the built-up parts of the streets the stations sit in.
AREAS = {
    "柯桥街道": (Decimal("30.0880"), Decimal("120.4920")),
    "华舍街道": (Decimal("30.1120"), Decimal("120.4680")),
    "柯岩街道": (Decimal("30.0900"), Decimal("120.4600")),
    "齐贤街道": (Decimal("30.1400"), Decimal("120.5280")),
    "安昌街道": (Decimal("30.1520"), Decimal("120.4520")),
    "马鞍街道": (Decimal("30.1800"), Decimal("120.5550")),
    "钱清街道": (Decimal("30.0980"), Decimal("120.4120")),
}

# (street, short name, host, road) — in the busy parts of the town, hosted by banks and supermarkets.
WORKER_STATIONS = [
    ("柯桥街道", "瑞丰银行营业部", "浙江绍兴瑞丰农村商业银行营业部", "笛扬路"),
    ("柯桥街道", "工商银行柯桥支行", "中国工商银行绍兴柯桥支行", "金柯桥大道"),
    ("柯桥街道", "农业银行柯桥支行", "中国农业银行绍兴柯桥支行", "鉴湖路"),
    ("柯桥街道", "建设银行轻纺城支行", "中国建设银行绍兴轻纺城支行", "湖西路"),
    ("华舍街道", "中国银行华舍支行", "中国银行绍兴柯桥华舍支行", "华齐路"),
    ("柯桥街道", "绍兴银行柯桥支行", "绍兴银行柯桥支行", "群贤路"),
    ("柯桥街道", "世纪联华柯桥店", "世纪联华超市柯桥店", "万商路"),
    ("柯岩街道", "永辉超市柯岩店", "永辉超市柯岩店", "柯岩大道"),
    ("华舍街道", "物美超市华舍店", "物美超市华舍店", "蜀阜路"),
    ("柯桥街道", "联华华商轻纺城店", "联华华商超市轻纺城店", "裕民路"),
]

# (street, branch, road) — China Telecom Keqiao branches across the district.
TELECOM_STATIONS = [
    ("柯桥街道", "笛扬路", "笛扬路"),
    ("柯桥街道", "金柯桥大道", "金柯桥大道"),
    ("柯桥街道", "轻纺城", "柯华路"),
    ("柯桥街道", "柯北", "兴越路"),
    ("柯桥街道", "湖西", "湖西路"),
    ("柯桥街道", "鉴湖路", "鉴湖路"),
    ("柯桥街道", "万达广场", "柯桥大道"),
    ("柯桥街道", "柯东", "育才路"),
    ("华舍街道", "华舍", "华齐路"),
    ("华舍街道", "蜀阜", "蜀阜路"),
    ("齐贤街道", "齐贤", "齐贤大道"),
    ("齐贤街道", "羊山", "羊山路"),
    ("齐贤街道", "齐贤工业园", "纺都路"),
    ("安昌街道", "安昌", "安华路"),
    ("安昌街道", "白洋", "白洋路"),
    ("马鞍街道", "马鞍", "马鞍大道"),
    ("马鞍街道", "滨海", "滨海大道"),
    ("柯岩街道", "柯岩", "柯岩大道"),
    ("柯岩街道", "梅墅", "梅墅路"),
    ("钱清街道", "钱清", "钱清大道"),
]

RIDER_STATION = "柯迎社区小哥驿站（小哥驿家）"
# The second station the demo keeper looks after: the telecom branch nearest 柯迎社区.
KEEPER_SECOND = "爱心翼站·电信柯北营业厅"

WORKER_HOURS = "依托网点营业时间开放：周一至周五 8:30–17:00，周六、周日 9:00–16:00"
TELECOM_HOURS = "营业厅营业时间开放：每天 8:30–18:00；提供免费手机贴膜"
RIDER_HOURS = "每天 7:00–22:00；每月第一个周六“十重礼”关爱服务日"


def _jitter(rng: random.Random, centre: tuple[Decimal, Decimal], spread: float) -> tuple[Decimal, Decimal]:
    lat, lon = centre
    return (
        (lat + Decimal(str(round(rng.uniform(-spread, spread), 6)))).quantize(Decimal("0.000001")),
        (lon + Decimal(str(round(rng.uniform(-spread, spread), 6)))).quantize(Decimal("0.000001")),
    )


def _landline(rng: random.Random) -> str:
    # 柯桥 landlines are 0575-84xxxxxx / 0575-85xxxxxx.
    return f"0575-8{rng.choice('45')}{rng.randint(100000, 999999)}"


def _plans(rng: random.Random) -> list[dict]:
    """Every station's fields; all random draws happen here, in one fixed order."""
    plans = []
    for street, short, host, road in WORKER_STATIONS:
        lat, lon = _jitter(rng, AREAS[street], 0.006)
        plans.append(
            dict(
                name=f"柯桥职工驿站·{short}",
                kind=StationKind.WORKER,
                host=(host, PartnerKind.SUPERMARKET if "超市" in host else PartnerKind.BANK),
                street=street,
                address=f"绍兴市柯桥区{street}{road}{rng.randint(1, 1500)}号",
                latitude=lat,
                longitude=lon,
                phone=_landline(rng),
                opening_note=WORKER_HOURS,
            )
        )
    for street, branch, road in TELECOM_STATIONS:
        lat, lon = _jitter(rng, AREAS[street], 0.008)
        plans.append(
            dict(
                name=f"爱心翼站·电信{branch}营业厅",
                kind=StationKind.TELECOM_CARE,
                host=(f"中国电信柯桥分公司{branch}营业厅", PartnerKind.TELECOM),
                street=street,
                address=f"绍兴市柯桥区{street}{road}{rng.randint(1, 1500)}号",
                latitude=lat,
                longitude=lon,
                phone=_landline(rng),
                opening_note=TELECOM_HOURS,
            )
        )
    plans.append(
        dict(
            name=RIDER_STATION,
            kind=StationKind.RIDER,
            host=("柯桥街道柯迎社区", PartnerKind.COMMUNITY),
            street="柯桥街道",
            address="绍兴市柯桥区柯桥街道柯迎社区党群服务中心一楼",
            latitude=Decimal("30.093512"),
            longitude=Decimal("120.488036"),
            phone=_landline(rng),
            opening_note=RIDER_HOURS,
        )
    )
    return plans


def _town_federation(district_union: Union, region: Region | None) -> Union | None:
    if region is None:
        return None
    return (
        Union.objects.filter(path__subtree=district_union.path, kind=UnionKind.TOWN_FEDERATION, region=region)
        .order_by("path")
        .first()
    )


def seed_stations(district_union: Union, keeper_user, rng: random.Random) -> list[Station]:
    """Build (or find) the seed's 31 stations in the district and assign the keeper to two of them.

    The 职工驿站 and 爱心翼站 belong to the district union, which built them (with China
    Telecom for the latter); the 小哥驿站 belongs to 柯桥街道's town federation when
    there is one, since the street opened it with its community.
    """
    regions = {r.name: r for r in Region.objects.filter(parent=district_union.region_id, name__in=AREAS)}
    stations = []
    for plan in _plans(rng):
        region = regions.get(plan.pop("street"))
        union = district_union
        if plan["kind"] == StationKind.RIDER:
            union = _town_federation(district_union, region) or district_union
        host, kind = plan.pop("host")
        plan["partner"] = Partner.objects.get_or_create(union=union, name=host, defaults={"kind": kind})[0]
        station = Station.objects.filter(union=union, name=plan["name"]).first()
        if station is None:
            station = services.save_station(Station(union=union, region=region, **plan))
        stations.append(station)
    if keeper_user is not None:
        by_name = {station.name: station for station in stations}
        for name in (RIDER_STATION, KEEPER_SECOND):
            station = by_name[name]
            if not services.may_keep(keeper_user, station):
                grant_role(keeper_user, station.union, RoleKind.KEEPER)
            services.assign_keeper(station, keeper_user)
    return stations
