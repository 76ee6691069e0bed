"""Text a person types holds no direction override (core.text): it is invisible and shows what follows
backwards, so a name reads reversed or shows another one (found by fuzzing: a right-to-left override was
kept in names of people, stations and unions). Embeddings and marks, which mixed-script text uses, stay."""

import pytest

from stations.models import Station
from tests.stations.test_api import BODY
from tests.stations.test_registry_console import FORM

from .. import factories


@pytest.fixture
def client(tree, login):
    return login(factories.official("svc-a", "service", tree["town_a"]))


def test_a_text_direction_control_is_refused_in_a_form_and_the_api(tree, client):
    # Found by fuzzing: a right-to-left override in a name was kept, and shows the name reversed
    # (core.text.validate_shown_text on every text box of the console's model forms and the API's).
    spoof = "柯桥驿站\u202e站驿假"
    response = client.post("/console/stations/add/", {**FORM, "union": tree["town_a"].pk, "name": spoof})
    assert response.status_code == 200
    assert response.context["form"].errors["name"][0].startswith("不能含强制文字方向符")
    body = {**BODY, "union": tree["town_a"].pk, "name": spoof}
    response = client.post("/api/v1/stations/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["name"][0].startswith("不能含强制文字方向符")
    assert not Station.objects.exists()
    # A Uyghur name between embedding marks, as pasted from a page that mixes scripts, is kept.
    mixed = "柯桥驿站\u202bئارام\u202c"
    response = client.post("/console/stations/add/", {**FORM, "union": tree["town_a"].pk, "name": mixed})
    assert response.status_code == 302 and Station.objects.get().name == mixed
