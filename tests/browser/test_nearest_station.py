"""附近驿站 in a real browser on a phone: the browser's geolocation finds the nearest open station first,
and its 高德 link carries the station's coordinates converted to GCJ-02."""

from urllib.parse import parse_qs, urlsplit

import pytest

from core import geo
from stations.models import Station
from tests.stations.test_nearest import KEQIAO, near

pytestmark = [pytest.mark.browser]
playwright = pytest.importorskip("playwright.sync_api", reason="browser: playwright is not installed")
expect = playwright.expect


@pytest.fixture
def stations(tree):
    union = tree["district"]
    return {
        "closed": near(union, "最近但不开放的驿站", north_m=80, hours=[[] for _ in range(7)]),
        "open": near(
            union, "柯迎社区小哥驿站", north_m=350, east_m=120, kind="rider", amenities=["charging"]
        ),
        "farther": near(union, "华舍爱心翼站", north_m=-1800, kind="telecom_care"),
    }


def amap_position(href: str) -> tuple[float, float]:
    lon, lat = (float(v) for v in parse_qs(urlsplit(href).query)["position"][0].split(","))
    return lat, lon


def test_nearest_open_station_first_with_a_gcj02_link(new_page, live_server, stations):
    phone = new_page("phone")
    assert phone.viewport_size == {"width": 375, "height": 812}
    phone.context.grant_permissions(["geolocation"], origin=live_server.url)
    phone.context.set_geolocation({"latitude": KEQIAO.lat, "longitude": KEQIAO.lon, "accuracy": 20})

    phone.goto("/")
    phone.get_by_role("link", name="附近驿站").click()
    expect(phone.get_by_role("heading", name="附近驿站")).to_be_visible()
    phone.get_by_role("button", name="用我的位置查找").click()

    results = phone.locator("li.station-item")
    expect(results.first).to_be_visible()
    # The position went in the POST body: the address bar shows none of it.
    assert urlsplit(phone.url).path == "/stations/nearby/" and not urlsplit(phone.url).query
    first = results.first
    expect(first.locator(".station-name")).to_have_text("柯迎社区小哥驿站")
    expect(first).to_contain_text("正在开放")
    expect(first).to_contain_text("约 370 米")
    expect(results.last).to_contain_text("最近但不开放的驿站")
    expect(results.last).to_contain_text("休息中")

    station = Station.objects.get(pk=stations["open"].pk)
    wgs = (float(station.latitude), float(station.longitude))
    lat, lon = amap_position(first.locator('a[data-nav="amap"]').get_attribute("href"))
    gcj = geo.wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-6) and lon == pytest.approx(gcj[1], abs=1e-6)
    # Converted indeed: GCJ-02 sits a few hundred metres off the WGS-84 point here.
    assert 300 < geo.distance_m(*wgs, lat, lon) < 700
    assert geo.distance_m(*wgs, *geo.to_wgs84(lat, lon, "gcj02").__dict__.values()) < 0.5

    # The map is drawn (Leaflet from our own static files, no tiles configured: a plain background).
    expect(phone.locator("#nearby-map.leaflet-container")).to_be_visible()
    expect(phone.locator("#nearby-map path.map-pt")).to_have_count(4)  # three stations and "me"
    marker = phone.locator("#nearby-map path.map-pt").first.bounding_box()
    assert marker["width"] > 10 and marker["height"] > 10  # not squashed by the page's own svg rule

    # The station's page: the same link, and 百度 gets BD-09.
    first.locator(".station-name").click()
    expect(phone.get_by_role("heading", name="柯迎社区小哥驿站")).to_be_visible()
    lat, lon = amap_position(phone.locator('a[data-nav="amap"]').get_attribute("href"))
    assert (lat, lon) == pytest.approx(gcj, abs=1e-6)
    baidu = parse_qs(urlsplit(phone.locator('a[data-nav="baidu"]').get_attribute("href")).query)
    blat, blon = (float(v) for v in baidu["location"][0].split(","))
    assert (blat, blon) == pytest.approx(geo.gcj02_to_bd09(*gcj), abs=1e-6)
    expect(phone.get_by_text("手机充电")).to_be_visible()


def test_without_geolocation_a_typed_place_still_works(new_page, stations):
    phone = new_page("phone")  # no permission granted: the browser refuses the position
    phone.goto("/stations/nearby/")
    phone.get_by_role("button", name="用我的位置查找").click()
    expect(phone.get_by_role("status")).to_contain_text("无法获取位置")
    phone.get_by_label("或输入地点").fill("华舍爱心翼站")
    phone.get_by_role("button", name="查找", exact=True).click()
    expect(phone.locator("li.station-item").first.locator(".station-name")).to_have_text("华舍爱心翼站")


def test_without_javascript_the_locate_button_stays_hidden(browser, live_server, live_db):
    # The button only works once its script runs: shown before that (a CSS display over the hidden
    # attribute), a tap did nothing, and a quick click in the test above found no results.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/stations/nearby/")
        expect(page.get_by_role("heading", name="附近驿站")).to_be_visible()
        assert page.locator("[data-locate]").count() == 1
        expect(page.locator("[data-locate]")).to_be_hidden()
        expect(page.get_by_role("button", name="查找", exact=True)).to_be_visible()
    finally:
        context.close()
