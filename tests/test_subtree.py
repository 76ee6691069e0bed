"""A subtree of the union tree is one indexed query at any depth, and moving a branch keeps paths whole."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import RoleKind
from core.models import HistoryEntry
from members.models import Membership, Person
from orgs.models import Region, Union

from . import factories

DEPTH = 12


@pytest.fixture
def chain(db):
    """A chain of 12 unions, each but the first with a leaf sibling, beside an unrelated tree.

    Returns (chain, siblings, other): siblings[i] hangs under chain[i - 1] (siblings[0] is None).
    """
    chain, siblings = [factories.union("链0", "federation")], [None]
    for level in range(1, DEPTH):
        siblings.append(factories.union(f"旁枝{level}", "grassroots", chain[-1]))
        chain.append(factories.union(f"链{level}", "joint", chain[-1]))
    other = factories.union("另一总工会", "federation")
    factories.union("另一基层工会", "grassroots", other)
    return chain, siblings, other


def below(chain, siblings, level: int) -> set[int]:
    """The pks of chain[level] and everything under it, known from how the chain was built."""
    return {u.pk for u in chain[level:]} | {s.pk for s in siblings[level + 1 :]}


def test_chain_is_twelve_deep(chain):
    nodes, _siblings, _other = chain
    assert [u.depth for u in nodes] == list(range(1, DEPTH + 1))
    assert len(nodes[-1].path) == DEPTH * 5


@pytest.mark.parametrize("level", [0, 5, DEPTH - 1])
def test_subtree_is_one_query(chain, level, django_assert_num_queries):
    nodes, siblings, _other = chain
    with django_assert_num_queries(1):
        rows = set(Union.objects.filter(path__subtree=nodes[level].path).values_list("pk", flat=True))
    assert rows == below(nodes, siblings, level)


def test_restrict_is_one_query_at_depth(chain, django_assert_num_queries):
    nodes, siblings, other = chain
    for node in [*nodes, *siblings[1:], other]:
        factories.member(node, f"会员{node.pk}")
    official = factories.official("level-5", RoleKind.ORGANISATION, nodes[5])
    assert official.is_official  # roles are read once per request; this loads them
    expected = below(nodes, siblings, 5)

    with django_assert_num_queries(1):
        unions = set(Union.objects.restrict(official).values_list("pk", flat=True))
    assert unions == expected
    with django_assert_num_queries(1):
        memberships = set(Membership.objects.restrict(official).values_list("union_id", flat=True))
    assert memberships == expected
    with django_assert_num_queries(1):
        people = set(Person.objects.restrict(official).values_list("name", flat=True))
    assert people == {f"会员{pk}" for pk in expected}


def assert_paths_consistent():
    for union in Union.objects.select_related("parent"):
        if union.parent is None:
            assert (union.depth, len(union.path)) == (1, 5), union
        else:
            assert union.path.startswith(union.parent.path), union
            assert len(union.path) == len(union.parent.path) + 5, union
            assert union.depth == union.parent.depth + 1, union


def test_move_under_moves_the_whole_branch(chain):
    nodes, siblings, other = chain
    moved = below(nodes, siblings, 6)
    nodes[6].move_under(other)

    assert_paths_consistent()
    assert Union.objects.get(pk=nodes[6].pk).parent == other
    assert set(Union.objects.filter(path__subtree=other.path).values_list("pk", flat=True)) == moved | {
        other.pk,
        Union.objects.get(name="另一基层工会").pk,
    }
    assert set(Union.objects.filter(path__subtree=nodes[0].path).values_list("pk", flat=True)) == (
        below(nodes, siblings, 0) - moved
    )
    assert Union.objects.get(pk=nodes[-1].pk).depth == other.depth + DEPTH - 6
    # A new child of the old parent does not collide with anything left behind.
    assert factories.union("新节点", "grassroots", nodes[5]).path.startswith(nodes[5].path)
    assert_paths_consistent()


def test_move_under_own_branch_is_refused(chain):
    nodes, _siblings, _other = chain
    paths = dict(Union.objects.values_list("pk", "path"))
    with pytest.raises(ValueError):
        nodes[3].move_under(nodes[7])
    assert dict(Union.objects.values_list("pk", "path")) == paths


def test_move_to_the_top(chain):
    nodes, siblings, _other = chain
    nodes[4].move_under(None)
    assert_paths_consistent()
    assert Union.objects.get(pk=nodes[4].pk).depth == 1
    moved = Union.objects.get(pk=nodes[4].pk)
    assert set(moved.subtree().values_list("pk", flat=True)) == below(nodes, siblings, 4)


def test_subtree_query_uses_the_path_index(db):
    """With a few thousand unions, the subtree of one branch is read from the index on path."""
    region = Region.objects.create(code="339999", name="测试区", level="county")
    tops = Union.objects.bulk_create(
        Union(name=f"总工会{i}", kind="federation", region=region, path=f"Z{i:03d}.", depth=1)
        for i in range(60)
    )
    Union.objects.bulk_create(
        Union(
            name=f"工会{i}-{j}",
            kind="grassroots",
            region=region,
            parent=top,
            path=f"{top.path}{j:04d}.",
            depth=2,
        )
        for i, top in enumerate(tops)
        for j in range(1, 60)
    )
    assert Union.objects.count() >= 3000
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orgs_union" if connection.vendor == "postgresql" else "ANALYZE")
    branch = Union.objects.filter(path__subtree=tops[17].path)
    assert branch.count() == 60
    plan = branch.explain()
    if connection.vendor == "postgresql":
        assert re.search(r"(Bitmap )?Index Scan on orgs_union_path_like", plan), plan
    else:
        assert re.search(r"SEARCH orgs_union USING (COVERING )?INDEX \w+ \(path>\? AND path<\?\)", plan), plan


def tree_state():
    return sorted(Union.objects.values_list("pk", "parent_id", "path", "depth")), HistoryEntry.objects.count()


def test_changing_the_parent_in_a_form_moves_the_branch(tree, login):
    admin = login(factories.official("district-admin", RoleKind.ADMIN, tree["district"]))
    below_site = factories.union("站点A下属班组工会", "grassroots", tree["site_a"])
    site = tree["site_a"]
    form = {"name": site.name, "kind": site.kind, "parent": tree["town_b"].pk, "region": site.region_id}
    form |= {"sector": site.sector, "status": site.status}
    # Every day of a model form is the browser's date picker, showing the saved day (core.forms).
    Union.objects.filter(pk=site.pk).update(established_on="2019-05-01")
    page = admin.get(reverse("orgs:union-edit", args=[site.pk])).content.decode()
    assert 'type="date" name="established_on" value="2019-05-01"' in page
    # A contact phone is a telephone number (found by fuzzing: any text was kept); nothing moves.
    refused = admin.post(reverse("orgs:union-edit", args=[site.pk]), {**form, "contact_phone": "nonexistent"})
    assert "请填写有效的电话号码" in refused.content.decode()
    assert Union.objects.get(pk=site.pk).parent == tree["town_a"]
    assert admin.post(reverse("orgs:union-edit", args=[site.pk]), form).status_code == 302
    assert_paths_consistent()
    moved = Union.objects.get(pk=site.pk)
    assert (moved.parent, moved.depth) == (tree["town_b"], 3)
    assert Union.objects.get(pk=below_site.pk).path.startswith(moved.path)
    assert set(tree["town_b"].subtree().values_list("name", flat=True)) == {
        "华舍街道总工会",
        "顺丰华舍网点工会",
        "饿了么柯桥站工会",
        "站点A下属班组工会",
    }
    entry = HistoryEntry.objects.for_object(moved).first()
    assert entry.changes["parent_id"] == [tree["town_a"].pk, tree["town_b"].pk]
    assert entry.changes["path"] == [site.path, moved.path]


def test_a_union_cannot_hang_under_its_own_branch(tree, login):
    official = factories.official("town-a", RoleKind.ORGANISATION, tree["town_a"])
    town = tree["town_a"]
    before = tree_state()
    form = {"name": town.name, "kind": town.kind, "parent": tree["site_a"].pk, "region": town.region_id}
    form |= {"sector": town.sector, "status": town.status}
    response = login(official).post(reverse("orgs:union-edit", args=[town.pk]), form)
    assert response.status_code == 200
    assert response.context["form"].errors == {"parent": ["不能隶属于本工会或其下级工会"]}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=official).key}")
    url = reverse("union-detail", args=[town.pk])
    response = client.patch(url, {"parent": tree["site_a"].pk}, format="json")
    assert (response.status_code, response.json()) == (400, {"parent": ["不能隶属于本工会或其下级工会"]})
    assert tree_state() == before
    with pytest.raises(ValueError):
        Union.objects.get(pk=town.pk).move_under(tree["site_a"])
    assert tree_state() == before


def test_a_town_official_cannot_cut_their_union_loose(tree, login):
    """Without a parent the union would move to the top, out of every official's scope: refused."""
    official = factories.official("town-a", RoleKind.ORGANISATION, tree["town_a"])
    town = tree["town_a"]
    before = tree_state()
    form = {"name": town.name, "kind": town.kind, "parent": "", "region": town.region_id}
    form |= {"sector": town.sector, "status": town.status}
    response = login(official).post(reverse("orgs:union-edit", args=[town.pk]), form)
    assert response.context["form"].errors == {"parent": ["该字段是必填项。"]}
    shown = response.context["object"]  # as stored, not as refused
    assert (shown.parent, shown.path) == (tree["district"], town.path)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=official).key}")
    response = client.patch(reverse("union-detail", args=[town.pk]), {"parent": None}, format="json")
    assert response.status_code == 400
    assert response.json() == {"parent": ["只有系统管理员可以设立或移动顶级工会"]}
    assert tree_state() == before
