"""This year's organising in the demo: the district's statistics page reads the seed's sentence, and
the census reads the seed's coverage (one district for the module: a load is the suite's dearest step)."""

import pytest
from django.urls import reverse

from accounts.models import User
from core.codes import normalise_uscc
from core.models import HistoryEntry
from demo import census as demo_census
from demo.brands import plan_sites
from demo.district import find, load
from demo.seed import rng
from members.models import Membership, Person
from orgs.forms import period
from orgs.models import CadreAssignment, CensusRound, CoveragePlan, Employer, Establishment, Union
from orgs.services import census as census_services
from reports import statistics

from .. import factories
from ..orgs.census_world import figures
from .seeding import seed, seeded_district

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with seeded_district(django_db_blocker, "--quiet") as output:
        yield output


def test_the_district_page_reads_the_seed_sentence(seeded, login):
    district = Union.objects.get(name="柯桥区总工会", parent=None)
    first, last = period.this_year()
    figures = statistics.figures(district, first, last)
    assert figures.unions_established == 44
    assert 4000 < figures.new_members < 4100
    assert figures.new_form_members == round(figures.new_members / 3)
    assert (
        statistics.sentence(figures) == "今年新建工会44家，新入会员4000余名，其中新业态新就业群体入会占比1/3"
    )

    page = login(User.objects.get(username="kq_admin")).get(reverse("reports:statistics"))
    assert page.status_code == 200
    assert "今年新建工会44家，新入会员4000余名，其中新业态新就业群体入会占比1/3" in page.content.decode()

    plan = CoveragePlan.objects.get()
    assert (plan.union, plan.start_year, plan.end_year, plan.targets.count()) == (district, 2025, 2027, 9)
    assignment = CadreAssignment.objects.get()
    assert (assignment.cadre.display_name, assignment.union.name) == ("韩洁", "柯桥街道总工会")
    assert assignment.visits.filter(employer__name__startswith="舟山泛海欣网络科技有限公司").exists()
    eleme = Establishment.objects.get(union__name="舟山泛海欣网络科技有限公司（饿了么柯桥总站）工会")
    assert (eleme.stage, eleme.union.status, eleme.responsible.username) == (
        "preparation",
        "preparing",
        "kq_town",
    )
    founded = Establishment.objects.filter(stage="established")
    assert (
        founded.count()
        == Union.objects.filter(established_on__year=first.year, establishment__isnull=False).count()
    )
    # Every new member has a valid card number of its union's region and year, none repeated.
    assert Membership.objects.values("card_number").distinct().count() == Membership.objects.count()
    assert (
        HistoryEntry.objects.filter(content_type__model="person", kind="created").count()
        == Person.objects.count()
    )


def test_a_second_run_changes_nothing(seeded):
    counts = [model.objects.count() for model in (Union, Person, Membership, Establishment, HistoryEntry)]
    assert seed("--quiet").strip() == "演示数据已存在，本次未做任何更改。"
    assert [
        model.objects.count() for model in (Union, Person, Membership, Establishment, HistoryEntry)
    ] == counts


def test_the_census_reads_the_seed(seeded, login):
    round_ = CensusRound.objects.get(name=demo_census.CENSUS_NAME)
    assert (round_.union.name, round_.taken_on.isoformat(), round_.threshold) == (
        "柯桥区总工会",
        "2026-09-30",
        25,
    )
    totals = census_services.coverage_totals(round_)
    assert figures(totals) == (72, 24, 15, 9, 38, 1472, 854, 1472, 854, 696, 62.5, 58.0, 58.0)
    assert len(census_services.coverage(round_, "brand")) == 27
    assert [e.employer.name for e in census_services.due_uncovered(round_)] == [
        "中通快递柯桥网点",
        "圆通速递柯桥网点",
        "舟山泛海欣网络科技有限公司（饿了么柯桥总站）",
        "极兔速递柯岩网点",
        "申通快递湖塘网点",
        "美团齐贤站点",
        "中通快递杨汛桥网点",
        "美团杨汛桥站点",
        "饿了么杨汛桥站点",
    ]
    # Every credit code carries its check character; every site's counts add up to its workers.
    employers = Employer.objects.filter(census_entries__census=round_)
    assert all(normalise_uscc(e.uscc) == e.uscc for e in employers)
    assert all(sum(e.headcounts.values()) == e.headcount for e in employers)
    district = login(factories.official("census-d", "organisation", round_.union))
    page = district.get(f"/console/census/{round_.pk}/")
    assert (page.context["brands"], page.context["totals"]["new_form"]) == (27, 1472)
    assert "饿了么杨汛桥站点" in page.content.decode()
    # Running the step again makes nothing.
    assert demo_census.build(load(plan_sites(rng("sites"))), rng("census")) == (0, 0, 0)
    assert find() == round_.union
