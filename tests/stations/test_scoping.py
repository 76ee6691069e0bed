from django.contrib.auth.models import AnonymousUser

from core.scoping import ADD, CHANGE, DELETE, EXPORT, VIEW, can
from stations.models import Station
from stations.services import registry as services

from .. import factories
from .helpers import keeper, station


def _stations(tree):
    return {
        "district": station(tree["district"], "区站"),
        "a": station(tree["town_a"], "柯桥站"),
        "site_a": station(tree["site_a"], "饿了么站"),
        "b": station(tree["town_b"], "华舍站"),
    }


def test_keeper_sees_exactly_what_is_assigned_and_changes_nothing(tree):
    made = _stations(tree)
    user = keeper("keeper", tree["district"])
    services.assign_keeper(made["a"], user)
    services.assign_keeper(made["b"], user)
    assert set(Station.objects.restrict(user, VIEW)) == {made["a"], made["b"]}
    for action in (ADD, CHANGE, DELETE, EXPORT):
        assert list(Station.objects.restrict(user, action)) == []
    assert can(user, VIEW, made["a"]) and not can(user, CHANGE, made["a"])
    assert not can(user, VIEW, made["site_a"])


def test_keeper_without_assignments_sees_nothing(tree):
    _stations(tree)
    assert list(Station.objects.restrict(keeper("keeper", tree["district"]))) == []


def test_town_service_official_sees_and_changes_their_subtree_only(tree):
    made = _stations(tree)
    official = factories.official("svc-a", "service", tree["town_a"])
    for action in (VIEW, ADD, CHANGE, DELETE, EXPORT):
        assert set(Station.objects.restrict(official, action)) == {made["a"], made["site_a"]}, action


def test_town_viewer_sees_but_does_not_change(tree):
    made = _stations(tree)
    viewer = factories.official("view-a", "viewer", tree["town_a"])
    assert set(Station.objects.restrict(viewer, VIEW)) == {made["a"], made["site_a"]}
    assert list(Station.objects.restrict(viewer, CHANGE)) == []


def test_same_union_without_the_role_changes_nothing(tree):
    made = _stations(tree)
    organiser = factories.official("org-a", "organisation", tree["town_a"])
    assert can(organiser, VIEW, made["a"])
    assert list(Station.objects.restrict(organiser, CHANGE)) == []


def test_anonymous_sees_nothing(tree):
    _stations(tree)
    assert list(Station.objects.restrict(AnonymousUser())) == []


def test_several_keepers_do_not_duplicate_rows(tree):
    made = _stations(tree)
    for n in range(3):
        services.assign_keeper(made["a"], keeper(f"k{n}", tree["district"]))
    district = factories.official("svc", "service", tree["district"])
    rows = list(Station.objects.restrict(district, VIEW))
    assert len(rows) == 4
    assert {s.pk for s in rows} == {s.pk for s in made.values()}
    # Why the policy says through_many: the same condition as a plain filter joins the
    # keepers and repeats the station once per keeper.
    plain = Station.objects.filter(Station.scope.condition(district, VIEW))
    assert plain.count() == 6
    assert Station.objects.restrict(district, VIEW).count() == 4
