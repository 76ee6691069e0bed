"""Coverage gaps in the console and the API: pages render, exports download, scope holds."""

import io
import json
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from core import geo
from orgs.models import Employer
from orgs.services.employers import save_employer
from stations.models import HotSpot

from .. import factories
from .helpers import station
from .test_coverage import ALL_DAY, DAY_ONLY, offset, spot


def network(tree):
    """The bank's station (day only) next to the market, a 24 h station next to the park."""
    town = tree["town_a"]
    lat, lon = offset(300, 0)
    bank = station(town, "银行职工驿站", latitude=lat, longitude=lon, hours=DAY_ONLY)
    lat, lon = offset(5000, 0)
    station(town, "小哥驿站", latitude=lat, longitude=lon, hours=ALL_DAY)
    market = spot(town, "轻纺城东市场", offset(0, 0), 100, 40)
    spot(town, "物流园", offset(5600, 0), 50, 30)
    theirs = spot(tree["town_b"], "华舍热点", offset(30000, 0), 70, 70)
    return bank, market, theirs


def test_console_page_shows_figures_ranking_suggestions_and_map(tree, login):
    bank, _market, _theirs = network(tree)
    client = login(factories.official("svc", "service", tree["town_a"]))
    response = client.get(
        "/console/coverage/", {"union": tree["town_a"].pk, "radius_m": 1000, "period": "night", "k": 3}
    )
    assert response.status_code == 200
    analysis = response.context["analysis"]
    assert (analysis.figures["day"].share, analysis.figures["night"].share) == (
        Decimal("100.0"),
        Decimal("42.9"),
    )
    assert [s.name for s in analysis.uncovered] == ["轻纺城东市场"]
    assert [(s.kind, s.pk, s.gain) for s in analysis.suggestions] == [("station", bank.pk, 40)]
    page = response.content.decode()
    assert "42.9%" in page and "延长现有站点开放时间" in page and "轻纺城东市场" in page
    assert "华舍热点" not in page
    island = response.context.get("map")
    if island is not None:  # the map helper is another story's; without it the page is its tables
        kinds = sorted({p.get("kind") for p in island["points"]})
        assert kinds == ["hotspot", "hotspot-covered", "station", "suggested"]
        assert {c["radius_m"] for c in island["circles"]} == {1000.0}
        assert 'id="coverage-map-data"' in page
        json.loads(page.split('id="coverage-map-data" type="application/json">')[1].split("</script>")[0])


def test_console_page_opens_with_defaults_and_refuses_another_union(tree, login):
    network(tree)
    client = login(factories.official("svc", "service", tree["town_a"]))
    response = client.get("/console/coverage/")
    assert response.status_code == 200
    assert (response.context["analysis"].union, response.context["analysis"].period) == (
        tree["town_a"],
        "day",
    )
    # A link with only the union (the hot spot page's) takes the other defaults.
    analysis = client.get("/console/coverage/", {"union": tree["site_a"].pk, "period": "night"}).context[
        "analysis"
    ]
    assert (analysis.union, analysis.radius_m, analysis.period, analysis.k) == (
        tree["site_a"],
        1000,
        "night",
        5,
    )
    response = client.get(
        "/console/coverage/", {"union": tree["town_b"].pk, "radius_m": 1000, "period": "day", "k": 5}
    )
    assert response.status_code == 200
    assert response.context["analysis"] is None
    assert "union" in response.context["form"].errors
    assert login(factories.official("nobody", None, None)).get("/console/coverage/").status_code == 404


def test_export_has_the_ranking_and_the_suggestions(tree, login):
    _bank, _market, _theirs = network(tree)
    client = login(factories.official("svc", "service", tree["town_a"]))
    response = client.get(
        "/console/coverage/",
        {"union": tree["town_a"].pk, "radius_m": 1000, "period": "night", "k": 3, "format": "xlsx"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["覆盖概况", "未覆盖热点排名", "建议新增站点"]
    ranking = [[c.value for c in row] for row in book["未覆盖热点排名"].iter_rows()]
    assert ranking[1][:3] == [1, "轻纺城东市场", "手工录入"] and ranking[1][5] == 40
    sites = [[c.value for c in row] for row in book["建议新增站点"].iter_rows()]
    assert sites[1][:3] == [1, "延长现有站点开放时间", "银行职工驿站"] and sites[1][5:8] == [40, 70, 100.0]


def test_hot_spot_pages_create_in_gcj02_edit_import_and_census(tree, login):
    client = login(factories.official("svc", "service", tree["town_a"]))
    assert client.get("/console/hot-spots/").status_code == 200
    response = client.post(
        "/console/hot-spots/add/",
        {
            "name": "柯桥物流园",
            "union": tree["town_a"].pk,
            "latitude": "30.140000",
            "longitude": "120.530000",
            "system": "gcj02",
            "day_workers": 150,
            "night_workers": 90,
        },
    )
    made = HotSpot.objects.get(name="柯桥物流园")
    assert response.status_code == 302 and response["Location"] == f"/console/hot-spots/{made.pk}/"
    point = geo.to_wgs84(30.14, 120.53, "gcj02")
    assert (float(made.latitude), float(made.longitude)) == (round(point.lat, 6), round(point.lon, 6))
    assert (made.source, made.union) == ("manual", tree["town_a"])
    assert "柯桥物流园" in client.get(made.get_absolute_url()).content.decode()
    response = client.post(
        f"/console/hot-spots/{made.pk}/edit/",
        {
            "name": "柯桥物流园",
            "union": tree["town_a"].pk,
            "latitude": made.latitude,
            "longitude": made.longitude,
            "system": "wgs84",
            "day_workers": 150,
            "night_workers": 100,
        },
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.night_workers, float(made.latitude)) == (100, round(point.lat, 6))
    # Another town's union is not offered.
    response = client.post(
        "/console/hot-spots/add/",
        {
            "name": "x",
            "union": tree["town_b"].pk,
            "latitude": 30,
            "longitude": 120,
            "system": "wgs84",
            "day_workers": 1,
            "night_workers": 0,
        },
    )
    assert response.status_code == 200 and "union" in response.context["form"].errors

    assert client.get("/console/hot-spots/template/")["Content-Type"].startswith("application/vnd.openxml")
    bad = SimpleUploadedFile(
        "hot.csv", "名称,纬度,经度,坐标系,白天人数,夜间人数\n市场,30.1,120.4,mars,10,1\n".encode()
    )
    response = client.post("/console/hot-spots/import/", {"union": tree["town_a"].pk, "file": bad})
    assert response.status_code == 200
    page = response.content.decode()
    assert "未导入任何数据" in page and "<td>2</td><td>坐标系</td>" in page
    assert HotSpot.objects.count() == 1
    broken = SimpleUploadedFile("hot.xlsx", b"PK\x03\x04 not really")
    response = client.post("/console/hot-spots/import/", {"union": tree["town_a"].pk, "file": broken})
    assert response.status_code == 200 and "无法读取 Excel 文件" in response.content.decode()
    good = SimpleUploadedFile(
        "hot.csv", "名称,纬度,经度,坐标系,白天人数,夜间人数\n市场,30.1,120.4,wgs84,10,1\n".encode()
    )
    response = client.post("/console/hot-spots/import/", {"union": tree["town_a"].pk, "file": good})
    assert response.status_code == 302
    assert HotSpot.objects.filter(name="市场", source="imported").exists()

    lat, lon = offset(0, 0)
    save_employer(
        Employer(
            name="美团柯桥站",
            sector="food_delivery",
            region=tree["town_a"].region,
            area_union=tree["town_a"],
            latitude=lat,
            longitude=lon,
        ),
        headcounts={"delivery_rider": 30},
    )
    assert client.get("/console/hot-spots/census/").status_code == 200
    response = client.post("/console/hot-spots/census/", {"union": tree["town_a"].pk})
    assert response.status_code == 302
    census = HotSpot.objects.get(source="census")
    assert (census.name, census.day_workers, census.night_workers) == ("美团柯桥站", 30, 15)
    # A census hot spot is edited through its employer, not by hand.
    response = client.post(
        f"/console/hot-spots/{census.pk}/edit/",
        {
            "name": "改名",
            "union": tree["town_a"].pk,
            "latitude": lat,
            "longitude": lon,
            "system": "wgs84",
            "day_workers": 1,
            "night_workers": 1,
        },
    )
    assert response.status_code == 200
    census.refresh_from_db()
    assert census.name == "美团柯桥站"


def test_viewer_sees_but_cannot_change_hot_spots(tree, login):
    mine = spot(tree["town_a"], "轻纺城东市场", offset(0, 0), 100, 40)
    client = login(factories.official("viewer", "viewer", tree["town_a"]))
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(f"/console/hot-spots/{mine.pk}/edit/").status_code == 404
    assert client.post("/console/hot-spots/census/", {"union": tree["town_a"].pk}).status_code == 200
    assert client.get("/console/coverage/").status_code == 200


def test_nav_links_to_coverage(tree, login):
    client = login(factories.official("svc", "service", tree["town_a"]))
    nav = {
        str(item["label"]): item["url"] for item in client.get("/console/coverage/").context["console_nav"]
    }
    assert nav["覆盖缺口"] == "/console/coverage/"


# --- API -------------------------------------------------------------------------------------


def test_api_coverage_endpoint(tree, login):
    bank, market, _theirs = network(tree)
    client = login(factories.official("svc", "service", tree["town_a"]))
    response = client.get(
        "/api/v1/stations/coverage/",
        {"union": tree["town_a"].pk, "radius_m": 1000, "period": "night", "k": 2},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["day"], body["night"]) == (
        {"workers": 150, "covered": 150, "share": "100.0"},
        {"workers": 70, "covered": 30, "share": "42.9"},
    )
    assert (body["day_at"], body["night_at"], body["stations"], body["hot_spots"]) == (
        "周三 14:00",
        "周三 21:00",
        2,
        2,
    )
    assert [(u["id"], u["workers"]) for u in body["uncovered"]] == [(market.pk, 40)]
    assert [(s["kind"], s["id"], s["gain"], s["total"], s["hot_spots"]) for s in body["suggestions"]] == [
        ("station", bank.pk, 40, 70, [market.pk])
    ]
    assert client.get("/api/v1/stations/coverage/", {"union": tree["town_b"].pk}).status_code == 404
    assert (
        client.get("/api/v1/stations/coverage/", {"union": tree["town_a"].pk, "period": "dusk"}).status_code
        == 400
    )
    assert (
        client.get("/api/v1/stations/coverage/", {"union": tree["town_a"].pk, "radius_m": 5}).status_code
        == 400
    )


def test_api_hot_spots_crud_is_scoped_and_converts_coordinates(tree, login):
    theirs = spot(tree["town_b"], "华舍热点", offset(30000, 0), 70, 70)
    client = login(factories.official("svc", "service", tree["town_a"]))
    body = {
        "name": "外卖集合点",
        "union": tree["town_a"].pk,
        "latitude": "30.101000",
        "longitude": "120.495000",
    }
    response = client.post(
        "/api/v1/hot-spots/",
        {**body, "coordinate_system": "bd09", "day_workers": 60, "night_workers": 45},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    made = HotSpot.objects.get(pk=response.json()["id"])
    point = geo.to_wgs84(30.101, 120.495, "bd09")
    assert (float(made.latitude), float(made.longitude), made.source) == (
        round(point.lat, 6),
        round(point.lon, 6),
        "manual",
    )
    assert response.json()["latitude"] == str(made.latitude)
    ids = [row["id"] for row in client.get("/api/v1/hot-spots/").json()["results"]]
    assert ids == [made.pk]
    assert client.get(f"/api/v1/hot-spots/{theirs.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/hot-spots/{theirs.pk}/", {"night_workers": 1}, content_type="application/json"
        ).status_code
        == 404
    )
    response = client.post(
        "/api/v1/hot-spots/",
        {**body, "union": tree["town_b"].pk, "day_workers": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post("/api/v1/hot-spots/", {**body, "day_workers": 1}, content_type="application/json")
    assert response.status_code == 400  # the same name again in the union
    response = client.patch(
        f"/api/v1/hot-spots/{made.pk}/", {"night_workers": 50}, content_type="application/json"
    )
    assert (response.status_code, response.json()["night_workers"]) == (200, 50)
    assert client.delete(f"/api/v1/hot-spots/{made.pk}/").status_code == 204
    theirs.refresh_from_db()
    assert HotSpot.objects.count() == 1

    lat, lon = offset(0, 0)
    save_employer(
        Employer(
            name="美团柯桥站",
            sector="food_delivery",
            region=tree["town_a"].region,
            area_union=tree["town_a"],
            latitude=lat,
            longitude=lon,
        ),
        headcounts={"delivery_rider": 30},
    )
    response = client.post(
        "/api/v1/hot-spots/sync-census/", {"union": tree["town_a"].pk}, content_type="application/json"
    )
    assert (response.status_code, response.json()) == (
        200,
        {"created": 1, "updated": 0, "unchanged": 0, "removed": 0},
    )
    response = client.post(
        "/api/v1/hot-spots/sync-census/", {"union": tree["town_b"].pk}, content_type="application/json"
    )
    assert response.status_code == 404
