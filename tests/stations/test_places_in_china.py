"""A place typed into the console or the API (a station, a hot spot, an employer) lies in China
(core.geo.stored_position and the models' validators): 0/0 is a map pick that never happened, and it
is refused in plain words with nothing saved. The xlsx imports: test_registry_files, test_coverage_files."""

import pytest

from core.models import HistoryEntry
from orgs.models import Employer
from stations.models import HotSpot, Station

from .. import factories
from .test_api import BODY
from .test_registry_console import FORM

OFF_AFRICA = {"latitude": "0", "longitude": "0"}
REFUSED = "坐标不在中国境内"


@pytest.fixture
def client(tree, login):
    return login(factories.official("svc-a", "service", tree["town_a"]))


def test_station_form_and_api(tree, client):
    before = HistoryEntry.objects.count()
    response = client.post(
        "/console/stations/add/",
        {**FORM, "union": tree["town_a"].pk, **OFF_AFRICA, "coordinate_system": "wgs84"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["latitude"][0].startswith(REFUSED)
    body = {
        **BODY,
        "union": tree["town_a"].pk,
        "coordinate_system": "gcj02",
        "latitude": "-1",
        "longitude": "-1",
    }
    response = client.post("/api/v1/stations/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["latitude"][0].startswith(REFUSED)
    assert (Station.objects.count(), HistoryEntry.objects.count()) == (0, before)


def test_hot_spot_form_and_api(tree, client):
    form = {"name": "外卖集合点", "union": tree["town_a"].pk, "day_workers": 60, "night_workers": 45}
    response = client.post("/console/hot-spots/add/", {**form, **OFF_AFRICA, "system": "wgs84"})
    assert response.status_code == 200
    assert response.context["form"].errors["latitude"][0].startswith(REFUSED)
    response = client.post(
        "/api/v1/hot-spots/",
        {**form, **OFF_AFRICA, "coordinate_system": "bd09"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["latitude"][0].startswith(REFUSED)
    assert not HotSpot.objects.exists()


def test_employer_form_and_api(tree, login):
    client = login(factories.official("org-d", "organisation", tree["district"]))
    form = {"name": "极兔柯桥网点", "uscc": "", "kind": "site", "sector": "express", "region": "330603001"}
    form |= {"count_courier": "3", "count_other": ""}
    # Employers had no range at all: a latitude of 500 was kept.
    for place in (OFF_AFRICA, {"latitude": "500", "longitude": "120.49"}):
        response = client.post("/console/employers/add/", {**form, **place})
        assert response.status_code == 200
        assert response.context["form"].errors["latitude"][0].startswith(REFUSED)
    body = {
        "name": "美团柯桥站点",
        "sector": "food_delivery",
        "region": "330603001",
        "union": tree["site_a"].pk,
    }
    response = client.post(
        "/api/v1/employers/",
        {**body, "latitude": "30.09", "longitude": "-120.49"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["longitude"][0].startswith(REFUSED)
    assert not Employer.objects.exists()
    response = client.post("/console/employers/add/", {**form, "latitude": "30.09", "longitude": "120.49"})
    assert response.status_code == 302
    assert str(Employer.objects.get().latitude) == "30.090000"
