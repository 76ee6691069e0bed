"""Coverage plans: targets, progress to date, the linear projection and the on-track flags."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import RoleKind
from core.models import HistoryEntry
from members.models import Membership
from orgs.models import CoveragePlan, PlanTarget, Region, Union
from orgs.region_data import load_regions
from orgs.services import plans
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 4, 10)  # day 100 of 365


def established(name, parent, on, sector="mixed", status="active"):
    union = factories.union(name, "grassroots", parent)
    Union.objects.filter(pk=union.pk).update(established_on=on, sector=sector, status=status)
    return union


def joined(union, on, form="other", channel="on_site", status="active"):
    person = factories.member(union, employment_form=form)
    Membership.objects.filter(person=person).update(joined_on=on, channel=channel, status=status)
    return person


@pytest.fixture
def plan(tree):
    plan = CoveragePlan.objects.create(
        union=tree["district"], name="三年计划", start_year=2025, end_year=2027
    )
    return plan


@pytest.fixture
def world(tree, plan):
    """This year in 街道A: three unions (one express), one dissolved since; last year and 街道B besides."""
    a, b = tree["town_a"], tree["town_b"]
    established("A1", a, datetime.date(2026, 1, 15), "express")
    established("A2", a, datetime.date(2026, 3, 1))
    established("A3", a, datetime.date(2026, 4, 10), status="dissolved")
    established("A-later", a, datetime.date(2026, 4, 11))  # after TODAY: not to date
    established("A-last-year", a, datetime.date(2025, 12, 31))
    established("B1", b, datetime.date(2026, 2, 1))
    factories.union("A-preparing", "grassroots", a)  # no date, preparing
    for n in range(4):
        joined(tree["site_a"], datetime.date(2026, 2, n + 1), form="courier")
    for n in range(6):
        joined(tree["site_a"], datetime.date(2026, 3, n + 1))
    joined(tree["site_a"], datetime.date(2026, 3, 9), channel="transfer")  # moved in, not new
    joined(tree["site_a"], datetime.date(2026, 3, 9), status="left")
    joined(tree["site_a"], datetime.date(2025, 12, 30))
    joined(tree["site_b"], datetime.date(2026, 2, 2), form="delivery_rider")
    return tree


def test_year_window_and_projection():
    window = plans.year_window(2026, TODAY)
    assert (window.start, window.end, window.elapsed_days, window.days_in_year) == (
        datetime.date(2026, 1, 1),
        TODAY,
        100,
        365,
    )
    assert plans.project(12, window) == 44  # 12 / 100 × 365 = 43.8
    assert plans.project(0, window) == 0
    before = plans.year_window(2027, TODAY)
    assert (before.started, plans.project(5, before)) == (False, None)
    over = plans.year_window(2025, TODAY)
    assert (over.end, over.elapsed_days, over.over, plans.project(7, over)) == (
        datetime.date(2025, 12, 31),
        365,
        True,
        7,
    )
    leap = plans.year_window(2028, datetime.date(2028, 12, 31))
    assert (leap.days_in_year, leap.elapsed_days) == (366, 366)


def test_progress_of_a_town_target(world, plan):
    target = PlanTarget.objects.create(
        plan=plan,
        year=2026,
        region=world["town_a"].region,
        unions_to_establish=12,
        members_to_enrol=40,
        new_form_share=Decimal("0.300"),
    )
    progress = plans.target_progress(target, TODAY)
    # A1, A2, A3 (dissolved since, still established this year) and 街道A's site members only.
    assert (progress.unions.to_date, progress.unions.projected, progress.unions.on_track) == (3, 11, False)
    assert (progress.members.to_date, progress.members.projected, progress.members.on_track) == (
        10,
        37,
        False,
    )
    assert (progress.new_form_share.to_date, progress.new_form_share.on_track) == (Decimal("0.400"), True)
    assert progress.on_track is False


def test_progress_of_the_whole_district_and_a_sector(world, plan):
    everything = PlanTarget.objects.create(plan=plan, year=2026, unions_to_establish=14, members_to_enrol=30)
    progress = plans.target_progress(everything, TODAY)
    assert (progress.unions.to_date, progress.unions.projected, progress.unions.on_track) == (4, 15, True)
    assert (progress.members.to_date, progress.members.projected) == (11, 40)
    assert progress.new_form_share.to_date == Decimal("0.455")  # 5 of 11
    express = PlanTarget.objects.create(plan=plan, year=2026, sector="express", unions_to_establish=1)
    assert plans.target_progress(express, TODAY).unions.to_date == 1
    last_year = PlanTarget.objects.create(plan=plan, year=2025, unions_to_establish=1, members_to_enrol=1)
    progress = plans.target_progress(last_year, TODAY)
    assert (progress.unions.to_date, progress.unions.projected, progress.members.to_date) == (1, 1, 1)
    next_year = PlanTarget.objects.create(plan=plan, year=2027, unions_to_establish=1)
    progress = plans.target_progress(next_year, TODAY)
    assert (progress.unions.to_date, progress.unions.projected, progress.on_track) == (0, None, None)


def test_a_town_plan_counts_only_its_subtree(world):
    town_plan = CoveragePlan.objects.create(
        union=world["town_b"], name="街道B计划", start_year=2026, end_year=2026
    )
    target = PlanTarget.objects.create(plan=town_plan, year=2026)
    progress = plans.target_progress(target, TODAY)
    assert (progress.unions.to_date, progress.members.to_date, progress.new_form_share.to_date) == (
        1,
        1,
        Decimal("1.000"),
    )


def test_target_rules(plan, tree):
    assert plans.target_errors(PlanTarget(plan=plan, year=2024)) == {
        "year": "年度应在计划的 2025—2027 年之间"
    }
    PlanTarget.objects.create(plan=plan, year=2026)
    # The database lets NULL regions repeat; the rule does not.
    assert plans.target_errors(PlanTarget(plan=plan, year=2026, sector="")) == {
        "year": "该年度、区划和行业已有目标"
    }
    assert plans.target_errors(PlanTarget(plan=plan, year=2026, sector="express")) == {}
    before = PlanTarget.objects.count()
    with pytest.raises(ValidationError):
        plans.save_target(PlanTarget(plan=plan, year=2026))
    assert PlanTarget.objects.count() == before


def test_console_plan_page_and_targets(world, plan, login):
    PlanTarget.objects.create(plan=plan, year=2026, unions_to_establish=40, members_to_enrol=100)
    official = login(factories.official("org", RoleKind.ORGANISATION, world["district"]))
    page = official.get(reverse("orgs:plan-detail", args=[plan.pk]), {"year": 2026})
    assert page.status_code == 200
    [row] = page.context["progress"]
    assert row.unions.target == 40 and row.unions.to_date >= 4
    assert "已过" in page.content.decode()  # the projection is explained on the page

    url = reverse("orgs:plan-target-add")
    data = {"plan": plan.pk, "year": 2027, "region": "", "sector": "express", "unions_to_establish": 5}
    data |= {"members_to_enrol": 200, "new_form_share": "0.9"}
    outsider = login(factories.official("town-b", RoleKind.ORGANISATION, world["town_b"]))
    before = (PlanTarget.objects.count(), HistoryEntry.objects.count())
    refused = outsider.post(url, data)
    assert refused.status_code == 200 and "plan" in refused.context["form"].errors
    duplicate = official.post(url, {**data, "year": 2026, "sector": ""})
    assert duplicate.context["form"].errors == {"year": ["该年度、区划和行业已有目标"]}
    outside_years = official.post(url, {**data, "year": 2030})
    assert outside_years.context["form"].errors == {"year": ["年度应在计划的 2025—2027 年之间"]}
    assert (PlanTarget.objects.count(), HistoryEntry.objects.count()) == before
    assert official.post(url, data).status_code == 302
    target = PlanTarget.objects.get(year=2027)
    assert (target.sector, target.unions_to_establish, target.new_form_share) == (
        "express",
        5,
        Decimal("0.900"),
    )

    edit = reverse("orgs:plan-target-edit", args=[target.pk])
    assert outsider.get(edit).status_code == 404
    assert outsider.post(edit, {**data, "unions_to_establish": 9}).status_code == 404
    viewer = login(factories.official("viewer", RoleKind.VIEWER, world["district"]))
    assert viewer.post(edit, {**data, "unions_to_establish": 9}).status_code == 404
    assert PlanTarget.objects.get(pk=target.pk).unions_to_establish == 5
    assert official.post(edit, {**data, "unions_to_establish": 9}).status_code == 302
    assert PlanTarget.objects.get(pk=target.pk).unions_to_establish == 9


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_api_progress(world, plan):
    PlanTarget.objects.create(plan=plan, year=2025, unions_to_establish=3)
    client = api(factories.official("org", RoleKind.VIEWER, world["district"]))
    response = client.get(reverse("plan-progress", args=[plan.pk]), {"year": 2025})
    assert response.status_code == 200
    [row] = response.json()
    assert row["unions"] == {"target": 3, "to_date": 1, "projected": 1, "on_track": False}
    assert (row["elapsed_days"], row["days_in_year"], row["as_of"]) == (365, 365, "2025-12-31")
    assert row["new_form_share"] == {"target": "0.000", "to_date": "0.000", "on_track": True}
    assert client.get(reverse("plan-progress", args=[plan.pk]), {"year": 2031}).status_code == 400
    outsider = api(factories.official("town-b", RoleKind.ADMIN, world["town_b"]))
    assert outsider.get(reverse("plan-progress", args=[plan.pk])).status_code == 404
    assert (
        outsider.post(reverse("plan-target-list"), {"plan": plan.pk, "year": 2026}, format="json").status_code
        == 400
    )
    org = api(factories.official("org2", RoleKind.ORGANISATION, world["district"]))
    response = org.post(reverse("plan-target-list"), {"plan": plan.pk, "year": 2025}, format="json")
    assert response.status_code == 400 and response.json() == {"year": ["该年度、区划和行业已有目标"]}
    response = org.post(
        reverse("plan-target-list"), {"plan": plan.pk, "year": 2026, "sector": "express"}, format="json"
    )
    assert response.status_code == 201
    assert PlanTarget.objects.filter(plan=plan, year=2026, sector="express").count() == 1


def test_region_choices_stay_within_the_official_s_area(tree):
    # The regions come from a data migration, which a transactional test's flush may have emptied.
    load_regions(Region)
    town_b = factories.official("town-b", RoleKind.ORGANISATION, tree["town_b"])
    assert list(plans.regions_for(town_b).values_list("code", flat=True)) == ["330603003"]
    district = factories.official("district", RoleKind.VIEWER, tree["district"])
    codes = list(plans.regions_for(district).values_list("code", flat=True))
    # The county and its 16 streets and towns (loaded with the regions), nothing outside 柯桥区.
    assert (codes[0], len(codes), all(code.startswith("330603") for code in codes)) == ("330603", 17, True)
