"""Visits and services in the console (statistics pages, service records and their export) and the API."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import Job
from stations.models import ServiceKind, ServiceRecord, Visit
from stations.services import registry

from .. import factories
from .helpers import keeper, station


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def local(*parts) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*parts))


@pytest.fixture
def place(tree):
    a = station(tree["town_a"], "柯迎社区小哥驿站", kind="rider")
    a2 = station(tree["town_a"], "爱心翼站·电信柯北营业厅", kind="telecom_care")
    b = station(tree["town_b"], "华舍职工驿站")
    user = keeper("keeper-a", tree["town_a"])
    registry.assign_keeper(a, user)
    film = ServiceKind.objects.get_or_create(code="screen_film", defaults={"name": "手机贴膜"})[0]
    for st, parts, form in [
        (a, (2026, 11, 2, 12, 5), "delivery_rider"),
        (a, (2026, 11, 3, 12, 30), "courier"),
        (a2, (2026, 11, 3, 18, 0), "courier"),
        (b, (2026, 11, 4, 9, 0), "sanitation_worker"),
    ]:
        Visit.objects.create(station=st, at=local(*parts), employment_form=form)
    for st, day, count in [(a, 2, 4), (a2, 3, 6), (b, 4, 2)]:
        ServiceRecord.objects.create(
            station=st, kind=film, count=count, served_on=datetime.date(2026, 11, day), recorded_by=user
        )
    return {"a": a, "a2": a2, "b": b, "keeper": user, "film": film}


PERIOD = {"start": "2026-11-01", "end": "2026-11-08"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- console ----------------------------------------------------------------------------------


def test_station_page_shows_its_figures(tree, place, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    page = client.get(f"/console/stations/{place['a'].pk}/visits/", PERIOD)
    assert page.status_code == 200
    figures = page.context["figures"]
    assert (figures.visits, figures.services, figures.busiest_hour) == (2, 4, 12)
    html = page.content.decode()
    assert "服务人次" in html and "12:00" in html and "外卖配送员" in html and "手机贴膜" in html
    assert f"/console/checkin-posters/{place['a'].pk}.pdf" in html
    other = login(factories.official("svc-b", "service", tree["town_b"]))
    assert other.get(f"/console/stations/{place['a'].pk}/visits/").status_code == 404


def test_a_bad_period_is_said_and_the_month_shown(tree, place, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    page = client.get(
        f"/console/stations/{place['a'].pk}/visits/", {"start": "2026-11-08", "end": "2026-11-01"}
    )
    assert page.status_code == 200
    assert "结束日期不能早于开始日期" in page.content.decode()
    assert page.context["figures"].start == timezone.localdate().replace(day=1)


def test_overview_adds_up_the_scope_and_a_subtree(tree, place, login):
    district = login(factories.official("svc-d", "service", tree["district"]))
    everything = district.get("/console/stations/visits/", PERIOD).context["figures"]
    assert (everything.visits, everything.services, everything.station_count) == (4, 12, 3)
    assert [row[1] for row in everything.stations] == [
        "爱心翼站·电信柯北营业厅",
        "柯迎社区小哥驿站",
        "华舍职工驿站",
    ]
    town_a = district.get("/console/stations/visits/", {**PERIOD, "union": tree["town_a"].pk}).context[
        "figures"
    ]
    assert (town_a.visits, town_a.services, town_a.station_count) == (3, 10, 2)
    # Dates that are refused keep the union asked for (over this month, which the page says).
    bad = {"start": "2026-11-08", "end": "2026-11-01", "union": tree["town_a"].pk}
    page = district.get("/console/stations/visits/", bad)
    assert page.context["union"] == tree["town_a"] and page.context["figures"].station_count == 2
    assert "结束日期不能早于开始日期" in page.content.decode()
    # A town official sees only their town, whatever union is asked for.
    town_b = login(factories.official("svc-b", "service", tree["town_b"]))
    page = town_b.get("/console/stations/visits/", {**PERIOD, "union": tree["town_a"].pk})
    assert (page.context["figures"].visits, page.context["figures"].station_count) == (1, 1)
    # Over the dates asked for (not this month: the union was refused, the dates were not).
    figures = page.context["figures"]
    assert (figures.start.isoformat(), figures.end.isoformat()) == (PERIOD["start"], PERIOD["end"])
    assert "union" in page.context["form"].errors
    # A keeper sees their own station only.
    keeper_page = login(place["keeper"]).get("/console/stations/visits/", PERIOD).context["figures"]
    assert (keeper_page.visits, keeper_page.services, keeper_page.station_count) == (2, 4, 1)


def test_service_records_list_and_export(tree, place, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    page = client.get("/console/stations/services/")
    assert sorted(obj.station.name for obj, _cells in page.context["rows"]) == [
        "柯迎社区小哥驿站",
        "爱心翼站·电信柯北营业厅",
    ]
    export = client.get("/console/stations/services/", {"station": place["a2"].pk, "format": "xlsx"})
    assert export.status_code == 302
    job = Job.objects.get(kind="export")
    book = load_workbook(io.BytesIO(client.get(f"/console/jobs/{job.pk}/download/").getvalue()))
    rows = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert rows[0][:4] == ["服务站点", "服务日期", "服务项目", "服务人次"]
    assert [[row[0], row[1].date(), row[2], row[3]] for row in rows[1:]] == [
        ["爱心翼站·电信柯北营业厅", datetime.date(2026, 11, 3), "手机贴膜", 6]
    ]


# --- API --------------------------------------------------------------------------------------


def test_api_visits_are_scoped_and_read_only(tree, place):
    keeper_api = api(place["keeper"])
    rows = keeper_api.get("/api/v1/station-visits/").json()["results"]
    assert [(row["station"], row["employment_form"], row["signed_in"]) for row in rows] == [
        (place["a"].pk, "courier", False),
        (place["a"].pk, "delivery_rider", False),
    ]
    assert "person" not in rows[0]
    town_b = api(factories.official("svc-b", "service", tree["town_b"]))
    assert [row["station"] for row in town_b.get("/api/v1/station-visits/").json()["results"]] == [
        place["b"].pk
    ]
    assert town_b.get("/api/v1/station-visits/", {"station": place["a"].pk}).json()["results"] == []
    assert keeper_api.post("/api/v1/station-visits/", {"station": place["a"].pk}).status_code == 405
    assert APIClient().get("/api/v1/station-visits/").status_code in (401, 403)


def test_api_keeper_creates_service_records_for_assigned_stations_only(place):
    client = api(place["keeper"])
    today = timezone.localdate().isoformat()
    created = client.post(
        "/api/v1/service-records/",
        {
            "station": place["a"].pk,
            "kind": "screen_film",
            "count": 2,
            "served_on": today,
            "employment_form": "courier",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["kind"], body["kind_name"], body["count"], body["recorded_by"]) == (
        "screen_film",
        "手机贴膜",
        2,
        place["keeper"].pk,
    )
    before = ServiceRecord.objects.count()
    for station_pk in (place["a2"].pk, place["b"].pk):
        refused = client.post(
            "/api/v1/service-records/",
            {"station": station_pk, "kind": "screen_film", "count": 2},
            format="json",
        )
        assert refused.status_code == 400
    zero = client.post(
        "/api/v1/service-records/",
        {"station": place["a"].pk, "kind": "screen_film", "count": 0},
        format="json",
    )
    assert zero.status_code == 400 and "count" in zero.json()
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    late = client.post(
        "/api/v1/service-records/",
        {"station": place["a"].pk, "kind": "screen_film", "count": 1, "served_on": future},
        format="json",
    )
    assert late.status_code == 400 and "served_on" in late.json()
    assert ServiceRecord.objects.count() == before
    listed = client.get("/api/v1/service-records/").json()["results"]
    assert {row["station"] for row in listed} == {place["a"].pk}


def test_api_service_official_creates_in_subtree(tree, place):
    client = api(factories.official("svc-a", "service", tree["town_a"]))
    ok = client.post(
        "/api/v1/service-records/",
        {"station": place["a2"].pk, "kind": "screen_film", "count": 7},
        format="json",
    )
    assert ok.status_code == 201
    assert (
        client.post(
            "/api/v1/service-records/",
            {"station": place["b"].pk, "kind": "screen_film", "count": 7},
            format="json",
        ).status_code
        == 400
    )
    viewer = api(factories.official("viewer-a", "viewer", tree["town_a"]))
    assert (
        viewer.post(
            "/api/v1/service-records/",
            {"station": place["a"].pk, "kind": "screen_film", "count": 1},
            format="json",
        ).status_code
        == 400
    )
    assert ServiceRecord.objects.filter(count=7).count() == 1


def test_api_statistics(tree, place, login):
    client = api(factories.official("svc-d", "service", tree["district"]))
    one = client.get(f"/api/v1/stations/{place['a'].pk}/statistics/", PERIOD).json()
    assert (one["visits"], one["services"], one["person_times"], one["busiest_hour"]) == (2, 4, 6, 12)
    assert one["by_hour"][12] == 2 and sum(one["by_hour"]) == 2
    assert one["by_weekday_hour"][0][12] == 1 and one["by_weekday_hour"][1][12] == 1
    assert one["by_service_kind"] == [{"code": "screen_film", "name": "手机贴膜", "count": 4}]
    assert {row["code"]: row["person_times"] for row in one["by_employment_form"]} == {
        "": 4,
        "delivery_rider": 1,
        "courier": 1,
    }
    scope = client.get("/api/v1/station-statistics/", {**PERIOD, "union": tree["town_a"].pk}).json()
    assert (scope["visits"], scope["services"], scope["station_count"]) == (3, 10, 2)
    assert [row["name"] for row in scope["stations"]] == ["爱心翼站·电信柯北营业厅", "柯迎社区小哥驿站"]
    assert (
        client.get("/api/v1/station-statistics/", {"start": "2026-11-09", "end": "2026-11-01"}).status_code
        == 400
    )
    assert client.get("/api/v1/station-statistics/", {"start": "nope"}).status_code == 400
    for odd in ("²", "99999999999999999999", "abc"):  # "²" passed isdigit() and failed int(): a 500
        assert client.get("/api/v1/station-statistics/", {"union": odd}).status_code == 400, odd
    console_official = factories.official("svc-far", "service", tree["district"])
    for far in ({"start": "9999-12-31", "end": "9999-12-31"}, {"start": "0001-01-01", "end": "0001-12-31"}):
        for url in ("/api/v1/station-statistics/", f"/api/v1/stations/{place['a'].pk}/statistics/"):
            refused = client.get(url, far)
            assert refused.status_code == 400 and "日期须在" in str(refused.json()), (url, far)
        page = login(console_official).get(f"/console/stations/{place['a'].pk}/visits/", far)
        assert page.status_code == 200 and "日期须在" in page.content.decode()
    town_b = api(factories.official("svc-b", "service", tree["town_b"]))
    assert town_b.get(f"/api/v1/stations/{place['a'].pk}/statistics/").status_code == 404
    assert town_b.get("/api/v1/station-statistics/", {"union": tree["town_a"].pk}).status_code == 404
    assert APIClient().get("/api/v1/station-statistics/").status_code in (401, 403)


def test_station_page_has_the_last_30_days(tree, place, login):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Visit.objects.create(station=place["a"], at=yesterday.replace(hour=4), employment_form="courier")
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    html = client.get(f"/console/stations/{place['a'].pk}/").content.decode()
    assert "到站与服务" in html and "近 30 天" in html
    assert f"/console/stations/{place['a'].pk}/visits/" in html
    assert f"/console/checkin-posters/{place['a'].pk}.pdf" in html
    assert f"/keeper/stations/{place['a'].pk}/" in html  # a service official may record
    viewer = login(factories.official("viewer-a", "viewer", tree["town_a"]))
    assert (
        f"/keeper/stations/{place['a'].pk}/"
        not in viewer.get(f"/console/stations/{place['a'].pk}/").content.decode()
    )
    nav = client.get("/console/stations/visits/").content.decode()
    assert "驿站服务统计" in nav
