"""Mass benefits: lists by employment form, all-or-nothing import, redemption never twice (also two
scans at once on PostgreSQL), date and station rules, keepers, scoping, console and API."""

import datetime
import io
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import User
from core import spreadsheets
from core.models import HistoryEntry
from members.models import Membership
from members.services.cards import sign_card
from rights.models import BenefitDistribution, BenefitGrant
from rights.services import benefits
from stations.models import Station
from stations.services.registry import assign_keeper
from tests import factories

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture
def world(tree):
    today = timezone.localdate()
    rider = factories.member(tree["site_a"], "王骑手", employment_form="delivery_rider")
    courier = factories.member(tree["site_b"], "李快递", employment_form="courier")
    clerk = factories.member(tree["site_a"], "赵文员", employment_form="other")
    station = Station.objects.create(
        union=tree["town_a"], name="柯桥街道骑手驿站", kind="worker", address="柯桥"
    )
    other_station = Station.objects.create(
        union=tree["town_b"], name="华舍驿站", kind="worker", address="华舍"
    )
    official = factories.official("kq_service", "service", tree["district"])
    distribution = BenefitDistribution.objects.create(
        union=tree["district"],
        kind="heat",
        title="2026 夏季高温慰问",
        items="清凉包（藿香正气水、毛巾、西瓜）",
        value=80,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=30),
    )
    distribution.stations.set([station])
    return {
        "rider": rider,
        "courier": courier,
        "clerk": clerk,
        "station": station,
        "other_station": other_station,
        "official": official,
        "d": distribution,
    }


def token(person):
    return sign_card(Membership.objects.select_related("union", "person").get(person=person, status="active"))


def test_build_list_by_employment_form_skips_those_already_listed(tree, world):
    d = world["d"]
    assert benefits.build_list(d, world["official"], benefits.outdoor_forms()) == 2
    assert set(d.grants.values_list("person__name", flat=True)) == {"王骑手", "李快递"}
    assert benefits.build_list(d, world["official"], benefits.outdoor_forms()) == 0
    assert benefits.build_list(d, world["official"], []) == 1  # the clerk, everyone else already listed
    assert benefits.progress(d) == {"listed": 3, "redeemed": 0, "left": 3, "percent": 0}


def test_build_for_a_town_takes_only_its_subtree(tree, world):
    official = factories.official("town_a_service", "service", tree["town_a"])
    d = BenefitDistribution.objects.create(
        union=tree["town_a"],
        kind="winter",
        title="冬送温暖",
        items="棉衣",
        starts_on=world["d"].starts_on,
        ends_on=world["d"].ends_on,
    )
    assert benefits.build_list(d, official, []) == 2
    assert "李快递" not in set(d.grants.values_list("person__name", flat=True))
    with pytest.raises(PermissionDenied):
        benefits.build_list(world["d"], official, [])


def _xlsx(rows, header=("身份证号", "姓名")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_is_all_or_nothing_with_row_and_column(tree, world):
    d = world["d"]
    rider_id = world["rider"].decrypted("id_number")
    outsider = factories.member(factories.union("外地工会", "grassroots"), "外地人")
    content = _xlsx(
        [
            (rider_id, "王骑手"),
            ("330621199001011235", "坏号码"),
            (outsider.decrypted("id_number"), "外地人"),
            (rider_id, "重复"),
        ]
    )
    result = benefits.import_list(d, world["official"], content, "list.xlsx")
    assert [(p.row, p.column) for p in result.problems] == [(3, "身份证号"), (4, "身份证号"), (5, "身份证号")]
    assert "第 2 行" in result.problems[2].message
    assert not d.grants.exists()
    good = _xlsx([(rider_id, ""), (world["courier"].decrypted("id_number"), "")])
    result = benefits.import_list(d, world["official"], good, "list.xlsx")
    assert (result.problems, result.added, result.already) == ([], 2, 0)
    again = benefits.import_list(d, world["official"], good, "list.xlsx")
    assert (again.added, again.already) == (0, 2)
    # A file with no row to blame is said as the file's problem, not as "row 1".
    with pytest.raises(spreadsheets.FileError):
        benefits.import_list(d, world["official"], b"junk", "x.xlsx")
    with pytest.raises(spreadsheets.FileError, match="文件中缺少“身份证号”列"):
        benefits.import_list(d, world["official"], _xlsx([("a",)], header=("姓名",)), "a.xlsx")


def test_redeem_once_then_says_when_and_where(tree, world):
    d, station = world["d"], world["station"]
    benefits.build_list(d, world["official"], benefits.outdoor_forms())
    done = benefits.redeem(d, token(world["rider"]), world["official"], station=station)
    assert done.masked_name == "王**" and done.grant.station == station
    # The grant handed back is the row as written (it is not read back), and saving it records nothing.
    row = BenefitGrant.objects.get(pk=done.grant.pk)
    fields = ("redeemed_at", "redeemed_by_id", "station_id", "updated_at", "distribution_id")
    assert [getattr(done.grant, f) for f in fields] == [getattr(row, f) for f in fields]
    entries = HistoryEntry.objects.count()
    done.grant.save()
    assert HistoryEntry.objects.count() == entries
    with pytest.raises(ValidationError) as second:
        benefits.redeem(d, token(world["rider"]), world["official"], station=station)
    assert second.value.code == "already"
    assert "柯桥街道骑手驿站" in second.value.messages[0] and "已领取过" in second.value.messages[0]
    assert BenefitGrant.objects.filter(redeemed_at__isnull=False).count() == 1
    assert benefits.progress(d)["redeemed"] == 1


def test_redeem_rules_dates_station_list_and_card(tree, world):
    d, station = world["d"], world["station"]
    benefits.build_list(d, world["official"], benefits.outdoor_forms())
    with pytest.raises(ValidationError, match="指定站点"):
        benefits.redeem(d, token(world["rider"]), world["official"], station=world["other_station"])
    with pytest.raises(ValidationError, match="指定站点"):
        benefits.redeem(d, token(world["rider"]), world["official"], station=None)
    with pytest.raises(ValidationError, match="不在"):
        benefits.redeem(d, token(world["clerk"]), world["official"], station=station)
    with pytest.raises(ValidationError, match="签名无效"):
        benefits.redeem(d, token(world["rider"]) + "x", world["official"], station=station)
    late = timezone.now() + datetime.timedelta(days=31)
    with pytest.raises(ValidationError, match="不在领取时间内"):
        benefits.redeem(d, token(world["rider"]), world["official"], station=station, now=late)
    assert not BenefitGrant.objects.filter(redeemed_at__isnull=False).exists()


def test_keepers_redeem_only_at_their_stations(tree, world):
    d, station = world["d"], world["station"]
    benefits.build_list(d, world["official"], benefits.outdoor_forms())
    keeper = factories.official("keeper_a", "keeper", tree["town_a"])
    assign_keeper(station, keeper)
    far_keeper = factories.official("keeper_b", "keeper", tree["town_b"])
    assert list(benefits.redeemable(keeper)) == [d]
    assert list(benefits.redeemable(far_keeper)) == []
    with pytest.raises(PermissionDenied):
        benefits.redeem(d, token(world["rider"]), far_keeper, station=station)
    done = benefits.redeem(d, token(world["rider"]), keeper, station=station)
    assert done.grant.redeemed_by == keeper


def test_console_pages_and_scan(tree, world, login):
    d, station = world["d"], world["station"]
    client = login(world["official"])
    assert client.get(reverse("rights:benefit-list")).status_code == 200
    response = client.post(
        reverse("rights:benefit-build", args=[d.pk]), {"employment_forms": ["delivery_rider", "courier"]}
    )
    assert response.status_code == 302 and d.grants.count() == 2
    page = client.get(reverse("rights:benefit-detail", args=[d.pk])).content.decode()
    assert "王**" in page and "王骑手" not in page and world["rider"].decrypted("id_number") not in page
    scan = client.get(reverse("rights:benefit-redeem"), {"d": d.pk}).content.decode()
    assert 'id="scan"' in scan and "js/check.js" in scan
    response = client.post(
        reverse("rights:benefit-redeem"), {"d": d.pk, "s": station.pk, "code": token(world["rider"])}
    )
    assert "核销成功" in response.content.decode()
    response = client.post(
        reverse("rights:benefit-redeem"), {"d": d.pk, "s": station.pk, "code": token(world["rider"])}
    )
    assert "已领取过" in response.content.decode()
    upload = _xlsx([("330621199001011235", "x")])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("rights:benefit-import", args=[d.pk]), {"file": SimpleUploadedFile("l.xlsx", upload)}
    )
    assert response.status_code == 200 and "未导入任何人" in response.content.decode()
    no_column = _xlsx([("x",)], header=("姓名",))
    response = client.post(
        reverse("rights:benefit-import", args=[d.pk]), {"file": SimpleUploadedFile("l.xlsx", no_column)}
    )
    assert response.status_code == 200 and response.context["form"].errors["file"] == [
        "文件中缺少“身份证号”列"
    ]
    assert response.context["problems"] is None
    assert client.get(reverse("rights:benefit-template", args=[d.pk])).status_code == 200


def test_console_and_api_scoping(tree, world, login):
    d = world["d"]
    outsider = factories.official("hs_service", "service", tree["site_b"])
    client = login(outsider)
    assert client.get(reverse("rights:benefit-detail", args=[d.pk])).status_code == 404
    assert client.post(reverse("rights:benefit-build", args=[d.pk]), {}).status_code == 404
    api = login(outsider)
    assert api.get(f"/api/v1/benefit-distributions/{d.pk}/").status_code == 404
    assert api.post(f"/api/v1/benefit-distributions/{d.pk}/redeem/", {"code": "x"}).status_code == 404


def test_finance_sees_the_progress_not_who_is_on_the_list(tree, world, login):
    # Found by fuzzing the pages: the distribution's page listed its grantees (masked names and ID
    # numbers) to finance and audit, who see no personal data.
    d = world["d"]
    benefits.build_list(d, world["official"], benefits.outdoor_forms())
    finance = login(factories.official("kq_finance", "finance", tree["district"]))
    page = finance.get(reverse("rights:benefit-detail", args=[d.pk])).content.decode()
    assert "您的角色只看进度，不查看发放名单" in page and "王*" not in page
    page = login(world["official"]).get(reverse("rights:benefit-detail", args=[d.pk])).content.decode()
    assert "王**" in page and "只看进度" not in page


def test_api_redeem_409_on_second_scan(tree, world, login):
    d, station = world["d"], world["station"]
    api = login(world["official"])
    built = api.post(
        f"/api/v1/benefit-distributions/{d.pk}/build/",
        {"employment_forms": ["delivery_rider"]},
        "application/json",
    )
    assert built.json() == {"added": 1, "listed": 1, "redeemed": 0}
    body = {"code": token(world["rider"]), "station": station.pk}
    first = api.post(f"/api/v1/benefit-distributions/{d.pk}/redeem/", body, "application/json")
    assert first.status_code == 200 and first.json()["station_name"] == station.name
    second = api.post(f"/api/v1/benefit-distributions/{d.pk}/redeem/", body, "application/json")
    assert second.status_code == 409 and "已领取过" in second.json()["detail"]
    grants = api.get("/api/v1/benefit-grants/", {"distribution": d.pk, "redeemed": "true"}).json()
    assert [g["person"] for g in grants["results"]] == ["王**"]


def test_worker_sees_my_benefits(tree, world, login):
    d = world["d"]
    benefits.build_list(d, world["official"], ["delivery_rider"])
    rider = world["rider"]
    rider.user = User.objects.create_user(f"w{rider.pk}", is_worker=True)
    rider.save()
    client = login(rider.user)
    page = client.get(reverse("portal:my-benefits")).content.decode()
    assert "2026 夏季高温慰问" in page and "待领取" in page and "柯桥街道骑手驿站" in page
    assert reverse("portal:card") in page
    benefits.redeem(d, token(rider), world["official"], station=world["station"])
    page = client.get(reverse("portal:my-benefits")).content.decode()
    assert "已领取" in page
    mine = client.get("/api/v1/me/benefit-grants/").json()
    assert mine["results"][0]["title"] == "2026 夏季高温慰问" and mine["results"][0]["redeemed_at"]


@pytest.mark.skipif(not ON_POSTGRES, reason="two connections at once need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_redeem_once(tree, world):
    d, station = world["d"], world["station"]
    benefits.build_list(d, world["official"], ["delivery_rider"])
    code = token(world["rider"])
    barrier = threading.Barrier(2)
    outcomes = []

    def go():
        try:
            barrier.wait()
            benefits.redeem(d, code, world["official"], station=station)
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already", "ok"]
    assert BenefitGrant.objects.filter(redeemed_at__isnull=False).count() == 1


def test_api_create_distribution_checks_dates_and_stations(tree, world, login):
    town = factories.official("town_a_service", "service", tree["town_a"])
    api = login(town)
    body = {
        "union": tree["town_a"].pk,
        "kind": "winter",
        "title": "冬送温暖",
        "items": "棉衣",
        "value": "120.00",
        "starts_on": "2026-12-20",
        "ends_on": "2027-01-31",
        "stations": [world["station"].pk],
    }
    made = api.post("/api/v1/benefit-distributions/", body, "application/json")
    assert made.status_code == 201 and made.json()["stations"] == [world["station"].pk]
    backwards = api.post(
        "/api/v1/benefit-distributions/", {**body, "ends_on": "2026-12-01"}, "application/json"
    )
    assert backwards.status_code == 400
    elsewhere = api.post(
        "/api/v1/benefit-distributions/", {**body, "union": tree["district"].pk}, "application/json"
    )
    assert elsewhere.status_code == 400  # the town official cannot open one for the district
    assert BenefitDistribution.objects.filter(title="冬送温暖").count() == 1
    district = login(world["official"])
    elsewhere_body = {**body, "stations": [world["other_station"].pk]}
    outside = district.post("/api/v1/benefit-distributions/", elsewhere_body, "application/json")
    assert outside.status_code == 400 and "华舍驿站" in outside.content.decode()
