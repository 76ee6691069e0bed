"""Chair assistants: assignment as a recorded step, the cadre's own visits, results per cadre and town."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import RoleKind
from core.models import HistoryEntry
from orgs.models import CadreAssignment, CadreVisit
from orgs.services import cadres
from tests import factories

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 3, 1), datetime.date(2026, 12, 31)


def assignment(cadre, union, goal_unions=5, goal_members=100):
    return CadreAssignment.objects.create(
        cadre=cadre,
        union=union,
        starts_on=START,
        ends_on=END,
        goal_unions=goal_unions,
        goal_members=goal_members,
    )


def visit(assignment, unions=0, members=0, day=datetime.date(2026, 4, 1)):
    return CadreVisit.objects.create(
        assignment=assignment,
        visited_on=day,
        summary="走访",
        unions_established=unions,
        members_enrolled=members,
    )


@pytest.fixture
def people(tree):
    return {
        "org": factories.official("org", RoleKind.ORGANISATION, tree["district"]),
        # The cadre holds only a keeper role elsewhere: the assignment alone lets them in.
        "hanjie": factories.official("hanjie", RoleKind.KEEPER, tree["district"]),
        "other_cadre": factories.official("zhou", RoleKind.KEEPER, tree["district"]),
        "town_b": factories.official("town-b", RoleKind.ORGANISATION, tree["town_b"]),
    }


def test_assigning_is_a_recorded_step_and_refused_outside_scope(tree, people, login):
    org = login(people["org"])
    data = {
        "cadre": people["hanjie"].pk,
        "union": tree["town_a"].pk,
        "title": "主席助理",
        "starts_on": "2026-03-01",
    }
    data |= {"ends_on": "2026-12-31", "goals": "建会", "goal_unions": 6, "goal_members": 300}
    outsider = login(people["town_b"])
    before = (CadreAssignment.objects.count(), HistoryEntry.objects.count())
    refused = outsider.post(reverse("orgs:cadre-add"), data)
    assert refused.status_code == 200 and "union" in refused.context["form"].errors
    backwards = org.post(reverse("orgs:cadre-add"), {**data, "ends_on": "2026-01-01"})
    assert backwards.status_code == 200 and backwards.context["form"].errors
    assert (CadreAssignment.objects.count(), HistoryEntry.objects.count()) == before

    assert org.post(reverse("orgs:cadre-add"), data).status_code == 302
    made = CadreAssignment.objects.get()
    assert (made.cadre, made.union, made.goal_unions, made.goal_members) == (
        people["hanjie"],
        tree["town_a"],
        6,
        300,
    )
    kinds = list(HistoryEntry.objects.for_object(made).values_list("kind", "verb", "actor__username"))
    assert sorted(kinds) == sorted([("created", "", "org"), ("action", "派驻", "org")])


def test_the_cadre_adds_visits_to_their_own_assignment_only(tree, people, login):
    own = assignment(people["hanjie"], tree["town_a"])
    others = assignment(people["other_cadre"], tree["town_b"])
    cadre = login(people["hanjie"])
    assert cadre.get(own.get_absolute_url()).status_code == 200
    assert cadre.get(others.get_absolute_url()).status_code == 404

    url = reverse("orgs:cadre-visit-add")
    data = {"visited_on": "2026-04-02", "summary": "走访饿了么总站", "outcome": "preparing"}
    data |= {"unions_established": 1, "members_enrolled": 20, "employer": ""}
    before = (CadreVisit.objects.count(), HistoryEntry.objects.count())
    refused = cadre.post(url, {**data, "assignment": others.pk})
    assert refused.status_code == 200 and "assignment" in refused.context["form"].errors
    outside_period = cadre.post(url, {**data, "assignment": own.pk, "visited_on": "2027-01-05"})
    assert outside_period.context["form"].errors == {
        "visited_on": ["走访日期应在派驻期内（2026-03-01 至 2026-12-31）"]
    }
    assert (CadreVisit.objects.count(), HistoryEntry.objects.count()) == before
    assert cadre.post(url, {**data, "assignment": own.pk}).status_code == 302
    made = CadreVisit.objects.get()
    assert (made.assignment, made.members_enrolled, made.outcome) == (own, 20, "preparing")
    # Editing their own visit is allowed; the assignment itself is not theirs to change.
    edit = reverse("orgs:cadre-visit-edit", args=[made.pk])
    assert cadre.post(edit, {**data, "assignment": own.pk, "members_enrolled": 25}).status_code == 302
    assert CadreVisit.objects.get().members_enrolled == 25
    assert cadre.get(reverse("orgs:cadre-edit", args=[own.pk])).status_code == 404


def test_results_per_cadre_and_per_town(tree, people, login):
    a1 = assignment(people["hanjie"], tree["town_a"], 5, 100)
    a2 = assignment(people["hanjie"], tree["town_b"], 2, 50)
    b1 = assignment(people["other_cadre"], tree["town_a"], 1, 10)
    visit(a1, 1, 30)
    visit(a1, 2, 40)
    visit(a2, 2, 60)
    visit(b1, 0, 0)
    everything = CadreAssignment.objects.all()
    by_cadre = {r.label: r for r in cadres.results_by_cadre(everything)}
    hanjie = by_cadre["hanjie"]
    assert (hanjie.assignments, hanjie.visits, hanjie.goal_unions, hanjie.unions_established) == (2, 3, 7, 5)
    assert (hanjie.goal_members, hanjie.members_enrolled, hanjie.unions_met, hanjie.members_met) == (
        150,
        130,
        False,
        False,
    )
    zhou = by_cadre["zhou"]
    assert (zhou.assignments, zhou.visits, zhou.unions_established, zhou.members_enrolled) == (1, 1, 0, 0)
    by_town = {r.label: r for r in cadres.results_by_town(everything)}
    assert (by_town["柯桥街道总工会"].goal_unions, by_town["柯桥街道总工会"].unions_established) == (6, 3)
    assert (by_town["华舍街道总工会"].members_enrolled, by_town["华舍街道总工会"].members_met) == (60, True)

    page = login(people["town_b"]).get(reverse("orgs:cadre-results"))
    assert [r.label for r in page.context["by_town"]] == ["华舍街道总工会"]
    assert [(r.label, r.members_enrolled) for r in page.context["by_cadre"]] == [("hanjie", 60)]


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_api(tree, people):
    own = assignment(people["hanjie"], tree["town_a"])
    others = assignment(people["other_cadre"], tree["town_b"])
    visit(own, 1, 10)
    cadre = api(people["hanjie"])
    listing = cadre.get(reverse("cadre-assignment-list")).json()
    assert [row["id"] for row in listing["results"]] == [own.pk]
    payload = {"assignment": own.pk, "visited_on": "2026-05-01", "summary": "座谈会", "members_enrolled": 12}
    assert cadre.post(reverse("cadre-visit-list"), payload, format="json").status_code == 201
    refused = cadre.post(reverse("cadre-visit-list"), {**payload, "assignment": others.pk}, format="json")
    assert refused.status_code == 400
    org = api(people["org"])
    results = org.get(reverse("cadre-assignment-results")).json()
    assert [(r["label"], r["visits"], r["members_enrolled"]) for r in results["by_cadre"]] == [
        ("hanjie", 2, 22),
        ("zhou", 0, 0),
    ]
    created = org.post(
        reverse("cadre-assignment-list"),
        {
            "cadre": people["other_cadre"].pk,
            "union": tree["town_a"].pk,
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
        },
        format="json",
    )
    assert created.status_code == 201
    # An official of another part of the tree is not the caller's to send (the console never offered them).
    stranger = factories.official("hs-viewer", RoleKind.VIEWER, tree["site_b"])
    town_b = api(people["town_b"])
    body = {
        "cadre": people["hanjie"].pk,
        "union": tree["town_b"].pk,
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
    }
    assert town_b.post(reverse("cadre-assignment-list"), body, format="json").status_code == 400
    sent = town_b.post(reverse("cadre-assignment-list"), {**body, "cadre": stranger.pk}, format="json")
    assert sent.status_code == 201, sent.json()
    entry = HistoryEntry.objects.filter(verb="派驻").earliest("id")
    assert (entry.object_id, entry.actor.username) == (str(created.json()["id"]), "org")
