"""The 27 express and delivery brands of the seed's 柯桥区 and their local sites.

"区内现有顺丰、圆通、中通等27个品牌快递公司，1472名快递从业人员": the table below
spreads those 1,472 workers over the brands' local sites (网点 / 站点). Each
site's letter in `unions` says whether it already has a union ("u"), is
preparing one ("p"), or has none yet ("-"), so the later census (issue 3) finds
brands and sites that are due but not established (应建未建).

The plan is pure data plus a seeded random generator: the same seed gives the
same sites in the same streets with the same head counts on every machine.
"""

import random
from dataclasses import dataclass, field

from members.choices import EmploymentForm
from orgs.choices import Sector

EXPRESS, DELIVERY = "express", "delivery"


@dataclass(frozen=True)
class Brand:
    name: str
    kind: str  # EXPRESS (快递/快运) or DELIVERY (外卖/即时配送)
    workers: int
    unions: str  # one letter per local site: u = union, p = preparing, - = none yet
    freight: bool = False  # 快运 brands also employ truck drivers
    first_street: str = ""  # where the brand's first site is, when the seed says so
    first_site: str = ""  # the first site's name, when the seed gives it

    @property
    def sector(self) -> str:
        return Sector.EXPRESS if self.kind == EXPRESS else Sector.FOOD_DELIVERY

    @property
    def form(self) -> str:
        return EmploymentForm.COURIER if self.kind == EXPRESS else EmploymentForm.DELIVERY_RIDER


BRANDS: tuple[Brand, ...] = (
    Brand("顺丰速运", EXPRESS, 160, "uuuuu-"),
    Brand("中通快递", EXPRESS, 150, "uuuu--"),
    Brand("圆通速递", EXPRESS, 140, "uuuu--"),
    Brand("韵达快递", EXPRESS, 120, "uuu--"),
    Brand("申通快递", EXPRESS, 110, "uuu--"),
    Brand("极兔速递", EXPRESS, 90, "uu--"),
    Brand("京东物流", EXPRESS, 85, "uuu-"),
    Brand("邮政EMS", EXPRESS, 70, "uuuu"),
    Brand("德邦快递", EXPRESS, 45, "uu-", freight=True),
    Brand("菜鸟驿站", EXPRESS, 40, "u--"),
    Brand("百世快运", EXPRESS, 25, "--", freight=True),
    Brand("丰网速运", EXPRESS, 20, "u-"),
    Brand("宅急送", EXPRESS, 12, "-"),
    Brand("跨越速运", EXPRESS, 24, "u-", freight=True),
    Brand("优速快递", EXPRESS, 14, "-"),
    Brand("安能物流", EXPRESS, 28, "u-", freight=True),
    Brand("中通快运", EXPRESS, 16, "-", freight=True),
    Brand("壹米滴答", EXPRESS, 13, "-", freight=True),
    Brand("美团", DELIVERY, 150, "uu--"),
    # The seed: 韩洁 visits 舟山泛海欣网络科技有限公司 (饿了么总站) in 柯桥街道 to help it set up a union.
    Brand("饿了么", DELIVERY, 95, "pu-", first_street="柯桥街道", first_site="饿了么柯桥总站"),
    Brand("达达快送", DELIVERY, 15, "-"),
    Brand("闪送", DELIVERY, 12, "-"),
    Brand("UU跑腿", DELIVERY, 8, "-"),
    Brand("顺丰同城", DELIVERY, 14, "u"),
    Brand("点我达", DELIVERY, 6, "-"),
    Brand("盒马", DELIVERY, 6, "-"),
    Brand("叮咚买菜", DELIVERY, 4, "-"),
)

# Where sites cluster: the city streets around the textile market more than the hill towns.
STREET_WEIGHTS = {
    "柯桥街道": 6,
    "柯岩街道": 3,
    "华舍街道": 3,
    "湖塘街道": 2,
    "齐贤街道": 3,
    "福全街道": 2,
    "安昌街道": 2,
    "兰亭街道": 1,
    "钱清街道": 3,
    "杨汛桥街道": 2,
    "马鞍街道": 2,
    "平水镇": 1,
    "王坛镇": 0.5,
    "稽东镇": 0.5,
    "漓渚镇": 0.5,
    "夏履镇": 0.5,
}
EMPLOYER_OF_FIRST_SITE = {"饿了么柯桥总站": "舟山泛海欣网络科技有限公司"}


@dataclass
class Site:
    """One local site of a brand in one street, with its head count and union status."""

    brand: Brand
    street: str
    name: str
    workers: int
    union_status: str  # "u", "p" or "-"
    employer: str = ""
    union: object = field(default=None, repr=False)  # set once the union exists

    @property
    def union_name(self) -> str:
        if self.employer:
            return f"{self.employer}（{self.name}）工会"
        return f"{self.name}工会"


def _street_short(street: str) -> str:
    return street.removesuffix("街道").removesuffix("镇")


def _pick_streets(rng: random.Random, count: int, first: str) -> list[str]:
    chosen = [first] if first else []
    pool = [s for s in STREET_WEIGHTS if s not in chosen]
    while len(chosen) < count:
        street = rng.choices(pool, weights=[STREET_WEIGHTS[s] for s in pool])[0]
        pool.remove(street)
        chosen.append(street)
    return chosen


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split a head count into parts of at least 3, by random weights, summing exactly to total."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    spare = total - 3 * parts
    shares = [spare * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    # Largest remainders take the rounding leftovers, so the brand's total is exact.
    for i in sorted(range(parts), key=lambda i: shares[i] - counts[i], reverse=True)[: spare - sum(counts)]:
        counts[i] += 1
    return [3 + c for c in counts]


def plan_sites(rng: random.Random) -> list[Site]:
    sites = []
    for brand in BRANDS:
        streets = _pick_streets(rng, len(brand.unions), brand.first_street)
        heads = _split(rng, brand.workers, len(brand.unions))
        noun = "网点" if brand.kind == EXPRESS else "站点"
        for n, (street, workers, status) in enumerate(zip(streets, heads, brand.unions, strict=True)):
            name = (
                brand.first_site
                if n == 0 and brand.first_site
                else f"{brand.name}{_street_short(street)}{noun}"
            )
            sites.append(Site(brand, street, name, workers, status, EMPLOYER_OF_FIRST_SITE.get(name, "")))
    return sites
