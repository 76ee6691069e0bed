"""Employers: the USCC check character, head counts by employment form, area unions, console and API."""

import pytest
from django.core.exceptions import ValidationError

from core.codes import normalise_uscc, uscc_check_character
from core.models import HistoryEntry
from orgs.filtersets.census import EmployerFilterSet
from orgs.models import Employer, Region
from orgs.services import area_union_for, save_employer
from orgs.services.employers import settle_counts

from .. import factories
from .census_world import uscc, world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "code",
    [
        "91330100716105852F",  # 阿里巴巴（中国）有限公司
        "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
        "91110000100010433L",
    ],
)
def test_known_codes_are_valid(code):
    assert normalise_uscc(code) == code
    assert normalise_uscc(f" {code.lower()[:9]} {code.lower()[9:]} ") == code


def test_computed_check_characters():
    assert uscc_check_character("91330603MA2BC0001") == "A"
    assert uscc("91330603MA2BC0001") == "91330603MA2BC0001A"
    assert normalise_uscc("91330603MA2BC0001A") == "91330603MA2BC0001A"


@pytest.mark.parametrize(
    "code, kind, message",
    [
        ("91330100716105852E", "uscc_check", "统一社会信用代码校验位错误"),
        ("9133010071610585", "uscc_length", "统一社会信用代码应为18位，现为16位"),
        ("91330100716105852FF", "uscc_length", "统一社会信用代码应为18位，现为19位"),
        ("9133010071610585IF", "uscc_format", "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）"),
        ("", "uscc_length", "统一社会信用代码应为18位，现为0位"),
    ],
)
def test_bad_codes(code, kind, message):
    with pytest.raises(ValidationError) as raised:
        normalise_uscc(code)
    assert raised.value.code == kind
    assert raised.value.messages == [message]


def test_counts_settle_into_totals():
    assert settle_counts({"courier": 30, "other": 5, "truck_driver": 0}, None) == (
        {"courier": 30, "other": 5},
        35,
        30,
    )
    assert settle_counts({"sanitation_worker": 10, "delivery_rider": 4}, 20) == (
        {"delivery_rider": 4, "sanitation_worker": 10},
        20,
        4,
    )
    with pytest.raises(ValidationError) as raised:
        settle_counts({"courier": 30}, 29)
    assert raised.value.message_dict == {"headcount": ["职工总数（29）少于各就业形态人数之和（30）"]}
    with pytest.raises(ValidationError) as raised:
        settle_counts({"astronaut": 3}, None)
    assert raised.value.message_dict == {"headcounts": ["未知的就业形态：astronaut"]}
    with pytest.raises(ValidationError) as raised:
        settle_counts({"courier": -1}, None)
    assert raised.value.message_dict == {"headcounts": ["快递员人数应为不小于0的整数"]}


def test_save_refuses_bad_employer_and_writes_nothing(tree):
    street = Region.objects.get(code="330603001")
    before = HistoryEntry.objects.count()
    bad = Employer(
        name="坏单位", sector="express", region=street, area_union=tree["town_a"], uscc="91330100716105852E"
    )
    with pytest.raises(ValidationError) as raised:
        save_employer(bad, headcounts={"courier": 3})
    assert raised.value.message_dict == {"uscc": ["统一社会信用代码校验位错误"]}
    too_few = Employer(name="少报", sector="express", region=street, area_union=tree["town_a"])
    with pytest.raises(ValidationError):
        save_employer(too_few, headcounts={"courier": 30}, headcount=10)
    assert Employer.objects.count() == 0
    assert HistoryEntry.objects.count() == before


def test_save_normalises_code_and_totals(tree):
    street = Region.objects.get(code="330603001")
    made = save_employer(
        Employer(
            name="饿了么柯桥总站",
            sector="food_delivery",
            region=street,
            area_union=tree["town_a"],
            uscc=" 91330100716105852f ",
        ),
        headcounts={"delivery_rider": 60, "other": 4},
    )
    made.refresh_from_db()
    assert (made.uscc, made.headcount, made.new_form_headcount) == ("91330100716105852F", 64, 60)
    assert made.headcounts == {"delivery_rider": 60, "other": 4}
    assert made.is_due is True


def test_area_union_is_the_town_federation(tree):
    street_a = Region.objects.get(code="330603001")
    county = Region.objects.get(code="330603")
    assert area_union_for(street_a, tree["district"]) == tree["town_a"]
    assert area_union_for(county, tree["district"]) == tree["district"]
    assert area_union_for(street_a, tree["town_b"]) is None


def test_filters(tree):
    w = world(tree)

    def names(**params):
        return sorted(e.name for e in EmployerFilterSet(params, queryset=Employer.objects.all()).qs)

    assert names(due_without_union="true") == ["华舍环卫所", "美团柯桥站点"]
    assert names(due_without_union="false") == ["中通华舍网点", "顺丰华舍网点", "顺丰柯桥网点"]
    assert names(covered="true") == ["中通华舍网点", "顺丰柯桥网点"]
    assert names(region="330603001") == ["美团柯桥站点", "顺丰柯桥网点"]
    assert names(region="330600") == sorted(e.name for e in Employer.objects.all())
    assert names(brand=str(w["brands"]["顺丰速运"].pk)) == ["顺丰华舍网点", "顺丰柯桥网点"]
    assert names(sector="sanitation") == ["华舍环卫所"]
    assert names(q="91330603MA2BC") == ["顺丰柯桥网点"]
    assert names(within=str(tree["town_b"].pk)) == ["中通华舍网点", "华舍环卫所", "顺丰华舍网点"]


def test_town_official_sees_only_their_area(tree, login):
    w = world(tree)
    official = factories.official("org-a", "organisation", tree["town_a"])
    client = login(official)
    page = client.get("/console/employers/")
    assert page.status_code == 200
    assert [obj.name for obj, _cells in page.context["rows"]] == ["美团柯桥站点", "顺丰柯桥网点"]
    assert client.get(f"/console/employers/{w['e1'].pk}/").status_code == 200
    assert client.get(f"/console/employers/{w['e3'].pk}/").status_code == 404
    assert client.get(f"/console/employers/{w['e3'].pk}/edit/").status_code == 404
    api = client.get("/api/v1/employers/").json()
    assert sorted(row["name"] for row in api["results"]) == ["美团柯桥站点", "顺丰柯桥网点"]
    assert client.get(f"/api/v1/employers/{w['e3'].pk}/").status_code == 404
    viewer = login(factories.official("viewer-b", "viewer", tree["town_b"]))
    assert viewer.get(f"/console/employers/{w['e3'].pk}/edit/").status_code == 404


def _form(**extra):
    data = {"name": "极兔柯桥网点", "uscc": "", "kind": "site", "sector": "express", "region": "330603001"}
    data.update({f"count_{form}": "" for form in ("courier", "other")})
    data.update(extra)
    return data


def test_console_create_derives_area_union_and_totals(tree, login):
    client = login(factories.official("org-d", "organisation", tree["district"]))
    response = client.post(
        "/console/employers/add/", _form(count_courier="28", count_other="2", uscc="91330603ma2bc0001a")
    )
    assert response.status_code == 302, response.context["form"].errors
    made = Employer.objects.get()
    assert (made.area_union, made.headcount, made.new_form_headcount, made.uscc) == (
        tree["town_a"],
        30,
        28,
        "91330603MA2BC0001A",
    )
    assert made.headcounts == {"courier": 28, "other": 2}
    page = client.get(f"/console/employers/{made.pk}/")
    assert page.status_code == 200
    assert "应建未建" in page.content.decode()


def test_console_create_refuses_bad_input(tree, login):
    client = login(factories.official("org-d", "organisation", tree["district"]))
    before = HistoryEntry.objects.count()
    response = client.post("/console/employers/add/", _form(uscc="91330603MA2BC0001B", count_courier="5"))
    assert response.status_code == 200
    assert response.context["form"].errors["uscc"] == ["统一社会信用代码校验位错误"]
    response = client.post("/console/employers/add/", _form(count_courier="30", headcount="12"))
    assert response.context["form"].errors["headcount"] == ["职工总数（12）少于各就业形态人数之和（30）"]
    assert Employer.objects.count() == 0
    assert HistoryEntry.objects.count() == before


def test_town_official_cannot_create_in_another_town(tree, login):
    client = login(factories.official("org-a", "organisation", tree["town_a"]))
    response = client.post(
        "/console/employers/add/",
        _form(region="330603003", area_union=str(tree["town_b"].pk), count_courier="3"),
    )
    assert response.status_code == 200
    assert Employer.objects.count() == 0


def test_api_create_and_update(tree, login):
    client = login(factories.official("org-a", "organisation", tree["town_a"]))
    body = {
        "name": "美团柯桥站点",
        "uscc": "91330100716105852f",
        "sector": "food_delivery",
        "region": "330603001",
        "headcounts": {"delivery_rider": 40, "other": 3},
        "union": tree["site_a"].pk,
    }
    response = client.post("/api/v1/employers/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    row = response.json()
    assert (row["uscc"], row["headcount"], row["new_form_headcount"], row["area_union"]) == (
        "91330100716105852F",
        43,
        40,
        tree["town_a"].pk,
    )
    pk = row["id"]
    response = client.patch(
        f"/api/v1/employers/{pk}/", {"headcounts": {"delivery_rider": 45}}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["headcount"], response.json()["new_form_headcount"]) == (45, 45)
    before = HistoryEntry.objects.count()
    response = client.patch(
        f"/api/v1/employers/{pk}/", {"uscc": "91330100716105852E"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"uscc": ["统一社会信用代码校验位错误"]}
    response = client.post(
        "/api/v1/employers/",
        {**body, "uscc": "", "region": "330603003", "area_union": tree["town_b"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Employer.objects.count() == 1
    assert Employer.objects.get().uscc == "91330100716105852F"
    assert HistoryEntry.objects.count() == before
