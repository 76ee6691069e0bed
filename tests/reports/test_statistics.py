"""Organising statistics: exact figures for a subtree and a period, the seed's phrasing, scope, API."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import RoleKind
from members.models import Membership
from orgs.forms import period
from orgs.models import Employer, Union
from reports import statistics
from tests import factories

D = datetime.date


@pytest.mark.parametrize(
    ("n", "said"),
    [
        (0, "0名"),
        (44, "44名"),
        (99, "99名"),
        (100, "100名"),
        (365, "300余名"),
        (4000, "4000名"),
        (4001, "4000余名"),
        (4068, "4000余名"),
        (4999, "4000余名"),
        (5000, "5000名"),
        (12345, "1万余名"),
        (20000, "2万名"),
    ],
)
def test_people_are_said_in_round_figures(n, said):
    assert statistics.people(n) == said


@pytest.mark.parametrize(
    ("n", "said"), [(44, "44"), (4068, "over 4,000"), (12345, "over 10,000"), (20000, "20,000")]
)
def test_in_english_the_figures_are_written_out(n, said):
    from django.utils import translation

    with translation.override("en"):
        assert statistics.people(n) == said


@pytest.mark.parametrize(
    ("share", "said"),
    [
        (Decimal("0.333"), "1/3"),
        (Decimal("0.325"), "1/3"),
        (Decimal("0.3349"), "1/3"),
        (Decimal("0.324"), "32.4%"),
        (Decimal("0.335"), "33.5%"),
        (Decimal("0.667"), "2/3"),
        (Decimal("0.5"), "50%"),
        (Decimal("0.2857"), "28.6%"),
        (Decimal("1"), "100%"),
        (None, "—"),
    ],
)
def test_shares_are_said_as_a_third_or_a_percentage(share, said):
    assert statistics.proportion(share) == said


def test_the_seed_sentence():
    union = Union(name="柯桥区总工会")
    coverage = statistics.Coverage(0, 0, 0, 0)
    figures = statistics.Figures(union, D(2026, 1, 1), D(2026, 12, 31), 44, 4068, 1356, coverage)
    assert statistics.sentence(figures, D(2026, 11, 29)) == (
        "今年新建工会44家，新入会员4000余名，其中新业态新就业群体入会占比1/3"
    )
    assert statistics.sentence(figures, D(2027, 1, 5)).startswith("2026年新建工会44家")
    quiet = statistics.Figures(union, D(2026, 1, 1), D(2026, 6, 30), 2, 0, 0, coverage)
    assert (
        statistics.sentence(quiet, D(2026, 11, 29)) == "2026年1月1日至2026年6月30日新建工会2家，新入会员0名"
    )


def make_world(tree):
    """This year: 3 unions in 街道A (one dissolved since), 1 in 街道B; 6 new members in 街道A,
    2 of them new-form."""
    this = timezone.localdate().year

    def established(name, parent, day, status="active"):
        union = factories.union(name, "grassroots", parent)
        Union.objects.filter(pk=union.pk).update(established_on=day, status=status)
        return union

    established("A1", tree["town_a"], D(this, 1, 2))
    established("A2", tree["town_a"], D(this, 1, 3), "dissolved")
    a3 = established("A3", tree["town_a"], D(this, 1, 4))
    established("B1", tree["town_b"], D(this, 1, 5))
    established("A-old", tree["town_a"], D(this - 1, 6, 1))
    factories.union("A-preparing", "grassroots", tree["town_a"])
    Union.objects.filter(name="A-preparing").update(status="preparing")

    def joined(union, day, form="other", channel="qr", status="active"):
        person = factories.member(union, employment_form=form)
        Membership.objects.filter(person=person).update(joined_on=day, channel=channel, status=status)

    for form in ("courier", "delivery_rider", "other", "other"):
        joined(tree["site_a"], D(this, 1, 10), form)
    joined(a3, D(this, 2, 1))
    joined(a3, D(this, 2, 2))
    joined(a3, D(this, 2, 3), channel="transfer")
    joined(a3, D(this, 2, 4), status="left")
    joined(tree["site_a"], D(this - 1, 12, 31), "courier")
    joined(tree["site_b"], D(this, 1, 10), "courier")
    for name, town, heads, union in (
        ("甲", "town_a", 40, a3),
        ("乙", "town_a", 10, None),
        ("丙", "town_b", 30, tree["site_b"]),
    ):
        Employer.objects.create(
            name=name,
            sector="express",
            region=tree[town].region,
            area_union=tree[town],
            headcount=heads,
            union=union,
        )
    return this


@pytest.mark.django_db
def test_figures_for_a_subtree_and_a_period(tree):
    this = make_world(tree)
    first, last = period.this_year()
    town_a = statistics.figures(tree["town_a"], first, last)
    assert (town_a.unions_established, town_a.new_members, town_a.new_form_members) == (3, 6, 2)
    assert town_a.new_form_share == Decimal("0.333")
    assert town_a.coverage == statistics.Coverage(
        employers=2, employers_covered=1, workers=50, workers_covered=40
    )
    district = statistics.figures(tree["district"], first, last)
    assert (district.unions_established, district.new_members, district.new_form_members) == (4, 7, 3)
    assert district.coverage == statistics.Coverage(3, 2, 80, 70)
    assert statistics.sentence(district) == "今年新建工会4家，新入会员7名，其中新业态新就业群体入会占比42.9%"
    january = statistics.figures(tree["district"], D(this, 1, 1), D(this, 1, 31))
    assert (january.unions_established, january.new_members) == (4, 5)
    last_year = statistics.figures(tree["district"], D(this - 1, 1, 1), D(this - 1, 12, 31))
    assert (last_year.unions_established, last_year.new_members, last_year.new_form_share) == (
        1,
        1,
        Decimal("1"),
    )


@pytest.mark.django_db
def test_page_is_scoped(tree, login):
    make_world(tree)
    url = reverse("reports:statistics")
    assert Client().get(url).status_code == 302
    district = login(factories.official("viewer", RoleKind.VIEWER, tree["district"]))
    page = district.get(url)
    assert page.status_code == 200 and page.context["figures"].union == tree["district"]
    assert page.context["sentence"] == "今年新建工会4家，新入会员7名，其中新业态新就业群体入会占比42.9%"
    assert "今年新建工会4家" in page.content.decode()
    chosen = district.get(url, {"union": tree["town_b"].pk})
    assert (chosen.context["figures"].unions_established, chosen.context["figures"].new_members) == (1, 1)

    town_b = login(factories.official("town-b", RoleKind.FINANCE, tree["town_b"]))
    assert town_b.get(url).context["figures"].union == tree["town_b"]
    refused = town_b.get(url, {"union": tree["town_a"].pk})
    assert refused.status_code == 200 and refused.context["figures"] is None
    assert "union" in refused.context["form"].errors
    backwards = district.get(url, {"start": "2026-05-01", "end": "2026-01-01"})
    assert backwards.status_code == 200 and "end" in backwards.context["form"].errors
    garbage = district.get(url, {"start": "not-a-date"})
    assert garbage.status_code == 200 and "start" in garbage.context["form"].errors


@pytest.mark.django_db
def test_api(tree):
    this = make_world(tree)
    user = factories.official("viewer", RoleKind.VIEWER, tree["district"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = client.get(reverse("statistics"))
    assert response.status_code == 200
    assert response.json() == {
        "union": tree["district"].pk,
        "union_name": "柯桥区总工会",
        "start": f"{this}-01-01",
        "end": f"{this}-12-31",
        "unions_established": 4,
        "new_members": 7,
        "new_form_members": 3,
        "new_form_share": "0.429",
        "employers": 3,
        "employers_covered": 2,
        "employer_coverage": "0.667",
        "workers": 80,
        "workers_covered": 70,
        "worker_coverage": "0.875",
        "sentence": "今年新建工会4家，新入会员7名，其中新业态新就业群体入会占比42.9%",
    }
    town = client.get(
        reverse("statistics"), {"union": tree["town_a"].pk, "start": f"{this}-01-01", "end": f"{this}-01-31"}
    )
    assert (town.json()["new_members"], town.json()["unions_established"]) == (4, 3)
    outsider = APIClient()
    other = factories.official("town-b", RoleKind.VIEWER, tree["town_b"])
    outsider.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=other).key}")
    assert outsider.get(reverse("statistics"), {"union": tree["town_a"].pk}).status_code == 404
    assert outsider.get(reverse("statistics"), {"start": "2026-13-01"}).status_code == 400
    assert APIClient().get(reverse("statistics")).status_code == 403
