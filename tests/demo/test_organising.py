"""This year's organising in the demo: the district's statistics page reads the seed's sentence."""

import pytest
from django.urls import reverse

from accounts.models import User
from core.models import HistoryEntry
from members.models import Membership, Person
from orgs.forms import period
from orgs.models import CadreAssignment, CoveragePlan, Establishment, Union
from reports import statistics

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
