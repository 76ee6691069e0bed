"""A small census world on the `tree` fixture: three brands and five employers in two streets."""

from core.codes import uscc_check_character
from orgs.models import Brand, Employer, Region
from orgs.services import save_employer


def uscc(body: str) -> str:
    """A valid code: 17 characters and the GB 32100 check character computed for them."""
    return body + uscc_check_character(body)


def brands() -> dict[str, Brand]:
    return {
        name: Brand.objects.get_or_create(name=name, defaults={"sector": sector, "is_platform": platform})[0]
        for name, sector, platform in (
            ("顺丰速运", "express", False),
            ("中通快递", "express", False),
            ("美团", "food_delivery", True),
        )
    }


def employer(name, area, region, sector, counts, brand=None, union=None, code=None, headcount=None):
    made = Employer(
        name=name, area_union=area, region=region, sector=sector, brand=brand, union=union, uscc=code
    )
    return save_employer(made, headcounts=counts, headcount=headcount)


def world(tree) -> dict:
    """E1 covered and due, E2 due and uncovered, E3 small, E4 covered, E5 due, uncovered, no brand.

    Threshold 25: due E1 35, E2 40, E4 26, E5 50; covered E1, E4.
    Workers 161 (covered 61); new-form workers 106 (covered 56); sanitation workers are not new-form.
    """
    b = brands()
    street_a = Region.objects.get(code="330603001")
    street_b = Region.objects.get(code="330603003")
    town_a, town_b = tree["town_a"], tree["town_b"]
    return {
        "brands": b,
        "e1": employer(
            "顺丰柯桥网点",
            town_a,
            street_a,
            "express",
            {"courier": 30, "other": 5},
            b["顺丰速运"],
            tree["site_a"],
            uscc("91330603MA2BC0001"),
        ),
        "e2": employer("美团柯桥站点", town_a, street_a, "food_delivery", {"delivery_rider": 40}, b["美团"]),
        "e3": employer("顺丰华舍网点", town_b, street_b, "express", {"courier": 10}, b["顺丰速运"]),
        "e4": employer(
            "中通华舍网点", town_b, street_b, "express", {"courier": 26}, b["中通快递"], tree["site_b"]
        ),
        "e5": employer("华舍环卫所", town_b, street_b, "sanitation", {"sanitation_worker": 50}),
    }


def figures(row) -> tuple:
    """A coverage row's figures in a fixed order, to compare with a tuple."""
    keys = ("employers", "due", "due_covered", "due_uncovered", "covered", "workers", "workers_covered")
    keys += ("new_form", "new_form_covered", "members", "employer_rate", "worker_rate", "new_form_rate")
    return tuple(row[k] for k in keys)
