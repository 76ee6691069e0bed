"""The unified standard over /api/v1/: checklists with items, inspections scored in one request."""

from decimal import Decimal

from accounts.choices import RoleKind
from stations.models import Checklist, Inspection, InspectionScore, Station
from stations.services import standard as services

from .. import factories
from .helpers import station
from .test_standard import checklist, rows

JSON = "application/json"


def scores(standard, **given):
    body = []
    for item in standard.items.order_by("order"):
        score, finding = given.get(item.text, (str(item.max_score), ""))
        body.append({"item": item.pk, "score": score, "finding": finding})
    return body


def test_create_an_inspection_in_one_request(tree, login):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    client = login(factories.official("service", RoleKind.SERVICE, tree["town_a"]))
    body = {"station": site.pk, "scores": scores(standard, 饮用水=("12.5", "无热水")), "follow_up_on": None}
    response = client.post("/api/v1/station-inspections/", body, content_type=JSON)
    assert response.status_code == 201, response.content
    row = response.json()
    assert (row["checklist"], row["score"], row["result"]) == (standard.pk, "92.5", "failed")
    assert [s["score"] for s in row["scores"]] == ["20.0", "12.5", "20.0", "20.0", "20.0"]
    site.refresh_from_db()
    assert (site.below_standard, site.standard_score) == (True, Decimal("92.5"))
    assert client.get(f"/api/v1/station-inspections/{row['id']}/").json()["scores"][1]["finding"] == "无热水"
    # Deleting it clears the station's flags.
    assert client.delete(f"/api/v1/station-inspections/{row['id']}/").status_code == 204
    site.refresh_from_db()
    assert (site.below_standard, site.standard_score, site.inspected_on) == (False, None, None)


def test_refused_scores_come_back_per_item_and_nothing_is_saved(tree, login):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    items = {item.text: item.pk for item in standard.items.all()}
    client = login(factories.official("service", RoleKind.SERVICE, tree["district"]))
    body = {"station": site.pk, "scores": scores(standard, 饮用水=("25", "太多"), 休息座椅=("10", ""))}
    body["scores"] = [row for row in body["scores"] if row["item"] != items["台账记录"]]
    response = client.post("/api/v1/station-inspections/", body, content_type=JSON)
    assert response.status_code == 400
    assert response.json() == {
        "items": {
            str(items["饮用水"]): ["“饮用水”的得分须在 0 到 20.0 之间"],
            str(items["休息座椅"]): ["“休息座椅”未得满分，请写明发现的问题"],
            str(items["台账记录"]): ["请为“台账记录”打分"],
        }
    }
    response = client.post(
        "/api/v1/station-inspections/",
        {"station": site.pk, "scores": [{"item": items["饮用水"], "score": "abc"}]},
        content_type=JSON,
    )
    assert response.status_code == 400
    rows_ = response.json()["scores"]
    assert "score" in (rows_["0"] if isinstance(rows_, dict) else rows_[0])
    assert (Inspection.objects.count(), InspectionScore.objects.count()) == (0, 0)
    assert Station.objects.get(pk=site.pk).inspected_on is None


def test_other_union_cannot_inspect_or_read(tree, login):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    inspection = services.record_inspection(
        site, factories.official("service", RoleKind.SERVICE, tree["district"]), rows(standard)
    )
    other = login(factories.official("other", RoleKind.SERVICE, tree["town_b"]))
    response = other.post(
        "/api/v1/station-inspections/", {"station": site.pk, "scores": scores(standard)}, content_type=JSON
    )
    assert response.status_code == 400 and list(response.json()) == ["station"]
    assert other.get(f"/api/v1/station-inspections/{inspection.pk}/").status_code == 404
    assert other.delete(f"/api/v1/station-inspections/{inspection.pk}/").status_code == 404
    assert Inspection.objects.count() == 1


def test_checklist_api_items_versions(tree, login):
    client = login(factories.official("service", RoleKind.SERVICE, tree["district"]))
    body = {
        "name": "柯桥区职工驿站统一标准",
        "union": tree["district"].pk,
        "version": "2026版",
        "pass_mark": "80.0",
        "items": [
            {"category": "统一标识", "text": "统一标识标牌", "max_score": "50.0", "required": True},
            {"category": "设施", "text": "饮用水", "max_score": "50.0", "required": False},
        ],
    }
    response = client.post("/api/v1/station-checklists/", body, content_type=JSON)
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["active"], made["locked"], [i["order"] for i in made["items"]]) == (False, False, [1, 2])
    url = f"/api/v1/station-checklists/{made['id']}/"
    assert client.post(f"{url}activate/").json()["active"] is True
    standard = Checklist.objects.get(pk=made["id"])
    services.record_inspection(
        station(tree["site_a"]), factories.official("s", RoleKind.SERVICE, tree["district"]), rows(standard)
    )
    response = client.patch(url, {"pass_mark": "60.0"}, content_type=JSON)
    assert response.status_code == 400 and "请新建版本后修改" in str(response.json())
    response = client.patch(url, {"items": []}, content_type=JSON)
    assert response.status_code == 400
    assert standard.items.count() == 2
    response = client.post(f"{url}new-version/", {"version": "2027版"}, content_type=JSON)
    assert response.status_code == 201
    copy = response.json()
    assert (copy["version"], copy["active"], len(copy["items"])) == ("2027版", False, 2)
    other = login(factories.official("other", RoleKind.SERVICE, tree["town_b"]))
    assert other.get(url).status_code == 404
    assert other.post(f"{url}activate/").status_code == 404
