"""A bench-sized district built in bulk: ~10^3 unions in a realistic tree, 10^5 people and memberships.

Runs inside Django (the bench's build step). Rows go in with bulk_create, so no
history is written for them: the history records changes made through the app,
and a bulk load of test data is not one. Personal data goes through the model's
own `set_id_number` / `set_phone`, so every ciphertext, hash and mask is real.
"""

import datetime
import random

from django.db import connection, transaction

from accounts.choices import RoleKind
from accounts.models import User
from accounts.services import grant_role
from core.fields import segment
from core.pii import check_character
from members.choices import EmploymentForm, JoinChannel, MembershipStatus
from members.models import Membership, Person
from orgs.choices import Sector, UnionKind
from orgs.models import Region, Union

BATCH = 2000
TOWNS = 20
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志海波宁婷雪峰林斌浩辉琳俊"
# Weighted towards the seed's couriers and riders.
FORMS = (
    [EmploymentForm.COURIER] * 4
    + [EmploymentForm.DELIVERY_RIDER] * 4
    + [
        EmploymentForm.RIDE_HAILING_DRIVER,
        EmploymentForm.TRUCK_DRIVER,
        EmploymentForm.DOMESTIC_WORKER,
        EmploymentForm.SANITATION_WORKER,
        EmploymentForm.OTHER,
    ]
)
STATUSES = [MembershipStatus.ACTIVE] * 18 + [MembershipStatus.RETAINED, MembershipStatus.LEFT]


class _Tree:
    """Hands out materialised paths the way Union.save would, without a query per node."""

    def __init__(self):
        self.rows: list[Union] = []
        self._children: dict[str, int] = {}

    def add(
        self, name: str, kind: str, parent: Union | None, region: Region, sector: str = Sector.MIXED
    ) -> Union:
        base = parent.path if parent else ""
        self._children[base] = self._children.get(base, 0) + 1
        path = base + segment(self._children[base])
        node = Union(
            name=name,
            kind=kind,
            parent=parent,
            path=path,
            depth=path.count("."),
            region=region,
            sector=sector,
        )
        self.rows.append(node)
        return node


def _regions() -> tuple[Region, list[Region]]:
    province, _ = Region.objects.get_or_create(
        code="330000", defaults={"name": "浙江省", "level": "province"}
    )
    city, _ = Region.objects.get_or_create(
        code="330600", defaults={"name": "绍兴市", "level": "city", "parent": province}
    )
    county, _ = Region.objects.get_or_create(
        code="330603", defaults={"name": "柯桥区", "level": "county", "parent": city}
    )
    towns = [
        Region.objects.get_or_create(
            code=f"330603{n:03d}", defaults={"name": f"柯桥区第{n}街道", "level": "town", "parent": county}
        )[0]
        for n in range(1, TOWNS + 1)
    ]
    return county, towns


def _save_level(nodes: list[Union]) -> None:
    # Parents must have their ids before their children are inserted.
    for node in nodes:
        node.parent_id = node.parent.pk if node.parent else None
    Union.objects.bulk_create(nodes, batch_size=BATCH)
    if not all(node.pk for node in nodes):  # SQLite before 3.35 returns no ids
        by_path = dict(Union.objects.filter(path__in=[n.path for n in nodes]).values_list("path", "pk"))
        for node in nodes:
            node.pk = by_path[node.path]


def build_unions() -> dict:
    """1,000 unions: the district federation; its express industry union with 18 sites; 20 town
    federations, each with 4 joint/industry unions (2 area unions of 4 sites each below them) and
    4 sites of their own. Depth runs to 5."""
    county, towns = _regions()
    tree = _Tree()
    district = tree.add("柯桥区总工会", UnionKind.FEDERATION, None, county)
    express = tree.add("柯桥区快递行业工会", UnionKind.INDUSTRY, district, county, Sector.EXPRESS)
    for n in range(1, 19):
        tree.add(f"快递网点{n}工会", UnionKind.GRASSROOTS, express, county, Sector.EXPRESS)
    town_nodes = []
    for t, region in enumerate(towns, 1):
        town = tree.add(f"{region.name}总工会", UnionKind.TOWN_FEDERATION, district, region)
        town_nodes.append(town)
        for j in range(1, 5):
            kind = UnionKind.JOINT if j % 2 else UnionKind.INDUSTRY
            mid = tree.add(f"{region.name}第{j}联合工会", kind, town, region, Sector.FOOD_DELIVERY)
            for a in range(1, 3):
                area = tree.add(f"{region.name}{j}-{a}片区工会", UnionKind.JOINT, mid, region)
                for s in range(1, 5):
                    tree.add(
                        f"街道{t}站点{j}-{a}-{s}工会", UnionKind.GRASSROOTS, area, region, Sector.EXPRESS
                    )
        for s in range(1, 5):
            tree.add(f"街道{t}企业{s}工会", UnionKind.GRASSROOTS, town, region, Sector.MANUFACTURING)
    with transaction.atomic():
        for depth in range(1, 6):
            _save_level([n for n in tree.rows if n.depth == depth])
    grassroots = [n for n in tree.rows if n.kind == UnionKind.GRASSROOTS]
    return {"district": district, "towns": town_nodes, "grassroots": grassroots, "unions": tree.rows}


def _id_number(i: int, rng: random.Random) -> str:
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=i // 500)
    order = (i % 500) * 2 + rng.randint(0, 1)
    first17 = f"330621{birth:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


def build_people(grassroots: list[Union], n_people: int) -> None:
    """n_people people, each with one membership of a grassroots union."""
    rng = random.Random(2024)
    start = datetime.date(2015, 1, 1)
    for lo in range(0, n_people, BATCH):
        people = []
        for i in range(lo, min(lo + BATCH, n_people)):
            person = Person(
                name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
                employment_form=rng.choice(FORMS),
            )
            person.set_id_number(_id_number(i, rng))
            person.set_phone(f"139{i:08d}")
            people.append(person)
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=BATCH)
            if not all(p.pk for p in people):
                by_hash = dict(
                    Person.objects.filter(phone_hash__in=[p.phone_hash for p in people]).values_list(
                        "phone_hash", "pk"
                    )
                )
                for p in people:
                    p.pk = by_hash[p.phone_hash]
            memberships = []
            for offset, person in enumerate(people):
                status = rng.choice(STATUSES)
                joined = start + datetime.timedelta(days=rng.randint(0, 3800))
                memberships.append(
                    Membership(
                        person_id=person.pk,
                        union_id=rng.choice(grassroots).pk,
                        status=status,
                        card_number=f"B{lo + offset:09d}",
                        channel=rng.choice(JoinChannel.values),
                        joined_on=joined,
                        ended_on=None
                        if status == MembershipStatus.ACTIVE
                        else joined + datetime.timedelta(days=400),
                    )
                )
            Membership.objects.bulk_create(memberships, batch_size=BATCH)


def build_officials(district: Union, town: Union) -> dict[str, User]:
    """A superuser, the district's admin, and a town federation's organisation official."""
    password = "bench-password-not-secret"
    superuser = User.objects.create_superuser("bench_super", password=password, display_name="超级管理员")
    admin = User.objects.create_user("bench_district", password=password, display_name="区总工会管理员")
    grant_role(admin, district, RoleKind.ADMIN)
    town_official = User.objects.create_user("bench_town", password=password, display_name="街道组织干部")
    grant_role(town_official, town, RoleKind.ORGANISATION)
    return {"superuser": superuser, "district": admin, "town": town_official}


def analyze() -> str:
    """Planner statistics and (PostgreSQL) the visibility map, as a loaded production database has
    them: autovacuum runs this soon after a bulk insert, and index-only scans depend on it."""
    statement = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(statement)
    return statement
