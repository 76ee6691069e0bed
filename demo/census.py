"""The district's census: the 27 brands, an employer for each of their local sites, and one round.

"区内现有顺丰、圆通、中通等27个品牌快递公司，1472名快递从业人员": the round taken by
柯桥区总工会 finds the 27 brands' sites with those 1,472 workers, which sites a union covers,
and which are due a union but have none (应建未建). Runs before the organising step, which finds
the 饿了么 station's employer made here.
"""

import datetime
import random

from orgs.choices import EmployerKind
from orgs.models import Brand, CensusRound, Employer, Region
from orgs.services.census import create_round
from orgs.services.employers import save_employer

from .brands import BRANDS, DELIVERY, Site
from .district import District
from .people import TRUCK_DRIVER_SHARE

CENSUS_NAME = "2026年柯桥区快递外卖行业用人单位普查"
CENSUS_DAY = datetime.date(2026, 9, 30)
# Branches register with the district's market regulator: its code leads the credit code.
REGISTRATION_AREA = "330603"
# GB 11714 organisation code: 8 characters, then a check character; new registrations start "MA".
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def done(district: District) -> bool:
    return CensusRound.objects.filter(union=district.district, name=CENSUS_NAME).exists()


def organisation_code(body8: str) -> str:
    """GB 11714: characters count as 0–9 and A=10…Z=35; the check is 11 − Σ mod 11 (10 → X, 11 → 0)."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body8 + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, taken: set[str]) -> str:
    """A plausible 统一社会信用代码 of a firm's branch (91 …) with a correct GB 32100 check character."""
    from core.codes import uscc_check_character

    while True:
        body = "MA2" + "".join(rng.choice(_ORG_ALPHABET) for _ in range(5))
        first17 = "91" + REGISTRATION_AREA + organisation_code(body)
        code = first17 + uscc_check_character(first17)
        if code not in taken:
            taken.add(code)
            return code


def brands() -> dict[str, Brand]:
    """The 27 brands; delivery brands are platforms (their sites run on them)."""
    made = {}
    for brand in BRANDS:
        made[brand.name], _created = Brand.objects.get_or_create(
            name=brand.name, defaults={"sector": brand.sector, "is_platform": brand.kind == DELIVERY}
        )
    return made


def headcounts(site: Site) -> dict[str, int]:
    """The site's workers by form: a 快运 brand's share of truck drivers, the rest its couriers or riders."""
    trucks = round(site.workers * TRUCK_DRIVER_SHARE) if site.brand.freight else 0
    counts = {site.brand.form: site.workers - trucks}
    if trucks:
        counts["truck_driver"] = trucks
    return counts


def employer_name(site: Site) -> str:
    return f"{site.employer}（{site.name}）" if site.employer else site.name


def build(district: District, rng: random.Random) -> tuple[int, int, int]:
    """(brands, employers, rounds) created; the caller runs this inside the seed's transaction."""
    brand_count = Brand.objects.count()
    by_name = brands()
    streets = {r.name: r for r in Region.objects.filter(parent=district.county)}
    existing = {
        e.name: e for e in Employer.objects.filter(name__in=[employer_name(s) for s in district.sites])
    }
    taken = set(Employer.objects.exclude(uscc=None).values_list("uscc", flat=True))
    created = 0
    for site in district.sites:
        code = credit_code(rng, taken)
        if employer_name(site) in existing:
            continue
        brand = by_name[site.brand.name]
        street = streets[site.street]
        employer = Employer(
            name=employer_name(site),
            uscc=code,
            kind=EmployerKind.SITE,
            brand=brand,
            platform=brand if brand.is_platform else None,
            sector=site.brand.sector,
            region=street,
            address=f"绍兴市柯桥区{street.name}",
            area_union=district.towns[site.street],
            union=site.union if site.union_status == "u" else None,
        )
        save_employer(employer, headcounts=headcounts(site))
        created += 1
    rounds = 0
    if not done(district):
        create_round(district.district, CENSUS_NAME, CENSUS_DAY, snapshot=True)
        rounds = 1
    return Brand.objects.count() - brand_count, created, rounds
