"""The station API's registry fields (partner, hours, amenities, closures, photos, coordinates in a
named system), the partners API and the managed lists."""

import datetime

from django.core.files.base import ContentFile

from core import geo
from orgs.models import Partner
from stations import hours as rules
from stations.models import Amenity, Station, StationClosure, StationPhoto

from .. import factories
from .helpers import station

BODY = {
    "name": "爱心翼站·电信柯北营业厅",
    "kind": "telecom_care",
    "address": "绍兴市柯桥区柯桥街道兴越路88号",
    "phone": "10000",
}


def post(client, body):
    return client.post("/api/v1/stations/", body, content_type="application/json")


def test_read_shows_partner_hours_amenities_closures_photos(tree, login):
    host = Partner.objects.create(union=tree["town_a"], name="中国电信柯北营业厅", kind="telecom")
    made = station(tree["town_a"], partner=host, hours=rules.always_open())
    made.amenities.add(Amenity.objects.get(code="wifi"), Amenity.objects.get(code="charging"))
    StationClosure.objects.create(
        station=made, starts_on=datetime.date(2027, 2, 1), ends_on=datetime.date(2027, 2, 7), reason="春节"
    )
    photo = StationPhoto.objects.create(station=made, image=ContentFile(b"x", "a.jpg"), caption="门头")
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    row = client.get(f"/api/v1/stations/{made.pk}/").json()
    assert (row["partner"], row["partner_name"]) == (host.pk, "中国电信柯北营业厅")
    assert row["hours"] == rules.always_open()
    assert row["hours_text"] == "每天24小时"
    assert row["hours_week"][0] == {"day": "周一", "text": "24小时"}
    assert row["open_now"] is True
    assert row["amenities"] == ["charging", "wifi"]
    assert row["closures"] == [
        {"id": row["closures"][0]["id"], "starts_on": "2027-02-01", "ends_on": "2027-02-07", "reason": "春节"}
    ]
    assert row["photos"][0]["caption"] == "门头"
    assert row["photos"][0]["url"].endswith(f"/console/stations/photos/{photo.pk}/")
    assert (row["latitude"], row["longitude"]) == ("30.088000", "120.492000")
    gcj = geo.from_wgs84(geo.Point(30.088, 120.492), geo.GCJ02)
    assert row["coordinates"]["wgs84"] == [30.088, 120.492]
    assert row["coordinates"]["gcj02"] == [round(gcj[0], 6), round(gcj[1], 6)]
    assert row["coordinate_system"] == "wgs84"
    listing = client.get("/api/v1/stations/?amenity=wifi&open=now").json()
    assert [r["id"] for r in listing["results"]] == [made.pk]
    assert listing["results"][0]["open_now"] is True


def test_write_needs_and_converts_the_coordinate_system(tree, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    body = {**BODY, "union": tree["town_a"].pk, "latitude": "30.0953", "longitude": "120.4938"}
    response = post(client, body)
    assert response.status_code == 400
    assert "coordinate_system" in response.json()
    response = post(client, {**body, "coordinate_system": "mars"})
    assert response.status_code == 400
    response = post(client, {**body, "coordinate_system": "gcj02", "amenities": ["wifi", "drinking_water"]})
    assert response.status_code == 201, response.content
    made = Station.objects.get()
    wgs = geo.to_wgs84(30.0953, 120.4938, geo.GCJ02)
    assert (float(made.latitude), float(made.longitude)) == (round(wgs.lat, 6), round(wgs.lon, 6))
    assert response.json()["latitude"] == str(made.latitude)
    assert sorted(made.amenities.values_list("code", flat=True)) == ["drinking_water", "wifi"]
    # Without coordinates no system is needed; hours as a JSON week.
    week = [[[510, 1020]]] * 5 + [[], []]
    response = client.patch(
        f"/api/v1/stations/{made.pk}/", {"hours": week, "amenities": ["aed"]}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    made.refresh_from_db()
    assert made.hours == week
    assert response.json()["amenities"] == ["aed"]
    assert response.json()["hours_text"].startswith("周一 08:30-17:00")
    response = client.patch(
        f"/api/v1/stations/{made.pk}/", {"hours": [[[600, 600]]]}, content_type="application/json"
    )
    assert response.status_code == 400 and "hours" in response.json()
    response = client.patch(
        f"/api/v1/stations/{made.pk}/",
        {"latitude": "39.9", "longitude": "116.4", "coordinate_system": "bd09"},
        content_type="application/json",
    )
    assert response.status_code == 200
    made.refresh_from_db()
    back = geo.from_wgs84(geo.Point(float(made.latitude), float(made.longitude)), geo.BD09)
    assert geo.distance_m(*back, 39.9, 116.4) < 0.2
    response = client.patch(
        f"/api/v1/stations/{made.pk}/", {"amenities": ["no-such"]}, content_type="application/json"
    )
    assert response.status_code == 400


def test_partner_must_be_in_reach(tree, login):
    theirs = Partner.objects.create(union=tree["town_b"], name="华舍物美超市", kind="supermarket")
    below = Partner.objects.create(union=tree["site_a"], name="饿了么站点", kind="courier_site")
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = post(client, {**BODY, "union": tree["town_a"].pk, "partner": theirs.pk})
    assert response.status_code == 400 and "partner" in response.json()
    response = post(client, {**BODY, "union": tree["town_a"].pk, "partner": below.pk})
    assert response.status_code == 400 and "partner" in response.json()
    assert Station.objects.count() == 0


def test_inactive_amenity_cannot_be_added(tree, login):
    Amenity.objects.filter(code="books").update(active=False)
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = post(client, {**BODY, "union": tree["town_a"].pk, "amenities": ["books"]})
    assert response.status_code == 400
    assert "books" in str(response.json())


def test_partners_api_is_scoped(tree, login):
    Partner.objects.create(union=tree["town_b"], name="华舍物美超市", kind="supermarket")
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = client.post(
        "/api/v1/partners/",
        {"name": "瑞丰银行", "kind": "bank", "union": tree["town_a"].pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert [p["name"] for p in client.get("/api/v1/partners/").json()["results"]] == ["瑞丰银行"]
    response = client.post(
        "/api/v1/partners/",
        {"name": "外", "kind": "bank", "union": tree["town_b"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post(
        "/api/v1/partners/",
        {"name": "瑞丰银行", "kind": "bank", "union": tree["town_a"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    made = Partner.objects.get(name="瑞丰银行")
    assert client.delete(f"/api/v1/partners/{made.pk}/").status_code == 405
    assert client.get("/api/v1/partners/?kind=supermarket").json()["count"] == 0


def test_reference_lists_api(tree, login, client):
    official = login(factories.official("v", "viewer", tree["town_a"]))
    codes = [a["code"] for a in official.get("/api/v1/amenities/").json()["results"]]
    assert codes[:3] == ["drinking_water", "microwave", "charging"]
    kinds = [k["code"] for k in official.get("/api/v1/service-kinds/").json()["results"]]
    assert "screen_film" in kinds and "free_clinic" in kinds
    assert client.get("/api/v1/amenities/").status_code in (401, 403)
