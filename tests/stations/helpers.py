"""Builders for station tests."""

import random
from decimal import Decimal

from accounts.choices import RoleKind
from stations import demo
from stations.models import Station
from stations.services import registry as services

from .. import factories


def station(union, name: str = "柯桥职工驿站·测试网点", kind: str = "worker", **fields) -> Station:
    fields.setdefault("address", "绍兴市柯桥区柯桥街道笛扬路1号")
    fields.setdefault("latitude", Decimal("30.088000"))
    fields.setdefault("longitude", Decimal("120.492000"))
    return services.save_station(Station(union=union, name=name, kind=kind, **fields))


def keeper(username: str, on):
    """A user holding the station-keeper role on union `on` (assigned to nothing yet)."""
    return factories.official(username, RoleKind.KEEPER, on)


def demo_stations(tree, user=None, seed: int = 2026, **options) -> list[Station]:
    """The stations' demo in `tree`'s district (31 stations, four weeks of activity), `user` its keeper."""
    return demo.seed_stations(tree["district"], user, random.Random(seed), **options)
