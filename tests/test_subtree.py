"""A subtree of the union tree is one indexed query at any depth, and moving a branch keeps paths whole."""

import re

import pytest
from django.db import connection

from accounts.choices import RoleKind
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
