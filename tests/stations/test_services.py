from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role
from accounts.services import grant_role, revoke_role
from core.history import acting_as
from core.models import HistoryEntry
from core.scoping import owners_for
from orgs.models import Union
from stations.models import Station, StationKeeper
from stations.services import registry as services

from .. import factories
from .helpers import keeper, station


def test_save_station_creates_and_records(tree):
    official = factories.official("svc", "service", tree["district"])
    with acting_as(official, "test"):
        made = station(tree["town_a"], "爱心翼站·电信笛扬路营业厅", "telecom_care", phone="0575-84123456")
    made.refresh_from_db()
    assert (made.name, made.kind, made.union, made.phone) == (
        "爱心翼站·电信笛扬路营业厅",
        "telecom_care",
        tree["town_a"],
        "0575-84123456",
    )
    assert (made.latitude, made.longitude) == (Decimal("30.088000"), Decimal("120.492000"))
    entry = HistoryEntry.objects.for_object(made).get()
    assert (entry.kind, entry.actor, entry.changes["name"]) == ("created", official, [None, made.name])


def test_save_station_records_a_change(tree):
    made = station(tree["town_a"])
    made.active = False
    services.save_station(made)
    change = HistoryEntry.objects.for_object(made).filter(kind="changed").get()
    assert change.changes == {"active": [True, False]}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"latitude": Decimal("30.1"), "longitude": None}, "__all__", "经纬度须同时填写或同时留空"),
        ({"latitude": Decimal("91"), "longitude": Decimal("120")}, "latitude", None),
        ({"phone": "13912345678"}, "phone", "请填写座机或服务热线，不要填写个人手机号"),
        ({"phone": "+86 139 1234 5678"}, "phone", "请填写座机或服务热线，不要填写个人手机号"),
        ({"phone": "call me"}, "phone", "请填写有效的电话号码，如 0575-84123456 或 10000"),
        ({"kind": "bogus"}, "kind", None),
    ],
)
def test_invalid_station_is_refused_and_not_saved(tree, fields, field, message):
    with pytest.raises(ValidationError) as caught:
        station(tree["town_a"], **fields)
    assert field in caught.value.message_dict
    if message:
        assert message in caught.value.message_dict[field]
    assert Station.objects.count() == 0


def test_service_phone_and_landline_are_accepted(tree):
    assert station(tree["town_a"], "甲", phone="10000").phone == "10000"
    assert station(tree["town_a"], "乙", phone="0575-84123456").phone == "0575-84123456"


def test_name_is_unique_within_a_union_only(tree):
    station(tree["town_a"], "小哥驿站")
    with pytest.raises(ValidationError) as caught:
        station(tree["town_a"], "小哥驿站")
    assert caught.value.messages == ["该工会已有同名站点"]
    station(tree["town_b"], "小哥驿站")
    assert Station.objects.filter(name="小哥驿站").count() == 2


def test_database_refuses_one_coordinate_alone(tree):
    made = station(tree["town_a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.filter(pk=made.pk).update(longitude=None)
    made.refresh_from_db()
    assert made.longitude == Decimal("120.492000")


def test_assign_keeper_needs_a_keeper_role_covering_the_union(tree):
    made = station(tree["site_a"])
    stranger = factories.official("plain", None, None)
    sibling = keeper("sibling", tree["town_b"])
    service = factories.official("svc-a", "service", tree["town_a"])
    for user in (stranger, sibling, service):
        with pytest.raises(ValidationError) as caught:
            services.assign_keeper(made, user)
        assert caught.value.code == "not_keeper"
    assert StationKeeper.objects.count() == 0
    assert not HistoryEntry.objects.for_object(made).filter(kind="action").exists()


def test_assign_keeper_with_role_on_an_ancestor(tree):
    made = station(tree["site_a"])
    user = keeper("keeper", tree["district"])
    link = services.assign_keeper(made, user)
    assert list(made.keepers.all()) == [user]
    assert (link.station, link.user) == (made, user)
    action = HistoryEntry.objects.for_object(made).get(kind="action")
    assert (action.verb, action.changes, action.note) == (
        "keeper_assigned",
        {"user": user.pk},
        "指派驿站管理员：keeper",
    )
    # Assigning again changes nothing and records nothing.
    assert services.assign_keeper(made, user) == link
    assert HistoryEntry.objects.for_object(made).filter(kind="action").count() == 1


def test_revoked_keeper_role_cannot_be_assigned(tree):
    made = station(tree["town_a"])
    user = keeper("keeper", tree["town_a"])
    revoke_role(Role.objects.get(user=user))
    with pytest.raises(ValidationError):
        services.assign_keeper(made, user)
    assert StationKeeper.objects.count() == 0


def test_unassign_keeper(tree):
    made = station(tree["town_a"])
    user = keeper("keeper", tree["town_a"])
    services.assign_keeper(made, user)
    assert services.unassign_keeper(made, user) is True
    assert list(made.keepers.all()) == []
    verbs = list(HistoryEntry.objects.for_object(made).filter(kind="action").values_list("verb", flat=True))
    assert verbs == ["keeper_unassigned", "keeper_assigned"]
    assert services.unassign_keeper(made, user) is False
    assert HistoryEntry.objects.for_object(made).filter(kind="action").count() == 2


def test_keeper_candidates(tree):
    made = station(tree["site_a"])
    on_district = keeper("d", tree["district"])
    on_town = keeper("t", tree["town_a"])
    keeper("other-town", tree["town_b"])
    factories.official("svc", "service", tree["town_a"])
    assert list(services.keeper_candidates(made)) == [on_district, on_town]
    services.assign_keeper(made, on_town)
    assert list(services.keeper_candidates(made)) == [on_district]


def test_owner_choices_follow_the_station_policy(tree):
    service = factories.official("svc-a", "service", tree["town_a"])
    viewer = factories.official("view-a", "viewer", tree["town_a"])
    assert set(owners_for(service, Station, "add", Union.objects.all())) == {tree["town_a"], tree["site_a"]}
    assert list(owners_for(viewer, Station, "add", Union.objects.all())) == []


def test_revoking_the_keeper_role_releases_what_it_no_longer_covers(tree):
    on_a = station(tree["town_a"], "柯桥站")
    on_district = station(tree["district"], "区站")
    user = keeper("keeper", tree["town_a"])
    grant_role(user, tree["district"], "keeper")
    services.assign_keeper(on_a, user)
    services.assign_keeper(on_district, user)
    # The district role still covers 柯桥站: revoking the town role releases nothing.
    revoke_role(Role.objects.get(user=user, union=tree["town_a"]))
    assert set(Station.objects.restrict(user)) == {on_a, on_district}
    revoke_role(Role.objects.get(user=user, union=tree["district"]))
    assert list(Station.objects.restrict(user)) == []
    assert StationKeeper.objects.count() == 0
    for made in (on_a, on_district):
        verbs = HistoryEntry.objects.for_object(made).filter(kind="action").values_list("verb", flat=True)
        assert list(verbs) == ["keeper_unassigned", "keeper_assigned"]


def test_changing_the_keeper_role_into_another_releases(tree):
    made = station(tree["town_a"])
    user = keeper("keeper", tree["town_a"])
    services.assign_keeper(made, user)
    role = Role.objects.get(user=user)
    role.kind = "viewer"
    role.save()
    assert list(made.keepers.all()) == []
