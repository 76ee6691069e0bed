from core.models import HistoryEntry
from stations.models import Station
from stations.services import registry as services

from .. import factories
from .helpers import keeper, station

BODY = {
    "name": "爱心翼站·电信柯北营业厅",
    "kind": "telecom_care",
    "address": "绍兴市柯桥区柯桥街道兴越路88号",
    "latitude": "30.095000",
    "longitude": "120.489000",
    "coordinate_system": "wgs84",
    "phone": "10000",
    "opening_note": "每天 8:30–18:00",
    "active": True,
}


def _ids(response):
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def test_keeper_lists_only_assigned_and_cannot_change(tree, login):
    mine = station(tree["town_a"], "柯迎社区小哥驿站")
    station(tree["town_a"], "柯桥职工驿站·工商银行")
    user = keeper("keeper", tree["town_a"])
    services.assign_keeper(mine, user)
    client = login(user)
    assert _ids(client.get("/api/v1/stations/")) == [mine.pk]
    row = client.get(f"/api/v1/stations/{mine.pk}/").json()
    assert (row["name"], row["latitude"], row["longitude"]) == ("柯迎社区小哥驿站", "30.088000", "120.492000")
    before = HistoryEntry.objects.count()
    response = client.patch(f"/api/v1/stations/{mine.pk}/", {"name": "改名"}, content_type="application/json")
    assert response.status_code == 404
    # Refused before validation: even an invalid body is 404, not a 400 about the body.
    response = client.patch(f"/api/v1/stations/{mine.pk}/", {"phone": "139"}, content_type="application/json")
    assert response.status_code == 404
    response = client.post(
        "/api/v1/stations/", {**BODY, "union": tree["town_a"].pk}, content_type="application/json"
    )
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.name == "柯迎社区小哥驿站"
    assert Station.objects.count() == 2
    assert HistoryEntry.objects.count() == before


def test_service_official_creates_and_changes_in_their_town_only(tree, login):
    theirs = station(tree["town_b"], "华舍站")
    official = factories.official("svc-a", "service", tree["town_a"])
    client = login(official)
    response = client.post(
        "/api/v1/stations/", {**BODY, "union": tree["town_a"].pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    made = Station.objects.get(pk=response.json()["id"])
    assert (made.union, made.phone, str(made.latitude)) == (tree["town_a"], "10000", "30.095000")
    assert HistoryEntry.objects.for_object(made).get().actor == official
    response = client.post(
        "/api/v1/stations/", {**BODY, "union": tree["town_b"].pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["union"]
    response = client.patch(
        f"/api/v1/stations/{theirs.pk}/", {"active": False}, content_type="application/json"
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.active is True
    response = client.patch(
        f"/api/v1/stations/{made.pk}/", {"active": False}, content_type="application/json"
    )
    assert (response.status_code, response.json()["active"]) == (200, False)
    assert _ids(client.get("/api/v1/stations/")) == [made.pk]


def test_api_validation_answers_400(tree, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    station(tree["town_a"], BODY["name"])
    cases = [
        ({"name": "新站", "longitude": None}, "经纬度须同时填写或同时留空"),
        ({"name": "新站", "phone": "13912345678"}, "请填写座机或服务热线，不要填写个人手机号"),
        ({"name": "新站", "latitude": "abc"}, "latitude"),
        ({"name": "新站", "latitude": "0", "longitude": "0"}, "坐标不在中国境内"),
        ({}, "该工会已有同名站点"),
    ]
    for change, message in cases:
        body = {**BODY, "union": tree["town_a"].pk, **change}
        response = client.post("/api/v1/stations/", body, content_type="application/json")
        assert response.status_code == 400
        assert message in str(response.json())
    assert Station.objects.count() == 1


def test_no_duplicate_rows_and_no_delete(tree, login):
    made = station(tree["town_a"], "柯迎社区小哥驿站")
    other = station(tree["town_b"], "华舍站")
    for n in range(3):
        services.assign_keeper(made, keeper(f"k{n}", tree["district"]))
    client = login(factories.official("svc", "service", tree["district"]))
    response = client.get("/api/v1/stations/")
    assert response.json()["count"] == 2
    assert _ids(response) == sorted([made.pk, other.pk])
    assert client.delete(f"/api/v1/stations/{made.pk}/").status_code == 405
    assert Station.objects.count() == 2


def test_api_filters_share_the_console_filterset(tree, login):
    a = station(tree["site_a"], "甲", "telecom_care")
    station(tree["town_b"], "乙", "telecom_care")
    station(tree["town_a"], "丙")
    client = login(factories.official("svc", "service", tree["district"]))
    assert _ids(client.get(f"/api/v1/stations/?kind=telecom_care&within={tree['town_a'].pk}")) == [a.pk]


def test_anonymous_gets_nothing(tree, client):
    station(tree["town_a"])
    assert client.get("/api/v1/stations/").status_code in (401, 403)
