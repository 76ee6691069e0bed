"""The unified standard's console pages: who may do what, and bad input refused with clear messages."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.choices import RoleKind
from core.models import HistoryEntry
from stations.models import Checklist, ChecklistItem, Inspection, InspectionPhoto, InspectionScore
from stations.services import registry as registry_services
from stations.services import standard as services

from .. import factories
from .helpers import keeper, station
from .test_standard import checklist, rows

TODAY = timezone.localdate()


def png(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def form_post(standard, **scores) -> dict:
    """The inspection form as a browser posts it: full marks but for the items given by text."""
    data = {"checklist": standard.pk, "inspected_on": TODAY.isoformat(), "findings": "", "follow_up_on": ""}
    for item in standard.items.all():
        score, finding = scores.get(item.text, (item.max_score, ""))
        data[f"score_{item.pk}"] = str(score)
        data[f"finding_{item.pk}"] = finding
    return data


def test_service_official_inspects_from_the_station_page(tree, login):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    client = login(factories.official("service", RoleKind.SERVICE, tree["town_a"]))
    page = client.get(f"/console/stations/{site.pk}/")
    text = page.content.decode()
    assert "统一标准检查" in text and "该站点尚未按统一标准检查。" in text
    assert f"/console/stations/{site.pk}/inspect/" in text
    form = client.get(f"/console/stations/{site.pk}/inspect/")
    assert form.status_code == 200
    assert "饮用水" in form.content.decode() and "柯桥区职工驿站统一标准" in form.content.decode()

    data = form_post(standard, 饮用水=(15, "无热水"))
    data["follow_up_on"] = (TODAY + datetime.timedelta(days=14)).isoformat()
    data["photos"] = [
        SimpleUploadedFile("water.png", png(), content_type="image/png"),
        SimpleUploadedFile("sign.png", png(), content_type="image/png"),
    ]
    response = client.post(f"/console/stations/{site.pk}/inspect/", data)
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/inspections/{inspection.pk}/"
    assert (inspection.score, inspection.result, inspection.inspector.username) == (
        Decimal("95.0"),
        "failed",
        "service",
    )
    assert inspection.photos.count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert "未达标" in detail and "无热水" in detail and "待复查" in detail
    photo = inspection.photos.first()
    assert client.get(f"/console/inspection-photos/{photo.pk}/").status_code == 200

    page = client.get(f"/console/stations/{site.pk}/").content.decode()
    assert "95.0</strong> / 80.0" in page and "饮用水：15.0/20.0" in page and "无热水" in page
    listing = client.get("/console/stations/", {"below_standard": "true"})
    assert [s.name for s in listing.context["object_list"]] == [site.name]
    assert "未达标 95.0" in listing.content.decode()
    assert list(client.get("/console/stations/", {"below_standard": "false"}).context["object_list"]) == []


def test_the_inspection_form_refuses_bad_rows_with_messages_and_saves_nothing(tree, login):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    client = login(factories.official("service", RoleKind.SERVICE, tree["district"]))
    before = (Inspection.objects.count(), InspectionScore.objects.count(), HistoryEntry.objects.count())
    data = form_post(standard, 饮用水=(25, ""), 休息座椅=(10, ""), 台账记录=("", ""))
    data["photos"] = [SimpleUploadedFile("big.jpg", b"x" * (5 * 1024 * 1024 + 1), content_type="image/jpeg")]
    response = client.post(f"/console/stations/{site.pk}/inspect/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["photos"] == ["照片“big.jpg”超过 5 MB"]
    # Photos wrong: the service is not reached yet. Without them, every row speaks for itself.
    del data["photos"]
    data["photos"] = [SimpleUploadedFile("note.png", b"not an image", content_type="image/png")]
    response = client.post(f"/console/stations/{site.pk}/inspect/", data)
    assert response.context["form"].errors["photos"] == ["“note.png”不是有效的图片"]
    del data["photos"]
    # A checklist that is no id is read as "the one that applies now" ("²" passed isdigit(): a 500).
    response = client.post(f"/console/stations/{site.pk}/inspect/", {**data, "checklist": "²"})
    assert response.status_code == 200 and response.context["form"].errors
    # Days outside the system's years (year 1 was taken, being no later than today).
    odd = {**data, "inspected_on": "0001-01-01", "follow_up_on": "9999-12-31"}
    errors = client.post(f"/console/stations/{site.pk}/inspect/", odd).context["form"].errors
    assert errors["inspected_on"] == errors["follow_up_on"] == ["日期须在 2000-01-01 至 2099-12-31 之间"]
    response = client.post(f"/console/stations/{site.pk}/inspect/", data)
    assert response.status_code == 200
    items = {item.text: item.pk for item in standard.items.all()}
    errors = response.context["form"].errors
    assert errors[f"score_{items['饮用水']}"] == ["“饮用水”的得分须在 0 到 20.0 之间"]
    assert errors[f"score_{items['休息座椅']}"] == ["“休息座椅”未得满分，请写明发现的问题"]
    assert errors[f"score_{items['台账记录']}"] == ["请为“台账记录”打分"]
    text = response.content.decode()
    assert "请修正以下标红的内容后再保存。" in text and "“休息座椅”未得满分，请写明发现的问题" in text
    assert (
        Inspection.objects.count(),
        InspectionScore.objects.count(),
        HistoryEntry.objects.count(),
    ) == before
    assert InspectionPhoto.objects.count() == 0


def test_no_checklist_no_inspection(tree, login):
    site = station(tree["site_a"])
    client = login(factories.official("service", RoleKind.SERVICE, tree["district"]))
    page = client.get(f"/console/stations/{site.pk}/inspect/")
    assert page.status_code == 200
    assert "都还没有启用站点标准，无法检查" in page.content.decode()
    assert client.post(f"/console/stations/{site.pk}/inspect/", {}).status_code == 200
    assert Inspection.objects.count() == 0


def test_other_union_and_viewers_cannot_inspect_or_see(tree, login):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    inspection = services.record_inspection(
        site, factories.official("service", RoleKind.SERVICE, tree["district"]), rows(standard)
    )
    other = login(factories.official("other", RoleKind.SERVICE, tree["town_b"]))
    viewer = login(factories.official("viewer", RoleKind.VIEWER, tree["town_a"]))
    before = (Inspection.objects.count(), HistoryEntry.objects.count())
    for client in (other, viewer):
        assert client.get(f"/console/stations/{site.pk}/inspect/").status_code == 404
        assert client.post(f"/console/stations/{site.pk}/inspect/", form_post(standard)).status_code == 404
        assert client.post(f"/console/inspections/{inspection.pk}/follow-up/").status_code == 404
        assert client.post(f"/console/inspections/{inspection.pk}/delete/").status_code == 404
        assert client.get(f"/console/inspections/{inspection.pk}/correct/").status_code == 404
    assert other.get(f"/console/inspections/{inspection.pk}/").status_code == 404
    assert list(other.get("/console/inspections/").context["object_list"]) == []
    assert viewer.get(f"/console/inspections/{inspection.pk}/").status_code == 200
    assert (Inspection.objects.count(), HistoryEntry.objects.count()) == before


def test_keeper_reads_the_result_of_their_station(tree, login):
    mine = station(tree["site_a"], "柯迎社区小哥驿站")
    other = station(tree["site_a"], "柯桥职工驿站·工商银行")
    standard = checklist(tree["district"])
    inspector = factories.official("service", RoleKind.SERVICE, tree["district"])
    seen = services.record_inspection(mine, inspector, rows(standard, 卫生整洁=(0, "卫生间脏乱")))
    hidden = services.record_inspection(other, inspector, rows(standard))
    user = keeper("keeper", tree["site_a"])
    registry_services.assign_keeper(mine, user)
    client = login(user)
    page = client.get(f"/console/stations/{mine.pk}/").content.decode()
    assert "卫生间脏乱" in page and "80.0</strong> / 80.0" in page
    assert f"/console/stations/{mine.pk}/inspect/" not in page
    detail = client.get(f"/console/inspections/{seen.pk}/")
    assert detail.status_code == 200 and detail.context["can_change"] is False
    assert client.get(f"/console/inspections/{hidden.pk}/").status_code == 404
    assert [i.pk for i in client.get("/console/inspections/").context["object_list"]] == [seen.pk]
    assert client.get(f"/console/stations/{mine.pk}/inspect/").status_code == 404
    assert client.post(f"/console/inspections/{seen.pk}/follow-up/").status_code == 404


def test_inspection_list_filters(tree, login):
    first = station(tree["site_a"], "驿站一")
    second = station(tree["site_b"], "驿站二")
    standard = checklist(tree["district"])
    inspector = factories.official("service", RoleKind.SERVICE, tree["district"])
    late = services.record_inspection(
        first,
        inspector,
        rows(standard, 饮用水=(0, "无水")),
        inspected_on=TODAY - datetime.timedelta(days=30),
        follow_up_on=TODAY - datetime.timedelta(days=5),
    )
    good = services.record_inspection(second, inspector, rows(standard), inspected_on=TODAY)
    client = login(inspector)

    def ids(**query):
        response = client.get("/console/inspections/", query)
        assert response.status_code == 200
        return [i.pk for i in response.context["object_list"]]

    assert ids() == [good.pk, late.pk]
    assert ids(result="failed") == [late.pk]
    assert ids(overdue="true") == [late.pk]
    assert ids(overdue="false") == [good.pk]
    assert ids(within=tree["town_b"].pk) == [good.pk]
    assert ids(since=(TODAY - datetime.timedelta(days=1)).isoformat()) == [good.pk]
    assert ids(until=(TODAY - datetime.timedelta(days=1)).isoformat()) == [late.pk]
    page = client.get("/console/inspections/").content.decode()
    assert "逾期" in page
    # Marking the follow-up done takes it off the overdue list.
    response = client.post(f"/console/inspections/{late.pk}/follow-up/", {"note": "已更换饮水机"})
    assert response.status_code == 302
    assert ids(overdue="true") == []


def test_checklist_console_items_versions(tree, login):
    client = login(factories.official("service", RoleKind.SERVICE, tree["district"]))
    response = client.post(
        "/console/checklists/add/",
        {
            "name": "柯桥区职工驿站统一标准",
            "union": tree["district"].pk,
            "version": "2026版",
            "pass_mark": "80",
        },
    )
    made = Checklist.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/checklists/{made.pk}/"
    assert made.active is False
    url = f"/console/checklists/{made.pk}/"
    # Activating an empty checklist is refused with a message.
    response = client.post(f"{url}activate/", follow=True)
    assert "请先添加检查条目再启用" in response.content.decode()
    for text, top, required in (("统一标识标牌", "50", "on"), ("饮用水", "50", "")):
        data = {"category": "设施", "text": text, "max_score": top}
        if required:
            data["required"] = required
        assert client.post(f"{url}items/add/", data).status_code == 302
    response = client.post(f"{url}items/add/", {"category": "", "text": "", "max_score": "-1"}, follow=True)
    assert "条目未添加" in response.content.decode()
    water = made.items.get(text="饮用水")
    client.post(f"{url}items/{water.pk}/move/", {"direction": "up"})
    assert [i.text for i in made.items.order_by("order")] == ["饮用水", "统一标识标牌"]
    client.post(f"{url}items/{water.pk}/", {"category": "设施", "text": "饮用水（冷热）", "max_score": "50"})
    water.refresh_from_db()
    assert water.text == "饮用水（冷热）"
    assert client.post(f"{url}activate/").status_code == 302
    made.refresh_from_db()
    assert made.active is True

    services.record_inspection(
        station(tree["site_a"]), factories.official("s2", RoleKind.SERVICE, tree["district"]), rows(made)
    )
    page = client.get(url).content.decode()
    assert "条目和分数线不能再修改" in page and "items/add/" not in page
    before = list(ChecklistItem.objects.values())
    response = client.post(f"{url}items/{water.pk}/remove/", follow=True)
    assert "请新建版本后修改" in response.content.decode()
    response = client.post(
        f"/console/checklists/{made.pk}/edit/",
        {
            "name": made.name,
            "union": tree["district"].pk,
            "version": "2026版",
            "pass_mark": "60",
        },
    )
    assert response.status_code == 200
    assert "请新建版本后修改" in response.content.decode()
    assert list(ChecklistItem.objects.values()) == before

    response = client.post(f"{url}version/", {"version": "2026版", "name": ""})
    assert response.context["form"].errors["version"] == ["该工会已有同名同版本的标准"]
    response = client.post(f"{url}version/", {"version": "2027版", "name": ""})
    copy = Checklist.objects.get(version="2027版")
    assert response["Location"] == f"/console/checklists/{copy.pk}/"
    assert copy.items.count() == 2 and copy.active is False

    other = login(factories.official("other", RoleKind.SERVICE, tree["town_b"]))
    assert other.get(url).status_code == 404
    assert other.post(f"{url}activate/").status_code == 404
    assert (
        other.post(
            f"/console/checklists/{copy.pk}/items/add/", {"category": "a", "text": "b", "max_score": "1"}
        ).status_code
        == 404
    )
    assert copy.items.count() == 2


def test_correcting_an_inspection_from_the_console(tree, login):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    client = login(factories.official("service", RoleKind.SERVICE, tree["district"]))
    inspection = services.record_inspection(
        site, factories.official("s2", RoleKind.SERVICE, tree["district"]), rows(standard)
    )
    url = f"/console/inspections/{inspection.pk}/correct/"
    page = client.get(url)
    assert page.status_code == 200 and 'value="20.0"' in page.content.decode()
    data = form_post(standard, 饮用水=(10, "饮水机坏了"))
    response = client.post(url, {**data, "follow_up_on": "2000-01-01"})
    assert response.context["form"].errors["follow_up_on"] == ["整改复查日期不能早于检查日期"]
    inspection.refresh_from_db()
    assert inspection.score == Decimal("100.0")
    response = client.post(url, data)
    assert response.status_code == 302
    inspection.refresh_from_db()
    site.refresh_from_db()
    assert (inspection.score, inspection.result, site.below_standard) == (Decimal("90.0"), "failed", True)
    assert inspection.scores.get(finding="饮水机坏了").score == Decimal("10.0")
    # No follow-up date was set: there is nothing to mark as followed up.
    response = client.post(f"/console/inspections/{inspection.pk}/follow-up/", follow=True)
    assert "该检查没有安排整改复查" in response.content.decode()
    response = client.post(f"/console/inspections/{inspection.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == f"/console/stations/{site.pk}/"
    site.refresh_from_db()
    assert (Inspection.objects.count(), site.below_standard, site.inspected_on) == (0, False, None)


def test_union_page_counts_stations_below_standard(tree, login):
    standard = checklist(tree["district"])
    inspector = factories.official("service", RoleKind.SERVICE, tree["district"])
    services.record_inspection(station(tree["site_a"], "甲"), inspector, rows(standard, 饮用水=(0, "无水")))
    services.record_inspection(station(tree["town_a"], "乙"), inspector, rows(standard))
    services.record_inspection(station(tree["town_b"], "丙"), inspector, rows(standard, 饮用水=(0, "无水")))
    client = login(inspector)
    counts = dict(client.get(f"/console/unions/{tree['town_a'].pk}/").context["counts"])
    assert counts["未达标站点（含下级）"] == 1
    counts = dict(client.get(f"/console/unions/{tree['district'].pk}/").context["counts"])
    assert counts["未达标站点（含下级）"] == 2
