"""Small builders for test data: valid ID numbers, a union tree, officials with roles, members."""

import importlib
import itertools

from accounts.models import User
from accounts.services import grant_role
from core.pii import check_character
from members.models import Membership, Person
from orgs.models import Region, Union

_seq = itertools.count(1)


def id_number(
    n: int | None = None, *, region: str = "330621", birth: str = "19900101", female: bool = False
) -> str:
    """A valid GB 11643 number; the sequence digits make each one distinct."""
    n = next(_seq) if n is None else n
    order = (n * 2 + (0 if female else 1)) % 1000
    first17 = f"{region}{birth}{order:03d}"
    return first17 + check_character(first17)


def phone(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return f"139{n:08d}"


def region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})[
        0
    ]


def union(
    name: str, kind: str = "grassroots", parent: Union | None = None, reg: Region | None = None
) -> Union:
    reg = reg or (parent.region if parent else region("330603", "柯桥区", "county"))
    return Union.objects.create(name=name, kind=kind, parent=parent, region=reg)


def tree() -> dict[str, Union]:
    """A district like the seed's: 柯桥区总工会 with two town federations, each with a grassroots union.

    Returns a dict: district, town_a, town_b, site_a (under town_a), site_b (under town_b).
    """
    zhejiang = region("330000", "浙江省", "province")
    shaoxing = region("330600", "绍兴市", "city", zhejiang)
    keqiao = region("330603", "柯桥区", "county", shaoxing)
    street_a = region("330603001", "柯桥街道", "town", keqiao)
    street_b = region("330603003", "华舍街道", "town", keqiao)
    district = union("柯桥区总工会", "federation", reg=keqiao)
    town_a = union("柯桥街道总工会", "town_federation", district, street_a)
    town_b = union("华舍街道总工会", "town_federation", district, street_b)
    site_a = union("饿了么柯桥站工会", "grassroots", town_a)
    site_b = union("顺丰华舍网点工会", "grassroots", town_b)
    return {"district": district, "town_a": town_a, "town_b": town_b, "site_a": site_a, "site_b": site_b}


def official(
    username: str, kind: str | None, on: Union | None, password: str = "correct-horse-battery"
) -> User:
    user = User.objects.create_user(username, password=password, display_name=username)
    if kind and on:
        grant_role(user, on, kind)
    return User.objects.get(pk=user.pk)


def member(union: Union, name: str = "测试职工", **person_fields) -> Person:
    person = Person(name=name, **person_fields)
    person.set_id_number(id_number())
    person.set_phone(phone())
    person.save()
    Membership.objects.create(person=person, union=union, card_number=f"K{person.pk:09d}")
    return person


def reference_lists() -> None:
    """The lists data migrations seed (regions, amenities, service kinds), where they are missing."""
    from orgs.region_data import read_rows
    from stations.models import Amenity, ServiceKind

    if not Region.objects.exists():  # read_rows gives parents first; bulk_create as for the lists below
        Region.objects.bulk_create(
            Region(code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent"] or None)
            for r in read_rows()
        )

    if not Amenity.objects.exists() and not ServiceKind.objects.exists():
        # bulk_create: as a migration writes them, with no history rows a test might count.
        reference = importlib.import_module("stations.migrations.0003_reg4_reference_lists")
        for model, rows in ((Amenity, reference.AMENITIES), (ServiceKind, reference.SERVICE_KINDS)):
            model.objects.bulk_create(
                model(code=code, name=name, order=order * 10) for order, (code, name) in enumerate(rows, 1)
            )
