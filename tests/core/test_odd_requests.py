"""Requests none of our pages sends but a fuzzer does (schemathesis against openapi.yaml found these):
an answer saying what is wrong, never a 500."""

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

from accounts.models import User

from .. import factories

# Every failing request is listed, not only the first: a view's exception answers 500.
RAISE_NOT = {"raise_request_exception": False}
PATHS = sorted(yaml.safe_load((Path(__file__).parents[2] / "openapi.yaml").read_text())["paths"])


@pytest.fixture
def callers(tree, login):
    from members.services import worker_for_phone

    person = factories.member(tree["site_a"], "李师傅")
    return {
        "superuser": login(User.objects.create_superuser("root", password="x" * 12), **RAISE_NOT),
        "official": login(factories.official("district", "admin", tree["district"]), **RAISE_NOT),
        "worker": login(worker_for_phone(person.decrypted("phone")).user, **RAISE_NOT),
    }


def test_options_on_every_path_describes_it(callers):
    # DRF's OPTIONS describes a POST's fields from the view's serializer; steps without a body have none.
    failed = [
        (who, path, answer.status_code)
        for template in PATHS
        for who, client in callers.items()
        if (answer := client.options(path := re.sub(r"\{[^}]+\}", "1", template))).status_code >= 500
    ]
    assert len(PATHS) > 100 and not failed


# PostgreSQL cannot hold NUL in text: every value that reached a lookup with one was a 500 there (a
# region by code, an amenity by slug, a search, an id in the path). Refused before anything reads it.
FORM = "application/x-www-form-urlencoded"  # as a browser sends a form without files
NUL_PATHS = [re.sub(r"\{[^}]+\}", "%00", template) for template in PATHS if "{" in template]


def _refused(answer, where: str = "") -> bool:
    said = answer.json()["detail"] if answer["Content-Type"].startswith("application/json") else answer.text
    return answer.status_code == 400 and "U+0000" in said and where in said


def test_nul_in_any_path_of_the_api_is_refused(callers):
    failed = [
        (who, path, answer.status_code)
        for path in NUL_PATHS
        for who, client in callers.items()
        if not _refused(answer := client.get(path))
    ]
    assert len(NUL_PATHS) > 50 and not failed


def test_nul_in_a_query_parameter_is_refused_with_its_name(callers):
    official = callers["official"]
    assert _refused(official.get("/api/v1/stations/", {"search": "站\x00"}), "search")
    assert _refused(official.get("/api/v1/stations/", {"amenity": "\x00"}), "amenity")
    assert _refused(official.get("/console/stations/", {"amenity": "\x00"}), "amenity")
    assert official.get("/api/v1/stations/", {"search": "站"}).status_code == 200


def test_nul_in_an_api_body_is_refused_with_where_it_is(tree, callers):
    from orgs.models import Union
    from stations.models import Station

    official = callers["official"]
    unions = Union.objects.count()
    answer = official.post(
        "/api/v1/unions/",
        {"name": "新工会", "kind": "grassroots", "parent": tree["town_a"].pk, "region": "3306\x00"},
        content_type="application/json",
    )
    assert _refused(answer, "「region」") and Union.objects.count() == unions
    answer = official.post(
        "/api/v1/stations/", {"name": "驿站", "amenities": ["water", "\x00"]}, content_type="application/json"
    )
    assert _refused(answer, "「amenities[1]」") and not Station.objects.filter(name="驿站").exists()
    answer = official.post("/api/v1/stations/", {"name": "驿站", "x\x00": 1}, content_type="application/json")
    assert _refused(answer, "「x\\0」")
    answer = official.post("/api/v1/stations/", "name=%E9%A9%BF%E7%AB%99&amenities=%00", content_type=FORM)
    assert _refused(answer, "amenities") and not Station.objects.filter(name="驿站").exists()


def test_nul_in_a_console_form_is_refused_with_the_field(tree, callers):
    from orgs.models import Union

    unions = Union.objects.count()
    form = {"name": "新工会", "parent": tree["town_a"].pk, "region": "3306\x00"}
    page = callers["official"].post("/console/unions/add/", urlencode(form), content_type=FORM)
    assert _refused(page, "「region」") and Union.objects.count() == unions
    page = callers["official"].post("/console/unions/add/", form)  # multipart, as a form with a file
    assert _refused(page, "「region」") and Union.objects.count() == unions
