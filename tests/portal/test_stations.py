"""附近驿站 and the station page on the worker's phone; the worker's position is neither stored nor logged."""

import datetime
import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from accounts.backends import USER_BACKEND
from core import geo
from members import services as members
from stations import sections
from stations.models import StationClosure

from .. import factories
from ..members.test_no_raw_pii import RawLogs, RecordingClient, every_stored_text
from ..stations.test_nearest import DAYTIME, KEQIAO, near

URL = "/stations/nearby/"


@pytest.fixture
def stations(tree):
    union = tree["district"]
    return {
        "near": near(
            union,
            "柯桥职工驿站",
            north_m=300,
            amenities=["drinking_water", "charging"],
            phone="0575-84123456",
        ),
        "rider": near(union, "柯迎社区小哥驿站", east_m=900, kind="rider", amenities=["charging"]),
        "far": near(union, "华舍爱心翼站", north_m=-2500, kind="telecom_care"),
        "day": near(union, "白天银行驿站", north_m=100, hours=DAYTIME),
    }


def post(client, **data):
    return client.post(URL, {"system": "wgs84", **data})


def result_names(response) -> list[str]:
    return re.findall(r'class="station-name" href="[^"]+">([^<]+)</a>', response.content.decode())


def test_home_links_to_nearby(db):
    page = Client().get("/").content.decode()
    assert f'href="{URL}"' in page


def test_the_form_without_results(db):
    response = Client().get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "附近驿站" in page and 'method="post"' in page and "data-locate" in page
    # The geolocation button is hidden until the script shows it (without JavaScript it could do nothing).
    assert re.search(r"<button[^>]*data-locate[^>]*hidden", page)
    assert "stations_locate.js" in page and "station-item" not in page


@pytest.mark.parametrize(("lat", "lon"), [("999", "120.5"), ("nan", "120.5"), ("30", "abc"), ("1e308", "0")])
def test_a_bad_position_is_said(db, lat, lon):
    page = post(Client(), lat=lat, lon=lon).content.decode()
    assert "定位坐标无效" in page and "station-item" not in page


def test_results_from_the_phones_position(stations, settings):
    settings.MAP_TILE_SYSTEM = "gcj02"
    response = post(Client(), lat=f"{KEQIAO.lat:.6f}", lon=f"{KEQIAO.lon:.6f}")
    assert response.status_code == 200
    page = response.content.decode()
    from stations.services.hours import open_now

    day_open = open_now(stations["day"])
    expected = ["白天银行驿站", "柯桥职工驿站", "柯迎社区小哥驿站", "华舍爱心翼站"]
    if not day_open:  # at night the daytime station goes last
        expected = expected[1:] + expected[:1]
    assert result_names(response) == expected
    assert "约 300 米" in page and "约 900 米" in page and "2.5 公里" in page
    assert "正在开放" in page and "今日 24小时" in page and "饮用水" in page
    # The map's data island: points in the tiles' system (GCJ-02 here), the worker's own point first.
    island = json.loads(
        re.search(r'<script id="nearby-map-data" type="application/json">(.*?)</script>', page).group(1)
    )
    assert island["system"] == "gcj02" and island["points"][0]["kind"] == "here"
    station = stations["near"]
    point = next(p for p in island["points"] if p.get("label") == "柯桥职工驿站")
    assert (point["lat"], point["lon"]) == pytest.approx(
        geo.wgs84_to_gcj02(float(station.latitude), float(station.longitude)), abs=1e-6
    )
    # Each result's 高德 link carries GCJ-02 coordinates.
    link = re.search(r'href="(https://uri\.amap\.com/marker\?[^"]+)" data-nav="amap"', page).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    lon, lat = (float(v) for v in query["position"][0].split(","))
    first = stations["day"] if day_open else stations["near"]
    assert (lat, lon) == pytest.approx(
        geo.wgs84_to_gcj02(float(first.latitude), float(first.longitude)), abs=1e-6
    )


def test_a_position_in_gcj02_is_converted(stations):
    station = stations["near"]
    lat, lon = geo.from_wgs84(geo.Point(float(station.latitude), float(station.longitude)), "gcj02")
    response = Client().post(URL, {"lat": lat, "lon": lon, "system": "gcj02", "amenity": "drinking_water"})
    assert result_names(response) == ["柯桥职工驿站"]
    assert "约 10 米" in response.content.decode()


def test_a_typed_place(stations):
    response = post(Client(), place="柯迎社区")
    assert response.status_code == 200
    assert result_names(response)[0] == "柯迎社区小哥驿站"
    page = response.content.decode()
    assert "离柯迎社区小哥驿站最近的驿站" in page
    assert '"kind": "here"' not in page  # a typed place is not "my position"
    unknown = post(Client(), place="火星基地")
    assert "没有找到“火星基地”" in unknown.content.decode() and result_names(unknown) == []
    nothing = post(Client())
    assert "请点“用我的位置”，或输入一个地点" in nothing.content.decode()


def test_a_typed_place_wins_over_an_earlier_position(stations):
    response = post(Client(), lat=0, lon=0, place="华舍爱心翼站")
    assert result_names(response)[0] == "华舍爱心翼站"


def test_filters(stations):
    client = Client()
    here = {"lat": KEQIAO.lat, "lon": KEQIAO.lon}
    assert result_names(post(client, **here, kind="rider")) == ["柯迎社区小哥驿站"]
    assert result_names(post(client, **here, amenity=["charging", "drinking_water"])) == ["柯桥职工驿站"]
    assert result_names(post(client, **here, amenity="aed")) == []
    assert "附近没有找到符合条件的驿站" in post(client, **here, amenity="aed").content.decode()
    bad = post(client, lat="95", lon="120")
    assert bad.status_code == 200 and result_names(bad) == []


def test_station_page(stations, tree):
    station = stations["near"]
    today = timezone.localdate()
    StationClosure.objects.create(
        station=station,
        starts_on=today + datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=5),
        reason="春节",
    )
    StationClosure.objects.create(
        station=station,
        starts_on=today - datetime.timedelta(days=9),
        ends_on=today - datetime.timedelta(days=8),
    )
    response = Client().get(f"/stations/{station.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "柯桥职工驿站",
        "职工驿站",
        "柯桥职工驿站地址",
        "正在开放",
        "周一",
        "周日",
        "今天",
        "24小时",
        "饮用水",
        "手机充电",
        "春节",
    ):
        assert text in page, text
    assert 'href="tel:0575-84123456"' in page
    assert (today - datetime.timedelta(days=9)).isoformat() not in page  # past closures are not listed
    links = dict(re.findall(r'href="([^"]+)" data-nav="(\w+)"', page))
    amap = {v: k for k, v in links.items()}["amap"].replace("&amp;", "&")
    baidu = {v: k for k, v in links.items()}["baidu"].replace("&amp;", "&")
    wgs = (float(station.latitude), float(station.longitude))
    lon, lat = (float(v) for v in parse_qs(urlsplit(amap).query)["position"][0].split(","))
    assert (lat, lon) == pytest.approx(geo.wgs84_to_gcj02(*wgs), abs=1e-6)
    assert parse_qs(urlsplit(amap).query)["coordinate"] == ["gaode"]
    blat, blon = (float(v) for v in parse_qs(urlsplit(baidu).query)["location"][0].split(","))
    assert (blat, blon) == pytest.approx(geo.gcj02_to_bd09(*geo.wgs84_to_gcj02(*wgs)), abs=1e-6)
    assert parse_qs(urlsplit(baidu).query)["coord_type"] == ["bd09ll"]


def test_station_page_closed_today_and_inactive(stations):
    station = stations["rider"]
    today = timezone.localdate()
    StationClosure.objects.create(station=station, starts_on=today, ends_on=today, reason="设备检修")
    page = Client().get(f"/stations/{station.pk}/").content.decode()
    assert "今日闭站" in page and "设备检修" in page and "正在开放" not in page
    station.active = False
    station.save()
    assert Client().get(f"/stations/{station.pk}/").status_code == 404


def test_other_modules_add_sections_to_the_station_page(stations):
    def duty(station, request):
        if station.kind != "worker":
            return None
        return {"title": "律师值班", "template": "portal/_test_section.html", "context": {"days": "每周三"}}

    from django.template import engines

    engine = engines["django"].engine
    from django.template.loaders.locmem import Loader

    sections.register(duty)
    original = engine.template_loaders
    try:
        engine.template_loaders = [
            Loader(engine, {"portal/_test_section.html": "<p>值班：{{ section.context.days }}</p>"}),
            *original,
        ]
        page = Client().get(f"/stations/{stations['near'].pk}/").content.decode()
        assert "律师值班" in page and "值班：每周三" in page
        assert "律师值班" not in Client().get(f"/stations/{stations['rider'].pk}/").content.decode()
    finally:
        engine.template_loaders = original
        sections.unregister(duty)


def test_the_workers_position_is_neither_stored_nor_logged(stations, caplog, settings):
    """The position (distinctive digits) goes in a POST body; afterwards it is in no table, no session,
    no log record (every logger at DEBUG, captured before any filter) and no URL the pages offered.

    The SQL of the search necessarily carries the point as parameters (it is the query); production
    never logs SQL (django.db.backends at WARNING, DEBUG off), which is asserted here too."""
    lat, lon = "30.0912345", "120.4987654"
    gcj = geo.wgs84_to_gcj02(float(lat), float(lon))
    needles = [lat[:-1], lon[:-1], f"{gcj[0]:.5f}", f"{gcj[1]:.5f}", "30.09123", "120.49876"]
    caplog.set_level(logging.DEBUG)
    raw = RawLogs()
    root = logging.getLogger()
    root.handlers.insert(0, raw)
    urls: list[str] = []
    try:
        person = factories.member(stations["near"].union, "骑手小王")
        worker = members.worker_for_phone(person.decrypted("phone"))
        signed_in = RecordingClient(urls)
        signed_in.force_login(worker.user, backend=USER_BACKEND)
        anonymous = RecordingClient(urls)
        for client in (signed_in, anonymous):
            client.get(URL)
            response = client.post(URL, {"lat": lat, "lon": lon, "system": "wgs84", "amenity": "charging"})
            assert result_names(response)  # the search ran
            client.get(f"/stations/{stations['near'].pk}/")
        api = Client().get("/api/v1/stations/nearest/", {"lat": lat, "lon": lon, "system": "wgs84"})
        assert api.status_code == 200
    finally:
        root.removeHandler(raw)
    # The response itself may show the worker their own position (the map's "you are here").
    logged = "\n".join(raw.lines + [r.getMessage() for r in caplog.records])
    assert (
        raw.lines
    )  # the requests were logged at all (django.request, the app), so the check means something
    assert logging.getLevelName(settings.LOGGING["loggers"]["django.db.backends"]["level"]) >= logging.WARNING
    stored = "\n".join(every_stored_text())
    page_urls = "\n".join(
        u for u in urls if not u.startswith("https://uri.amap.com") and "api.map.baidu.com" not in u
    )
    for needle in needles:
        assert needle not in logged, needle
        assert needle not in stored, needle
        assert needle not in page_urls, needle


def test_collectstatic_with_the_production_storage(tmp_path, settings):
    """Production collects static files through the manifest storage, which fails on any reference
    it cannot resolve (vendored Leaflet named a source map that is not shipped)."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.utils.functional import empty

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    staticfiles_storage._wrapped = empty  # the lazy storage picks the setting up again
    try:
        call_command("collectstatic", interactive=False, verbosity=0)
        assert list(tmp_path.glob("vendor/leaflet-1.9.4/leaflet.*.js.gz"))
        assert list(tmp_path.glob("js/stations_map.*.js"))
    finally:
        staticfiles_storage._wrapped = empty


def test_the_station_map_needs_tiles(stations, settings):
    url = f"/stations/{stations['near'].pk}/"
    settings.MAP_TILE_URL = ""
    assert "data-map=" not in Client().get(url).content.decode()
    settings.MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    settings.MAP_TILE_SYSTEM = "gcj02"
    page = Client().get(url).content.decode()
    island = json.loads(
        re.search(r'<script id="station-map-data" type="application/json">(.*?)</script>', page).group(1)
    )
    station = stations["near"]
    assert island["tile_url"] == "/tiles/{z}/{x}/{y}.png"
    assert (island["points"][0]["lat"], island["points"][0]["lon"]) == pytest.approx(
        geo.wgs84_to_gcj02(float(station.latitude), float(station.longitude)), abs=1e-6
    )
