"""扫码打卡 on the phone (no login), 我的, the check-in poster, and the keeper's phone pages."""

import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.backends import USER_BACKEND
from members import services as members
from members.services import posters
from portal import views_checkin
from stations.models import ServiceKind, ServiceRecord, Visit
from stations.services import registry

from .. import factories
from ..stations.helpers import keeper, station


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def place(tree):
    a = station(tree["town_a"], "柯迎社区小哥驿站", kind="rider")
    b = station(tree["town_a"], "爱心翼站·电信柯北营业厅", kind="telecom_care")
    return {"a": a, "b": b, "url": f"/checkin/{posters.checkin_token(a.pk)}/"}


def _stamp(client, url) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return page.context["stamp"]


def test_check_in_without_login_and_the_form_is_remembered(place):
    phone = Client()
    page = phone.get(place["url"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "柯迎社区小哥驿站" in html and 'name="employment_form"' in html and "请选择" in html
    device = page.cookies[views_checkin.DEVICE_COOKIE]
    assert len(device.value) == 22 and device["httponly"] and device["max-age"] == views_checkin.COOKIE_AGE

    response = phone.post(place["url"], {"stamp": page.context["stamp"], "employment_form": "delivery_rider"})
    assert response.status_code == 302 and response["Location"] == place["url"]
    visit = Visit.objects.get()
    assert (visit.station, visit.employment_form, visit.person) == (place["a"], "delivery_rider", None)
    # The phone keeps the employment form's code, nothing else.
    assert response.cookies[views_checkin.FORM_COOKIE].value == "delivery_rider"

    again = phone.get(place["url"]).content.decode()
    assert "打卡成功" in again and "就业形态：外卖配送员" in again and "您已于" in again
    assert '<option value="">' not in again  # no question this time

    # The next scan at another station is one tap: no form field posted, the cookie answers.
    other = f"/checkin/{posters.checkin_token(place['b'].pk)}/"
    assert phone.post(other, {"stamp": _stamp(phone, other)}).status_code == 302
    assert Visit.objects.get(station=place["b"]).employment_form == "delivery_rider"


def test_the_form_must_be_given_the_first_time(place):
    phone = Client()
    response = phone.post(place["url"], {"stamp": _stamp(phone, place["url"])})
    assert response.status_code == 400
    assert "请选择您的就业形态" in response.content.decode()
    response = phone.post(
        place["url"], {"stamp": _stamp(phone, place["url"]), "employment_form": "astronaut"}
    )
    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_a_double_tap_counts_once(place):
    phone = Client()
    stamp = _stamp(phone, place["url"])
    data = {"stamp": stamp, "employment_form": "courier"}
    assert phone.post(place["url"], data).status_code == 302
    second = phone.post(place["url"], data, follow=True)
    assert "10 分钟内已打过卡" in second.content.decode()
    assert Visit.objects.count() == 1
    # The same phone without its per-station cookie (another web process, say): the cache refuses it.
    bare = Client()
    bare.cookies[views_checkin.DEVICE_COOKIE] = phone.cookies[views_checkin.DEVICE_COOKIE].value
    assert (
        bare.post(
            place["url"], {"stamp": _stamp(bare, place["url"]), "employment_form": "courier"}
        ).status_code
        == 302
    )
    assert Visit.objects.count() == 1
    # Another phone is another visitor.
    other = Client()
    other.post(place["url"], {"stamp": _stamp(other, place["url"]), "employment_form": "courier"})
    assert Visit.objects.count() == 2


def test_a_signed_in_worker_sees_the_visit_in_me(tree, place):
    person = factories.member(tree["site_a"], "李师傅")
    person = members.worker_for_phone(person.decrypted("phone"))
    members.give_consent(person, "account")
    phone = Client()
    phone.force_login(person.user, backend=USER_BACKEND)
    page = phone.get(place["url"])
    assert "您已登录" in page.content.decode()
    phone.post(place["url"], {"stamp": page.context["stamp"], "employment_form": "delivery_rider"})
    visit = Visit.objects.get()
    assert visit.person == person
    me = phone.get("/me/").content.decode()
    assert "到站打卡" in me and "柯迎社区小哥驿站" in me
    assert timezone.localtime(visit.at).strftime("%Y-%m-%d %H:%M") in me


@pytest.mark.parametrize(
    "token",
    [
        "1:forged",
        "not-a-token",
        "x" * 150,
    ],
)
def test_a_forged_code_is_refused_clearly(place, token):
    response = Client().get(f"/checkin/{token}/")
    assert response.status_code == 404
    assert "二维码无效" in response.content.decode()
    assert not Visit.objects.exists()


def test_other_codes_do_not_check_in(place):
    join_token = posters.join_token("s", place["a"].pk)  # the station's join poster
    assert Client().get(f"/checkin/{join_token}/").status_code == 404
    # …and the check-in code does not open the join form.
    assert Client().get(f"/join/c/{posters.checkin_token(place['a'].pk)}/").status_code == 404
    assert Client().get(f"/join/s/{posters.checkin_token(place['a'].pk)}/").status_code == 404
    tampered = posters.checkin_token(place["a"].pk).replace(f"{place['a'].pk}:", f"{place['b'].pk}:")
    assert Client().get(f"/checkin/{tampered}/").status_code == 404


def test_a_closed_station_and_an_expired_page_are_refused(place):
    phone = Client()
    stamp = _stamp(phone, place["url"])

    class Yesterday(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 24 * 3600)

    old = Yesterday(salt=views_checkin.PAGE_SALT).sign(str(place["a"].pk))
    expired = phone.post(place["url"], {"stamp": old, "employment_form": "courier"})
    assert expired.status_code == 400 and "已过期" in expired.content.decode()
    other_station = phone.post(
        place["url"],
        {
            "stamp": signing.TimestampSigner(salt=views_checkin.PAGE_SALT).sign(str(place["b"].pk)),
            "employment_form": "courier",
        },
    )
    assert other_station.status_code == 400
    assert phone.post(place["url"], {"stamp": "forged", "employment_form": "courier"}).status_code == 400
    assert not Visit.objects.exists()

    place["a"].active = False
    place["a"].save()
    closed = phone.post(place["url"], {"stamp": stamp, "employment_form": "courier"})
    assert closed.status_code == 404 and "已停用" in closed.content.decode()
    assert not Visit.objects.exists()


def test_no_location_is_asked_or_kept(place):
    html = Client().get(place["url"]).content.decode()
    assert "geolocation" not in html and "latitude" not in html
    assert not {"latitude", "longitude", "location"} & {f.name for f in Visit._meta.get_fields()}


def test_the_check_in_poster(tree, place, login):
    official = login(factories.official("svc-a", "service", tree["town_a"]))
    response = official.get(f"/console/checkin-posters/{place['a'].pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"checkin-poster-s{place['a'].pk}.pdf" in response["Content-Disposition"]
    outsider = login(factories.official("svc-b", "service", tree["town_b"]))
    assert outsider.get(f"/console/checkin-posters/{place['a'].pk}.pdf").status_code == 404
    assert Client().get(f"/console/checkin-posters/{place['a'].pk}.pdf").status_code == 302
    pdf = posters.poster_pdf(
        "柯迎社区小哥驿站", "柯桥街道总工会", "http://testserver/checkin/x/", purpose="checkin"
    )
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf


# --- the keeper's phone pages -----------------------------------------------------------------


@pytest.fixture
def keeping(tree, place):
    user = keeper("keeper-a", tree["town_a"])
    registry.assign_keeper(place["a"], user)
    kind = ServiceKind.objects.get_or_create(code="screen_film", defaults={"name": "手机贴膜"})[0]
    return {**place, "keeper": user, "kind": kind}


def test_keeper_lists_and_records_for_assigned_stations_only(keeping, login):
    client = login(keeping["keeper"])
    form_page = client.get(f"/keeper/stations/{keeping['a'].pk}/").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in form_page  # the date input shows today
    home = client.get("/keeper/")
    assert [station.name for station, _v, _s in home.context["rows"]] == ["柯迎社区小哥驿站"]
    today = timezone.localdate().isoformat()
    data = {
        "kind": keeping["kind"].pk,
        "count": 3,
        "served_on": today,
        "employment_form": "delivery_rider",
        "note": "",
    }
    response = client.post(f"/keeper/stations/{keeping['a'].pk}/", data)
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.station, record.count, record.recorded_by) == (keeping["a"], 3, keeping["keeper"])
    page = client.get(f"/keeper/stations/{keeping['a'].pk}/").content.decode()
    assert "手机贴膜 × 3" in page and f"/keeper/records/{record.pk}/" in page
    # Not assigned: not found, nothing recorded.
    assert client.get(f"/keeper/stations/{keeping['b'].pk}/").status_code == 404
    assert client.post(f"/keeper/stations/{keeping['b'].pk}/", data).status_code == 404
    assert ServiceRecord.objects.count() == 1


def test_keeper_form_refuses_zero_and_future(keeping, login):
    client = login(keeping["keeper"])
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    for count, served_on in ((0, timezone.localdate().isoformat()), (2, tomorrow)):
        response = client.post(
            f"/keeper/stations/{keeping['a'].pk}/",
            {
                "kind": keeping["kind"].pk,
                "count": count,
                "served_on": served_on,
                "employment_form": "",
                "note": "",
            },
        )
        assert response.status_code == 200 and response.context["form"].errors
    assert not ServiceRecord.objects.exists()


def test_keeper_corrects_and_withdraws_todays_record(keeping, login):
    client = login(keeping["keeper"])
    from stations.services import visits as services

    record = services.record_service(keeping["a"], keeping["kind"], 3, keeping["keeper"])
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/keeper/records/{record.pk}/",
        {"kind": keeping["kind"].pk, "count": 5, "served_on": today, "employment_form": "", "note": "更正"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.count, record.note) == (5, "更正")
    assert client.post(f"/keeper/records/{record.pk}/", {"delete": "1"}).status_code == 302
    assert not ServiceRecord.objects.exists()


def test_keeper_pages_need_an_official(tree, place, login):
    response = Client().get("/keeper/")
    assert response.status_code == 302 and "login" in response["Location"]
    person = factories.member(tree["site_a"], "李师傅")
    worker = members.worker_for_phone(person.decrypted("phone")).user
    assert login(worker).get("/keeper/").status_code == 404
