"""The seed's stations in the demo district: 10 职工驿站, 20 爱心翼站 and the 小哥驿站 at 柯迎社区,
with their weekly hours, the banks' Spring Festival closure, amenities, and four weeks of visits and
recorded services.

Called by `demo.seed_demo` when this app is installed. Deterministic for a given
`rng` (every random draw is made, in the same order, whether or not a station
already exists) and the day it runs (the visits are the four weeks before it), and
idempotent: a station is found by its union and name; its hours and amenities are
only completed; visits and services are added only to stations that have none.
"""

import datetime
import itertools
import random
from decimal import Decimal

from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import Role
from accounts.services import grant_role
from core import geo
from core.history import record_bulk_created
from orgs.choices import EmploymentForm, PartnerKind, UnionKind
from orgs.models import Partner, Region, Union

from .choices import StationKind
from .models import Amenity, ServiceKind, ServiceRecord, Station, StationClosure, Visit
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
SUPERMARKET_HOURS = "依托超市营业时间开放：每天 8:00–22:00"
TELECOM_HOURS = "营业厅营业时间开放：每天 8:30–18:00；提供免费手机贴膜"
RIDER_HOURS = "每天 7:00–22:00；每月第一个周六“十重礼”关爱服务日"


def _week(weekdays: tuple[int, int], weekend: tuple[int, int] | None = None) -> list:
    weekend = weekend or weekdays
    return [[list(weekdays)] for _ in range(5)] + [[list(weekend)] for _ in range(2)]


# Minutes after midnight. The 小哥驿站 keeps 7:00–22:00, not 24 h: it is in the community's
# service centre, staffed by volunteers, and riders' shifts start at breakfast and end after supper.
BANK_WEEK = _week((8 * 60 + 30, 17 * 60), (9 * 60, 16 * 60))
SUPERMARKET_WEEK = _week((8 * 60, 22 * 60))
TELECOM_WEEK = _week((8 * 60 + 30, 18 * 60))
RIDER_WEEK = _week((7 * 60, 22 * 60))

# Banks close from 除夕 to 初三 of the Spring Festival (the 2027 new year falls on 6 February).
SPRING_FESTIVAL = (datetime.date(2027, 2, 5), datetime.date(2027, 2, 8), "春节闭站（除夕至正月初三）")

# Codes and names as reg4's data migration (0003) seeds them; found by code, made if missing.
AMENITY_NAMES = {
    "drinking_water": "饮用水",
    "microwave": "微波炉",
    "charging": "手机充电",
    "restroom": "卫生间",
    "seats": "休息座椅",
    "first_aid": "急救药箱",
    "wifi": "无线网络",
    "screen_film": "手机贴膜",
    "books": "图书",
    "aed": "AED",
    "shower": "淋浴",
    "air_conditioning": "空调",
    "hot_water": "热水",
}
SERVICE_NAMES = {
    "screen_film": "手机贴膜",
    "free_clinic": "义诊",
    "cooling_kit": "防暑降温包",
    "legal_advice": "法律咨询",
    "social_insurance_advice": "社保咨询",
    "vaccination": "疫苗接种",
    "anti_fraud": "反诈宣传",
    "haircut": "理发",
}
EVERY_STATION = ("drinking_water", "charging", "seats", "restroom")
AMENITIES = {
    "bank": (*EVERY_STATION, "air_conditioning", "hot_water", "first_aid"),
    "supermarket": (*EVERY_STATION, "microwave", "hot_water", "air_conditioning"),
    "telecom": (*EVERY_STATION, "screen_film", "wifi", "air_conditioning"),
    "rider": (
        *EVERY_STATION,
        "microwave",
        "first_aid",
        "books",
        "shower",
        "wifi",
        "hot_water",
        "air_conditioning",
        "aed",
    ),
}

# Four weeks of check-ins before the day the demo is loaded.
ACTIVITY_DAYS = 28
# Mean check-ins on a weekday; weekends differ by kind (banks are quieter, the rider station is not).
DAILY_VISITS = {"bank": 6, "supermarket": 9, "telecom": 8, "rider": 36}
WEEKEND_FACTOR = {"bank": 0.6, "supermarket": 1.2, "telecom": 1.0, "rider": 1.1}
# Riders and couriers most of all; sanitation workers at the banks and supermarkets on their rounds.
FORM_WEIGHTS = {
    "rider": [
        (EmploymentForm.DELIVERY_RIDER, 55),
        (EmploymentForm.COURIER, 30),
        (EmploymentForm.RIDE_HAILING_DRIVER, 6),
        (EmploymentForm.TRUCK_DRIVER, 3),
        (EmploymentForm.SANITATION_WORKER, 3),
        (EmploymentForm.OTHER, 3),
    ],
    "other": [
        (EmploymentForm.DELIVERY_RIDER, 38),
        (EmploymentForm.COURIER, 26),
        (EmploymentForm.RIDE_HAILING_DRIVER, 9),
        (EmploymentForm.TRUCK_DRIVER, 5),
        (EmploymentForm.SANITATION_WORKER, 9),
        (EmploymentForm.DOMESTIC_WORKER, 4),
        (EmploymentForm.SECURITY_GUARD, 3),
        (EmploymentForm.OTHER, 6),
    ],
}
# Relative weight of each hour of the day: a lunch peak and a bigger supper peak (riders between
# orders), a small morning one.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 5, 4, 5, 10, 14, 9, 5, 4, 5, 9, 13, 11, 7, 4, 2, 1]


def jitter(rng: random.Random, centre: tuple[Decimal, Decimal], spread: float) -> tuple[Decimal, Decimal]:
    """A point up to `spread` degrees from `centre`, with the six places a position is kept with."""
    lat, lon = centre
    return (
        (lat + Decimal(str(round(rng.uniform(-spread, spread), 6)))).quantize(geo.SIX_PLACES),
        (lon + Decimal(str(round(rng.uniform(-spread, spread), 6)))).quantize(geo.SIX_PLACES),
    )


def _copy(week: list) -> list:
    return [[list(interval) for interval in day] for day in week]


def _landline(rng: random.Random) -> str:
    # 柯桥 landlines are 0575-84xxxxxx / 0575-85xxxxxx.
    return f"0575-8{rng.choice('45')}{rng.randint(100000, 999999)}"


def _plans(rng: random.Random) -> list[dict]:
    """Every station's fields; all random draws happen here, in one fixed order."""
    plans = []
    for street, short, host, road in WORKER_STATIONS:
        lat, lon = jitter(rng, AREAS[street], 0.006)
        supermarket = "超市" in host
        plans.append(
            dict(
                name=f"柯桥职工驿站·{short}",
                kind=StationKind.WORKER,
                host=(host, PartnerKind.SUPERMARKET if supermarket else PartnerKind.BANK),
                street=street,
                address=f"绍兴市柯桥区{street}{road}{rng.randint(1, 1500)}号",
                latitude=lat,
                longitude=lon,
                phone=_landline(rng),
                opening_note=SUPERMARKET_HOURS if supermarket else WORKER_HOURS,
                hours=_copy(SUPERMARKET_WEEK if supermarket else BANK_WEEK),
            )
        )
    for street, branch, road in TELECOM_STATIONS:
        lat, lon = jitter(rng, AREAS[street], 0.008)
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
                hours=_copy(TELECOM_WEEK),
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
            hours=_copy(RIDER_WEEK),
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


def seed_stations(district_union: Union, keeper_user, rng: random.Random, worker=None) -> list[Station]:
    """Build (or find) the seed's 31 stations in the district and assign the keeper to two of them.

    The 职工驿站 and 爱心翼站 belong to the district union, which built them (with China
    Telecom for the latter); the 小哥驿站 belongs to 柯桥街道's town federation when
    there is one, since the street opened it with its community. `worker` (the demo's
    signed-in rider, a Person) gets a lunchtime visit at the 小哥驿站 three days a week, so
    his 我的 lists them.
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
    # Drawn here, after the plans, so the stations' own draws stay as they were.
    activity = random.Random(rng.getrandbits(64))
    _complete(stations)
    _add_activity(stations, district_union, keeper_user, activity, worker)
    return stations


def _group(station: Station) -> str:
    """bank, supermarket, telecom or rider: what sets a demo station's hours, amenities and traffic."""
    if station.kind == StationKind.RIDER:
        return "rider"
    if station.kind == StationKind.TELECOM_CARE:
        return "telecom"
    return "supermarket" if station.partner and station.partner.kind == PartnerKind.SUPERMARKET else "bank"


WEEKS = {"bank": BANK_WEEK, "supermarket": SUPERMARKET_WEEK, "telecom": TELECOM_WEEK, "rider": RIDER_WEEK}
NOTES = {
    "bank": WORKER_HOURS,
    "supermarket": SUPERMARKET_HOURS,
    "telecom": TELECOM_HOURS,
    "rider": RIDER_HOURS,
}


def _by_code(model, names: dict[str, str]) -> dict:
    found = {item.code: item for item in model.objects.filter(code__in=names)}
    for order, (code, name) in enumerate(names.items(), 1):
        if code not in found:
            found[code] = model.objects.get_or_create(
                code=code, defaults={"name": name, "order": order * 10}
            )[0]
    return found


def _complete(stations: list[Station]) -> None:
    """Hours where a station still has none, the standard amenities it lacks, the banks' closure."""
    amenities = _by_code(Amenity, AMENITY_NAMES)
    have = set(
        Station.amenities.through.objects.filter(station__in=stations).values_list("station", "amenity")
    )
    links = []
    for station in stations:
        group = _group(station)
        if not any(station.hours):
            # A station made before the demo had hours; an official's own hours are left alone.
            station.hours = _copy(WEEKS[group])
            station.opening_note = station.opening_note or NOTES[group]
            services.save_station(station)
        links += [
            Station.amenities.through(station=station, amenity=amenities[code])
            for code in AMENITIES[group]
            if (station.pk, amenities[code].pk) not in have
        ]
        if group == "bank":
            starts, ends, reason = SPRING_FESTIVAL
            StationClosure.objects.get_or_create(
                station=station, starts_on=starts, ends_on=ends, defaults={"reason": reason}
            )
    Station.amenities.through.objects.bulk_create(links)


def _local(day: datetime.date, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(minute // 60, minute % 60), tzinfo=timezone.get_current_timezone()
    )


def _day_minutes(station: Station) -> list[tuple[list[int], list[int]]]:
    """Per weekday: the minutes the station is open and their cumulative HOUR_WEIGHTS (drawn from)."""
    week = []
    for intervals in station.hours:
        minutes = [m for opens, closes in intervals for m in range(opens, min(closes, 1440))]
        week.append((minutes, list(itertools.accumulate(HOUR_WEIGHTS[m // 60] for m in minutes))))
    return week


def _add_activity(
    stations: list[Station], district_union: Union, keeper_user, rng: random.Random, worker=None
) -> None:
    """Four weeks of check-ins and of services the keepers recorded, at stations that have none yet."""
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in range(ACTIVITY_DAYS, 0, -1)]
    visited = set(Visit.objects.filter(station__in=stations).values_list("station", flat=True).distinct())
    served = set(
        ServiceRecord.objects.filter(station__in=stations).values_list("station", flat=True).distinct()
    )
    kinds = _by_code(ServiceKind, SERVICE_NAMES)
    official = (
        Role.objects.filter(union=district_union, kind=RoleKind.SERVICE, active=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    kept = set()
    if keeper_user is not None:
        kept = set(Station.keepers.through.objects.filter(user=keeper_user).values_list("station", flat=True))
    visits, records = [], []
    for station in stations:
        group = _group(station)
        week = _day_minutes(station)
        forms = FORM_WEIGHTS["rider" if group == "rider" else "other"]
        form_codes, form_cumulative = [f for f, _w in forms], list(itertools.accumulate(w for _f, w in forms))
        recorder = keeper_user if station.pk in kept else (official.user if official else None)
        for day in days:
            weekend = day.weekday() >= 5
            mean = DAILY_VISITS[group] * (WEEKEND_FACTOR[group] if weekend else 1)
            count = max(0, round(rng.gauss(mean, mean / 4)))
            open_minutes, cumulative = week[day.weekday()]
            drawn = rng.choices(open_minutes, cum_weights=cumulative, k=count) if open_minutes else []
            minutes = sorted(drawn)
            chosen = rng.choices(form_codes, cum_weights=form_cumulative, k=len(minutes))
            if station.pk not in visited:
                made = [
                    Visit(station=station, at=_local(day, m), employment_form=f, created_at=_local(day, m))
                    for m, f in zip(minutes, chosen, strict=True)
                ]
                if worker is not None and group == "rider" and day.weekday() in (0, 2, 4):
                    # No draw here: the same visits are made with or without the demo worker.
                    lunch = [v for v in made if v.employment_form == EmploymentForm.DELIVERY_RIDER]
                    lunch = [v for v in lunch if 11 <= timezone.localtime(v.at).hour <= 13]
                    if lunch:
                        lunch[0].person = worker
                visits += made
            for code, served_count, form in _services(group, day, rng):
                # Drawn whether or not the record is made, so what follows does not depend on it.
                at = _local(day, 19 * 60 + rng.randrange(60))
                if station.pk not in served and recorder is not None:
                    records.append(
                        ServiceRecord(
                            station=station,
                            kind=kinds[code],
                            served_on=day,
                            count=served_count,
                            employment_form=form,
                            recorded_by=recorder,
                            created_at=at,
                        )
                    )
    record_bulk_created(Visit.objects.bulk_create(visits, batch_size=2000))
    record_bulk_created(ServiceRecord.objects.bulk_create(records, batch_size=2000))


def _services(group: str, day: datetime.date, rng: random.Random) -> list[tuple[str, int, str]]:
    """(service code, person-times, employment form or "") a keeper recorded at a station on a day."""
    rows = []
    weekday = day.weekday()
    if group == "telecom":
        # 手机贴膜 every day, most for riders, whose screens wear out on the handlebar mount.
        rows.append(("screen_film", rng.randint(2, 7), EmploymentForm.DELIVERY_RIDER))
        rows.append(("screen_film", rng.randint(0, 3), EmploymentForm.COURIER))
        if weekday == 2:
            rows.append(("anti_fraud", rng.randint(5, 15), ""))
    elif group == "rider":
        if weekday == 5 and day.day <= 7:
            # The first Saturday's “十重礼” day: clinic, haircuts, legal and social-insurance advice.
            rows += [
                ("free_clinic", rng.randint(20, 40), ""),
                ("haircut", rng.randint(10, 25), EmploymentForm.DELIVERY_RIDER),
                ("legal_advice", rng.randint(4, 10), ""),
                ("social_insurance_advice", rng.randint(6, 14), ""),
            ]
        if weekday in (1, 4):
            rows.append(("legal_advice", rng.randint(1, 3), EmploymentForm.DELIVERY_RIDER))
        rows.append(("screen_film", rng.randint(0, 2), EmploymentForm.COURIER))
    elif group == "bank":
        if weekday in (0, 3):
            rows.append(("anti_fraud", rng.randint(3, 10), ""))
        if weekday == 2:
            rows.append(("social_insurance_advice", rng.randint(1, 4), ""))
    elif weekday == 4:
        rows.append(("free_clinic", rng.randint(3, 9), ""))
    return [row for row in rows if row[1] >= 1]
