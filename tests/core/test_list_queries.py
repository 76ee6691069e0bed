"""What keeps list pages fast at district scale (bench/console_lists.py measures it):

- a to-many scope is one subquery over the to-many table, not the model joined to itself;
- a page is fetched as its primary keys, then those rows with their joins, so a deep
  OFFSET never joins the rows it skips;
- a list page costs the same number of queries whatever the number of rows.
"""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.pagination import Paginator
from members.choices import MembershipStatus
from members.models import Consent, Membership, Person

from .. import factories


def _people(union, n: int) -> list[Person]:
    return [factories.member(union, name=f"职工{i:02d}") for i in range(n)]


def test_person_scope_is_one_subquery_over_memberships(tree):
    in_a = _people(tree["site_a"], 2)
    in_b = _people(tree["site_b"], 1)
    # A person with a current and a past membership in the same subtree is listed once.
    Membership.objects.filter(person=in_a[0]).update(status=MembershipStatus.LEFT)
    Membership.objects.create(person=in_a[0], union=tree["town_a"], card_number="K-second")
    official = factories.official("town-a-org", "organisation", tree["town_a"])

    people = Person.objects.restrict(official)
    sql = str(people.query)

    assert sql.count("SELECT") == 2
    assert 'FROM "members_membership" U0' in sql
    assert '"members_person" U0' not in sql
    assert sorted(p.pk for p in people) == sorted(p.pk for p in in_a)
    assert people.count() == 2
    assert in_b[0].pk not in {p.pk for p in people}


def test_consent_scope_asks_memberships_by_person(tree):
    person = factories.member(tree["site_a"])
    other = factories.member(tree["site_b"])
    mine = Consent.objects.create(person=person, purpose="membership", text_version="v1", channel="h5")
    Consent.objects.create(person=other, purpose="membership", text_version="v1", channel="h5")
    official = factories.official("town-a-viewer", "viewer", tree["town_a"])

    consents = Consent.objects.restrict(official)

    assert '"members_consent"."person_id" IN (SELECT U0."person_id"' in str(consents.query)
    assert [c.pk for c in consents] == [mine.pk]


def test_pages_come_in_order_with_their_joins(tree):
    _people(tree["site_a"], 7)
    memberships = Membership.objects.select_related("person", "union").order_by("-joined_on", "-pk")
    expected = list(memberships.all())
    paginator = Paginator(memberships, 3)

    pages = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as captured:
            page = paginator.page(number)
            rows = list(page)
            names = [(m.person.name, m.union.name) for m in rows]
        pages.append(rows)
        # The page's keys, then its rows with person and union joined; nothing per row.
        # The first page also counts the rows (the paginator keeps the count).
        assert len(captured) == (3 if number == 1 else 2)
        assert names == [(m.person.name, m.union.name) for m in expected[(number - 1) * 3 : number * 3]]

    assert [[m.pk for m in rows] for rows in pages] == [
        [m.pk for m in expected[0:3]],
        [m.pk for m in expected[3:6]],
        [m.pk for m in expected[6:7]],
    ]
    assert "OFFSET" not in captured[-1]["sql"]
    assert "INNER JOIN" not in captured[0]["sql"]


def test_console_list_queries_do_not_grow_with_rows(tree, login):
    official = factories.official("town-a-admin", "admin", tree["town_a"])
    client = login(official)
    url = reverse("members:membership-list")
    _people(tree["site_a"], 2)
    client.get(url)  # the first request after signing in writes the session's idle expiry, once
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _people(tree["site_a"], 8)
    with CaptureQueriesContext(connection) as more:
        response = client.get(url)
    assert response.status_code == 200
    assert len(more) == len(few)
    assert len(re.findall(r'href="/console/memberships/\d+/"', response.content.decode())) == 10


def test_api_deep_page_is_the_same_rows(tree):
    _people(tree["site_a"], 5)
    official = factories.official("town-a-api", "organisation", tree["town_a"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=official).key}")

    second = client.get("/api/v1/memberships/", {"page": 2, "page_size": 2}).json()

    expected = list(Membership.objects.order_by("-joined_on", "-id").values_list("pk", flat=True))
    assert second["count"] == 5
    assert [row["id"] for row in second["results"]] == expected[2:4]


def test_page_rows_do_not_ask_the_scope_again(tree):
    _people(tree["site_a"], 4)
    _people(tree["site_b"], 2)
    official = factories.official("town-a-scope", "organisation", tree["town_a"])
    people = Person.objects.restrict(official).order_by("-pk")

    with CaptureQueriesContext(connection) as captured:
        rows = list(Paginator(people, 3).page(2))

    keys, fetched = captured[-2]["sql"], captured[-1]["sql"]
    assert "members_membership" in keys
    assert "members_membership" not in fetched
    assert [p.name for p in rows] == ["职工00"]


def test_choice_columns_show_their_labels(tree, login):
    factories.member(tree["site_a"], name="张三")
    client = login(factories.official("town-a-labels", "viewer", tree["town_a"]))

    page = client.get(reverse("members:membership-list")).content.decode()

    assert "<td>在册</td>" in page
    assert "<td>现场办理</td>" in page
