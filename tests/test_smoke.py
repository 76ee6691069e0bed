from members.models import Person
from orgs.models import Union

from . import factories


def test_subtree_and_scope(tree):
    official = factories.official("town-a", "organisation", tree["town_a"])
    assert set(Union.objects.restrict(official).values_list("name", flat=True)) == {
        "柯桥街道总工会",
        "饿了么柯桥站工会",
    }
    inside = factories.member(tree["site_a"], "李师傅")
    factories.member(tree["site_b"], "小孙")
    assert list(Person.objects.restrict(official)) == [inside]


def test_console_pages_answer(tree, login):
    official = factories.official("district", "admin", tree["district"])
    client = login(official)
    for url in [
        "/console/",
        "/console/unions/",
        "/console/unions/list/",
        f"/console/unions/{tree['town_a'].pk}/",
        "/console/people/",
        "/console/memberships/",
        "/console/regions/",
        "/accounts/roles/",
    ]:
        assert client.get(url).status_code == 200, url
