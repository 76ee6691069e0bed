"""The union tree of the demo district: 柯桥区总工会, its town federations, the express industry
union, the new-economy federation, and a union at part of the brands' local sites."""

import datetime
import random
from dataclasses import dataclass, field

from orgs.choices import Sector, UnionKind, UnionStatus
from orgs.models import Region, Union
from orgs.region_data import load_regions

from .brands import Site
from .logins import DISTRICT, EXPRESS_UNION

COUNTY_CODE = "330603"
NEW_ECONOMY_UNION = "柯桥区新业态工会联合会"
FIRST_DAY = datetime.date(2021, 3, 1)
LAST_DAY = datetime.date(2026, 10, 31)


@dataclass
class District:
    """What later steps need to find: the district's unions and sites."""

    county: Region
    district: Union
    express: Union
    new_economy: Union
    towns: dict[str, Union]  # street or town name -> its federation
    sites: list[Site] = field(default_factory=list)

    def unions(self) -> list[Union]:
        return [self.district, *self.towns.values(), self.express, self.new_economy] + [
            site.union for site in self.sites if site.union is not None
        ]


class NotADemoDistrict(Exception):
    """A union of the demo district's name exists, but an earlier seed_demo did not make it."""


def find() -> Union | None:
    return Union.objects.filter(name=DISTRICT, kind=UnionKind.FEDERATION, parent=None).first()


def day(
    rng: random.Random, first: datetime.date = FIRST_DAY, last: datetime.date = LAST_DAY
) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _landline(rng: random.Random) -> str:
    return f"0575-8{rng.randint(0, 9_999_999):07d}"


def _union(
    rng, name, kind, parent, region, sector=Sector.MIXED, status=UnionStatus.ACTIVE, chair="", dated=True
):
    union = Union(
        name=name,
        kind=kind,
        parent=parent,
        region=region,
        sector=sector,
        status=status,
        established_on=day(rng) if dated and status == UnionStatus.ACTIVE else None,
        chair_name=chair,
        contact_phone=_landline(rng),
        address=f"绍兴市{region.full_name.removeprefix('浙江省绍兴市')}",
    )
    union.save()
    return union


def build(rng: random.Random, sites: list[Site]) -> District:
    """Create the tree and give each site its union; the caller runs this once, in a transaction."""
    load_regions(Region)
    county = Region.objects.get(code=COUNTY_CODE)
    streets = {region.name: region for region in county.children.order_by("code")}
    # The district federation is far older than anything the demo dates.
    district = _union(rng, DISTRICT, UnionKind.FEDERATION, None, county, dated=False)
    towns = {
        name: _union(rng, f"{name}总工会", UnionKind.TOWN_FEDERATION, district, region)
        for name, region in streets.items()
    }
    express = _union(rng, EXPRESS_UNION, UnionKind.INDUSTRY, district, county, Sector.EXPRESS, chair="朱融")
    new_economy = _union(rng, NEW_ECONOMY_UNION, UnionKind.NEW_ECONOMY, district, county)
    result = District(county, district, express, new_economy, towns, sites)
    for site in result.sites:
        if site.union_status == "u":
            site.union = _union(
                rng, site.union_name, UnionKind.GRASSROOTS, express, streets[site.street], site.brand.sector
            )
        elif site.union_status == "p":
            # A union being set up hangs under the town federation that helps set it up.
            site.union = _union(
                rng,
                site.union_name,
                UnionKind.GRASSROOTS,
                towns[site.street],
                streets[site.street],
                site.brand.sector,
                UnionStatus.PREPARING,
            )
    return result


def load(sites: list[Site]) -> District:
    """The district as an earlier run built it, with the same plan's sites matched to their unions."""
    district = find()
    below = {u.name: u for u in Union.objects.filter(path__subtree=district.path).select_related("region")}
    towns = {
        union.region.name: union
        for union in below.values()
        if union.kind == UnionKind.TOWN_FEDERATION and union.parent_id == district.pk
    }
    if EXPRESS_UNION not in below or NEW_ECONOMY_UNION not in below:
        raise NotADemoDistrict(DISTRICT)
    for site in sites:
        site.union = below.get(site.union_name) if site.union_status != "-" else None
    return District(district.region, district, below[EXPRESS_UNION], below[NEW_ECONOMY_UNION], towns, sites)
