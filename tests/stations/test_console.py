from decimal import Decimal

from core.models import HistoryEntry
from stations.models import Station
from stations.services import registry as services

from .. import factories
from .helpers import keeper, station

FORM = {
    "name": "柯桥职工驿站·瑞丰银行营业部",
    "kind": "worker",
    "address": "绍兴市柯桥区柯桥街道笛扬路1363号",
    "region": "330603001",
    "latitude": "30.088123",
    "longitude": "120.491456",
    "coordinate_system": "wgs84",
    "phone": "0575-84123456",
    "opening_note": "周一至周五 8:30–17:00",
    "active": "on",
}


def _names(response):
    return sorted(s.name for s in response.context["object_list"])


def test_keeper_console_shows_only_assigned_stations(tree, login):
    mine = station(tree["town_a"], "柯迎社区小哥驿站")
    other = station(tree["town_a"], "柯桥职工驿站·工商银行")
    user = keeper("keeper", tree["town_a"])
    services.assign_keeper(mine, user)
    client = login(user)
    assert _names(client.get("/console/stations/")) == ["柯迎社区小哥驿站"]
    page = client.get(f"/console/stations/{mine.pk}/")
    assert page.status_code == 200
    assert page.context["can_change"] is False
    assert "assign_form" not in page.context
    assert client.get(f"/console/stations/{other.pk}/").status_code == 404


def test_keeper_cannot_change_their_station(tree, login):
    mine = station(tree["town_a"], "柯迎社区小哥驿站")
    user = keeper("keeper", tree["town_a"])
    services.assign_keeper(mine, user)
    client = login(user)
    before = HistoryEntry.objects.count()
    assert client.get(f"/console/stations/{mine.pk}/edit/").status_code == 404
    response = client.post(f"/console/stations/{mine.pk}/edit/", {**FORM, "union": tree["town_a"].pk})
    assert response.status_code == 404
    assert client.post(f"/console/stations/{mine.pk}/keepers/{user.pk}/remove/").status_code == 404
    mine.refresh_from_db()
    assert (mine.name, list(mine.keepers.all())) == ("柯迎社区小哥驿站", [user])
    assert HistoryEntry.objects.count() == before
    # Nor add one: the form offers no union and a forced one is refused.
    response = client.post("/console/stations/add/", {**FORM, "union": tree["town_a"].pk})
    assert response.status_code == 200
    assert "union" in response.context["form"].errors
    assert Station.objects.count() == 1


def test_service_official_creates_in_their_town(tree, login):
    official = factories.official("svc-a", "service", tree["town_a"])
    client = login(official)
    form = client.get("/console/stations/add/").context["form"]
    assert set(form.fields["union"].queryset) == {tree["town_a"], tree["site_a"]}
    response = client.post("/console/stations/add/", {**FORM, "union": tree["town_a"].pk})
    made = Station.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/stations/{made.pk}/"
    assert (made.union, made.region_id, made.latitude, made.longitude, made.active) == (
        tree["town_a"],
        "330603001",
        Decimal("30.088123"),
        Decimal("120.491456"),
        True,
    )
    entry = HistoryEntry.objects.for_object(made).get()
    assert (entry.kind, entry.actor) == ("created", official)


def test_service_official_cannot_create_in_another_town(tree, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = client.post("/console/stations/add/", {**FORM, "union": tree["town_b"].pk})
    assert response.status_code == 200
    assert "union" in response.context["form"].errors
    assert Station.objects.count() == 0


def test_bad_input_is_a_message_not_a_500(tree, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    data = {**FORM, "union": tree["town_a"].pk, "longitude": "", "phone": "13912345678", "latitude": "abc"}
    response = client.post("/console/stations/add/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["phone"] == ["请填写座机或服务热线，不要填写个人手机号"]
    assert "latitude" in errors
    assert Station.objects.count() == 0
    data = {**FORM, "union": tree["town_a"].pk, "longitude": ""}
    response = client.post("/console/stations/add/", data)
    assert response.context["form"].non_field_errors() == ["经纬度须同时填写或同时留空"]
    assert Station.objects.count() == 0


def test_service_official_updates_own_town_only(tree, login):
    mine = station(tree["site_a"], "饿了么站")
    theirs = station(tree["town_b"], "华舍站")
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = client.post(
        f"/console/stations/{mine.pk}/edit/", {**FORM, "name": "饿了么柯桥站驿站", "union": tree["site_a"].pk}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.name, mine.phone) == ("饿了么柯桥站驿站", "0575-84123456")
    assert client.get(f"/console/stations/{theirs.pk}/").status_code == 404
    response = client.post(f"/console/stations/{theirs.pk}/edit/", {**FORM, "union": tree["town_b"].pk})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "华舍站"
    assert _names(client.get("/console/stations/")) == ["饿了么柯桥站驿站"]


def test_detail_shows_keepers_and_history_and_assigns(tree, login):
    made = station(tree["town_a"], "柯迎社区小哥驿站")
    user = keeper("keeper-li", tree["district"])
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    page = client.get(f"/console/stations/{made.pk}/")
    assert list(page.context["assign_form"].fields["user"].queryset) == [user]
    response = client.post(f"/console/stations/{made.pk}/keepers/", {"user": user.pk})
    assert response.status_code == 302
    assert list(made.keepers.all()) == [user]
    page = client.get(f"/console/stations/{made.pk}/")
    assert [link.user for link in page.context["keepers"]] == [user]
    assert [(e.kind, e.verb) for e in page.context["history"]] == [
        ("action", "keeper_assigned"),
        ("created", ""),
    ]
    assert "keeper-li" in page.content.decode()
    response = client.post(f"/console/stations/{made.pk}/keepers/{user.pk}/remove/")
    assert response.status_code == 302
    assert list(made.keepers.all()) == []


def test_assign_refuses_a_user_without_the_role(tree, login):
    made = station(tree["town_a"])
    plain = factories.official("plain", "viewer", tree["town_a"])
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    for value in (plain.pk, "not-a-number", ""):
        response = client.post(f"/console/stations/{made.pk}/keepers/", {"user": value}, follow=True)
        assert response.status_code == 200
        assert [str(m) for m in response.context["messages"]] == ["请选择有驿站管理员角色的用户"]
    assert list(made.keepers.all()) == []


def test_list_filters(tree, login):
    station(tree["town_a"], "柯桥职工驿站·瑞丰银行")
    station(tree["site_a"], "爱心翼站·电信柯北营业厅", "telecom_care")
    station(tree["town_b"], "爱心翼站·电信华舍营业厅", "telecom_care", active=False)
    client = login(factories.official("svc", "service", tree["district"]))
    assert _names(client.get("/console/stations/?kind=telecom_care")) == [
        "爱心翼站·电信华舍营业厅",
        "爱心翼站·电信柯北营业厅",
    ]
    assert _names(client.get("/console/stations/?q=瑞丰")) == ["柯桥职工驿站·瑞丰银行"]
    assert _names(client.get("/console/stations/?active=false")) == ["爱心翼站·电信华舍营业厅"]
    assert _names(client.get(f"/console/stations/?within={tree['town_a'].pk}")) == [
        "柯桥职工驿站·瑞丰银行",
        "爱心翼站·电信柯北营业厅",
    ]
    assert _names(client.get("/console/stations/?within=999999")) == []


def test_union_page_counts_active_stations_and_nav_links_here(tree, login):
    station(tree["site_a"], "甲")
    station(tree["town_a"], "乙")
    station(tree["town_a"], "丙", active=False)
    station(tree["town_b"], "丁")
    client = login(factories.official("svc", "service", tree["district"]))
    counts = dict(client.get(f"/console/unions/{tree['town_a'].pk}/").context["counts"])
    assert counts["服务站点（含下级）"] == 2
    nav = {item["label"]: item["url"] for item in client.get("/console/stations/").context["console_nav"]}
    assert nav["服务站点"] == "/console/stations/"


def test_anonymous_is_sent_to_login(tree, client):
    made = station(tree["town_a"])
    response = client.get(f"/console/stations/{made.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(f"/console/stations/{made.pk}/keepers/", {"user": 1}).status_code == 302
