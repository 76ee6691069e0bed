"""The demo district's hot spots: where its couriers and riders work, for the coverage-gap page.

Two sources, as an official would have them:
- the census's employer sites. The demo census records no coordinates, so each site is placed
  in its street: the street's rough centre plus a deterministic offset of up to ~1.3 km (a site
  that already has coordinates keeps them); then stations.services.coverage.sync_census makes one
  hot spot per site (outdoor workers by day, the night shares by employment form);
- ~20 imported hot spots the census does not see: 中国轻纺城's markets, logistics parks, the
  riders' pick-up points at the shopping centres, with day and night counts.

Deterministic for a given `rng` (every draw is made, in the same order, on every run) and
idempotent: coordinates are only filled in, an imported hot spot is found by its union and name,
and the census sync rewrites nothing that has not changed.
"""

import random
from decimal import Decimal

from orgs.choices import UnionKind
from orgs.models import Region, Union
from orgs.services.census import employers_of

from .choices import HotSpotSource
from .demo import AREAS, jitter
from .models import HotSpot
from .services import coverage as services

# Rough WGS-84 centres of the streets and towns without a station (the others are in demo.AREAS).
MORE_AREAS = {
    "湖塘街道": (Decimal("30.0480"), Decimal("120.4700")),
    "福全街道": (Decimal("30.0350"), Decimal("120.5350")),
    "兰亭街道": (Decimal("29.9950"), Decimal("120.5150")),
    "杨汛桥街道": (Decimal("30.1150"), Decimal("120.3450")),
    "平水镇": (Decimal("29.9380"), Decimal("120.6350")),
    "王坛镇": (Decimal("29.8200"), Decimal("120.6000")),
    "稽东镇": (Decimal("29.7700"), Decimal("120.5300")),
    "漓渚镇": (Decimal("29.9950"), Decimal("120.4600")),
    "夏履镇": (Decimal("30.0500"), Decimal("120.3600")),
}
SPREAD = 0.012  # degrees: about 1.3 km north-south, 1.1 km east-west

# (street, name, lat, lon, day, night): places the census does not list as employers.
IMPORTED = [
    ("柯桥街道", "中国轻纺城东市场", "30.090500", "120.498500", 600, 60),
    ("柯桥街道", "中国轻纺城北市场", "30.099000", "120.497500", 450, 40),
    ("柯桥街道", "中国轻纺城联合市场", "30.093000", "120.504000", 380, 30),
    ("柯桥街道", "中国轻纺城东升路市场", "30.096500", "120.509500", 320, 40),
    ("柯桥街道", "轻纺城国际物流中心", "30.106000", "120.516000", 300, 180),
    ("柯桥街道", "柯桥万达广场外卖取餐点", "30.080000", "120.487000", 120, 150),
    ("柯桥街道", "柯桥宝龙广场外卖取餐点", "30.084500", "120.507500", 90, 110),
    ("柯桥街道", "柯桥高铁站网约车候客区", "30.067500", "120.508000", 80, 70),
    ("华舍街道", "华舍外卖取餐点（蜀阜路）", "30.116000", "120.473000", 60, 70),
    ("华舍街道", "华舍纺织工业园货运场站", "30.121000", "120.458000", 140, 60),
    ("柯岩街道", "柯岩风景区网约车候客区", "30.083000", "120.456000", 50, 30),
    ("柯岩街道", "柯岩外卖取餐点（柯岩大道）", "30.093500", "120.466500", 45, 50),
    ("齐贤街道", "齐贤物流园", "30.145500", "120.535500", 220, 140),
    ("齐贤街道", "齐贤工业园货运场站", "30.151000", "120.522000", 160, 90),
    ("马鞍街道", "滨海工业区货运场站", "30.190000", "120.565000", 180, 150),
    ("钱清街道", "钱清轻纺原料市场", "30.099000", "120.415000", 260, 30),
    ("钱清街道", "钱清外卖取餐点", "30.094000", "120.406000", 40, 45),
    ("杨汛桥街道", "杨汛桥物流园", "30.115500", "120.340500", 120, 80),
    ("安昌街道", "安昌古镇环卫作业点", "30.155000", "120.450000", 40, 10),
    ("湖塘街道", "湖塘外卖取餐点", "30.048500", "120.471000", 35, 40),
    ("兰亭街道", "兰亭景区环卫作业点", "29.990000", "120.520000", 30, 5),
]


def locate_sites(district_union: Union, rng: random.Random) -> int:
    """Give the census's sites without coordinates a place in their street; returns how many."""
    centres = {**AREAS, **MORE_AREAS}
    located = 0
    for employer in employers_of(district_union).select_related("region").order_by("name", "pk"):
        centre = centres.get(employer.region.name)
        if centre is None:
            continue
        lat, lon = jitter(rng, centre, SPREAD)
        if employer.latitude is None and employer.longitude is None:
            employer.latitude, employer.longitude = lat, lon
            employer.save(update_fields=["latitude", "longitude", "updated_at"])
            located += 1
    return located


def _area_union(district_union: Union, street: str, regions: dict[str, Region]) -> Union:
    region = regions.get(street)
    town = (
        Union.objects.filter(path__subtree=district_union.path, kind=UnionKind.TOWN_FEDERATION, region=region)
        .order_by("path")
        .first()
        if region
        else None
    )
    return town or district_union


def seed_hot_spots(district_union: Union, rng: random.Random) -> int:
    """Place the census's sites, make their hot spots and add the imported ones; returns hot spots made."""
    locate_sites(district_union, rng)
    made = services.sync_census(district_union)["created"]
    regions = {r.name: r for r in Region.objects.filter(parent=district_union.region_id)}
    for street, name, lat, lon, day, night in IMPORTED:
        union = _area_union(district_union, street, regions)
        if HotSpot.objects.filter(union=union, name=name).exists():
            continue
        HotSpot.objects.create(
            union=union,
            name=name,
            source=HotSpotSource.IMPORTED,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            day_workers=day,
            night_workers=night,
        )
        made += 1
    return made
