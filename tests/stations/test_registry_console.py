"""The station console: coordinates in a named system, a week of hours, amenities, partners, closures,
photos, the list's filters and the managed lists."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core import geo
from orgs.models import Partner
from stations import hours as rules
from stations.models import Amenity, ServiceKind, Station, StationClosure, StationPhoto
from stations.services import registry as services

from .. import factories
from .helpers import station

# A point in 柯桥 as 高德 shows it (GCJ-02), and its WGS-84 original.
GCJ = (30.085500, 120.497200)
WGS = geo.to_wgs84(*GCJ, geo.GCJ02)

FORM = {
    "name": "柯桥职工驿站·瑞丰银行营业部",
    "kind": "worker",
    "address": "绍兴市柯桥区柯桥街道笛扬路1363号",
    "region": "330603001",
    "latitude": str(GCJ[0]),
    "longitude": str(GCJ[1]),
    "coordinate_system": "gcj02",
    "phone": "0575-84123456",
    "hours_0": "08:30-17:00",
    "hours_1": "08:30-17:00",
    "hours_2": "08:30-17:00",
    "hours_3": "08:30-17:00",
    "hours_4": "08:30-12:00, 13:30-17:00",
    "hours_5": "休息",
    "hours_6": "",
    "active": "on",
}


def png(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_form_defaults_to_gcj02_and_stores_wgs84(tree, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    form = client.get("/console/stations/add/").context["form"]
    assert form["coordinate_system"].value() == "gcj02"
    water, wifi = Amenity.objects.get(code="drinking_water"), Amenity.objects.get(code="wifi")
    data = {**FORM, "union": tree["town_a"].pk, "amenities": [water.pk, wifi.pk]}
    response = client.post("/console/stations/add/", data)
    assert response.status_code == 302, response.context["form"].errors
    made = Station.objects.get()
    assert (float(made.latitude), float(made.longitude)) == (round(WGS.lat, 6), round(WGS.lon, 6))
    # The GCJ-02 offset in 柯桥 is some hundreds of metres; the stored point is the WGS-84 original.
    assert 300 < geo.distance_m(*GCJ, float(made.latitude), float(made.longitude)) < 700
    back = geo.from_wgs84(geo.Point(float(made.latitude), float(made.longitude)), geo.GCJ02)
    assert geo.distance_m(*back, *GCJ) < 0.2
    assert made.hours[0] == [[510, 1020]]
    assert made.hours[4] == [[510, 720], [810, 1020]]
    assert made.hours[5] == made.hours[6] == []
    assert sorted(made.amenities.values_list("code", flat=True)) == ["drinking_water", "wifi"]
    page = client.get(made.get_absolute_url())
    text = page.content.decode()
    assert f"{made.latitude}, {made.longitude}" in text
    assert f"{GCJ[0]:.6f}, {GCJ[1]:.6f}" in text  # the GCJ-02 equivalent
    assert f"position={GCJ[1]:.6f},{GCJ[0]:.6f}" in text  # 高德 gets GCJ-02 (lon,lat)
    assert "饮用水" in text and "无线网络" in text
    assert page.context["week"][4] == ("周五", "08:30-12:00, 13:30-17:00")
    assert page.context["week"][5] == ("周六", "休息")


def test_editing_unchanged_does_not_move_the_station(tree, login):
    made = station(tree["town_a"], hours=rules.always_open())
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    form = client.get(f"/console/stations/{made.pk}/edit/").context["form"]
    assert form["coordinate_system"].value() == "wgs84"
    assert form["all_day"].value() is True
    assert form["hours_0"].value() == "24小时"
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["amenities"] = []
    data.pop("active", None)
    data["active"] = "on"
    data.pop("all_day")
    response = client.post(f"/console/stations/{made.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    made.refresh_from_db()
    assert (made.latitude, made.longitude) == (Decimal("30.088000"), Decimal("120.492000"))
    assert made.hours == rules.always_open()


def test_hours_errors_are_per_weekday_and_all_day_shortcut(tree, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    data = {**FORM, "union": tree["town_a"].pk, "hours_2": "早八点", "hours_6": "9:00-9:00"}
    response = client.post("/console/stations/add/", data)
    errors = response.context["form"].errors
    assert set(errors) == {"hours_2", "hours_6"}
    assert "早八点" in errors["hours_2"][0]
    assert Station.objects.count() == 0
    response = client.post("/console/stations/add/", {**data, "all_day": "on"})
    assert response.status_code == 302
    assert Station.objects.get().hours == rules.always_open()


def test_coordinates_need_a_known_system_and_both_values(tree, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = client.post(
        "/console/stations/add/", {**FORM, "union": tree["town_a"].pk, "coordinate_system": "mars"}
    )
    assert "coordinate_system" in response.context["form"].errors
    response = client.post("/console/stations/add/", {**FORM, "union": tree["town_a"].pk, "latitude": ""})
    assert response.context["form"].non_field_errors() == ["经纬度须同时填写或同时留空"]
    assert Station.objects.count() == 0
    response = client.post(
        "/console/stations/add/", {**FORM, "union": tree["town_a"].pk, "latitude": "", "longitude": ""}
    )
    assert response.status_code == 302
    assert Station.objects.get().latitude is None


def test_partner_choices_are_scoped_and_must_be_above_the_station(tree, login):
    county = Partner.objects.create(union=tree["district"], name="中国电信柯桥分公司", kind="telecom")
    own = Partner.objects.create(union=tree["town_a"], name="瑞丰银行营业部", kind="bank")
    other = Partner.objects.create(union=tree["town_b"], name="华舍物美超市", kind="supermarket")
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    form = client.get("/console/stations/add/").context["form"]
    assert other not in set(form.fields["partner"].queryset)
    assert own in set(form.fields["partner"].queryset)
    response = client.post(
        "/console/stations/add/", {**FORM, "union": tree["town_a"].pk, "partner": other.pk}
    )
    assert "partner" in response.context["form"].errors
    # A town's partner cannot host a station of the district.
    district_official = factories.official("svc-d", "service", tree["district"])
    response = login(district_official).post(
        "/console/stations/add/", {**FORM, "union": tree["district"].pk, "partner": own.pk}
    )
    assert response.context["form"].errors["partner"] == ["请选择本工会或上级工会的合作单位"]
    # The town official sees only the partners kept in their town (the scope), not the county's;
    # the county's official places a county partner's station under a town.
    assert county not in set(form.fields["partner"].queryset)
    response = login(district_official).post(
        "/console/stations/add/", {**FORM, "union": tree["site_a"].pk, "partner": county.pk}
    )
    assert response.status_code == 302
    assert Station.objects.get().partner == county


def test_closures_add_remove_and_show_closed(tree, login):
    made = station(tree["town_a"], hours=rules.always_open())
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    assert client.get(made.get_absolute_url()).context["open_now"] is True
    today = datetime.date.today()
    response = client.post(
        f"/console/stations/{made.pk}/closures/",
        {
            "starts_on": today - datetime.timedelta(days=1),
            "ends_on": today + datetime.timedelta(days=1),
            "reason": "春节",
        },
    )
    assert response.status_code == 302
    closure = StationClosure.objects.get(station=made)
    page = client.get(made.get_absolute_url())
    assert page.context["open_now"] is False
    assert "春节" in page.content.decode() and "此刻不开放" in page.content.decode()
    # Ends before it starts: a message, nothing saved.
    client.post(
        f"/console/stations/{made.pk}/closures/", {"starts_on": "2026-02-07", "ends_on": "2026-02-01"}
    )
    assert StationClosure.objects.count() == 1
    client.post(f"/console/stations/{made.pk}/closures/{closure.pk}/remove/")
    assert StationClosure.objects.count() == 0


def test_closures_and_photos_need_change_rights(tree, login):
    made = station(tree["town_b"])
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = client.post(
        f"/console/stations/{made.pk}/closures/", {"starts_on": "2026-02-01", "ends_on": "2026-02-07"}
    )
    assert response.status_code == 404
    upload = SimpleUploadedFile("a.png", png(), content_type="image/png")
    assert client.post(f"/console/stations/{made.pk}/photos/", {"image": upload}).status_code == 404
    assert StationClosure.objects.count() == StationPhoto.objects.count() == 0


def test_photos_upload_validate_show_and_remove(tree, login, client):
    made = station(tree["town_a"])
    official = login(factories.official("svc-a", "service", tree["town_a"]))
    upload = SimpleUploadedFile("门头.png", png(), content_type="image/png")
    response = official.post(f"/console/stations/{made.pk}/photos/", {"image": upload, "caption": "门头"})
    assert response.status_code == 302
    photo = StationPhoto.objects.get()
    assert photo.image.name.endswith(f"station-{made.pk}.png") or photo.image.name.endswith(".png")
    page = official.get(made.get_absolute_url()).content.decode()
    assert f"/console/stations/photos/{photo.pk}/" in page
    # Served to anyone while the station is open to the public.
    served = client.get(f"/console/stations/photos/{photo.pk}/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    # A width that is no scaled copy's serves the photo itself ("²" passed isdigit() and failed int()).
    for odd in ("²", "99999999999999999999", "abc"):
        assert client.get(f"/console/stations/photos/{photo.pk}/", {"w": odd}).status_code == 200, odd
    # Not an image, even if named like one: refused with a message.
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    official.post(f"/console/stations/{made.pk}/photos/", {"image": fake})
    # A JPEG cut short (a broken upload): its header reads, its data does not (it was a 500).
    buffer = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(buffer, "JPEG")
    cut = SimpleUploadedFile("cut.jpg", buffer.getvalue()[: buffer.tell() // 2], content_type="image/jpeg")
    response = official.post(f"/console/stations/{made.pk}/photos/", {"image": cut}, follow=True)
    assert response.status_code == 200 and "无法识别的图片" in response.content.decode()
    big = SimpleUploadedFile("big.png", png() + b"\0" * (5 * 1024 * 1024), content_type="image/png")
    response = official.post(f"/console/stations/{made.pk}/photos/", {"image": big}, follow=True)
    assert "5 MB" in response.content.decode()
    assert StationPhoto.objects.count() == 1
    # A closed (inactive) station's photos are not public.
    Station.objects.filter(pk=made.pk).update(active=False)
    assert client.get(f"/console/stations/photos/{photo.pk}/").status_code == 404
    assert official.get(f"/console/stations/photos/{photo.pk}/").status_code == 200
    official.post(f"/console/stations/{made.pk}/photos/{photo.pk}/remove/")
    assert StationPhoto.objects.count() == 0


def test_photos_lose_their_metadata_and_have_thumbnails(tree, login, django_capture_on_commit_callbacks):
    made = station(tree["town_a"])
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # Model
    exif[0x8825] = {2: (30.0, 5.0, 0.0)}  # GPSInfo: latitude
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (10, 120, 200)).save(buffer, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif()
    official = login(factories.official("svc-a", "service", tree["town_a"]))
    upload = SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")
    official.post(f"/console/stations/{made.pk}/photos/", {"image": upload})
    photo = StationPhoto.objects.get()
    with photo.image.open("rb") as handle:
        kept = Image.open(io.BytesIO(handle.read()))
        assert (kept.format, kept.size) == ("JPEG", (1200, 800))
        assert not kept.getexif()
    response = official.get(f"/console/stations/photos/{photo.pk}/?w=320")
    thumb = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert thumb.size == (320, 213)
    assert "?w=320" in official.get(made.get_absolute_url()).content.decode()
    # A width not offered is the original.
    response = official.get(f"/console/stations/photos/{photo.pk}/?w=5000")
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (1200, 800)
    storage, thumb_name = photo.image.storage, services.thumbnail_name(photo, 320)
    assert storage.exists(thumb_name)
    with django_capture_on_commit_callbacks(execute=True):
        official.post(f"/console/stations/{made.pk}/photos/{photo.pk}/remove/")
    assert not storage.exists(thumb_name) and not storage.exists(photo.image.name)


def test_list_filters_by_kind_partner_amenity_and_open(tree, login):
    host = Partner.objects.create(union=tree["town_a"], name="中国电信柯桥营业厅", kind="telecom")
    wifi = Amenity.objects.get(code="wifi")
    a = station(tree["town_a"], "爱心翼站甲", "telecom_care", partner=host, hours=rules.always_open())
    a.amenities.add(wifi)
    b = station(tree["town_a"], "职工驿站乙", "worker")
    client = login(factories.official("svc-a", "service", tree["town_a"]))

    def names(query):
        return sorted(s.name for s in client.get(f"/console/stations/?{query}").context["object_list"])

    assert names("kind=telecom_care") == ["爱心翼站甲"]
    assert names(f"partner={host.pk}") == ["爱心翼站甲"]
    assert names("amenity=wifi") == ["爱心翼站甲"]
    assert names("open=now") == ["爱心翼站甲"]
    assert names("open=closed") == [b.name]
    page = client.get("/console/stations/")
    assert "/console/stations/import/" in page.content.decode()


def test_managed_lists_by_top_union_admins_only(tree, login):
    town_admin = login(factories.official("adm-a", "admin", tree["town_a"]))
    page = town_admin.get("/console/stations/lists/amenities/")
    assert page.status_code == 200 and "饮用水" in page.content.decode()
    assert page.context["can_manage"] is False
    assert (
        town_admin.post("/console/stations/lists/amenities/", {"code": "x", "name": "某"}).status_code == 404
    )
    water = Amenity.objects.get(code="drinking_water")
    assert town_admin.post(f"/console/stations/lists/amenities/{water.pk}/deactivate/").status_code == 404
    top = login(factories.official("adm-d", "admin", tree["district"]))
    assert top.get("/console/stations/lists/amenities/").context["can_manage"] is True
    top.post("/console/stations/lists/amenities/", {"code": "umbrella", "name": "爱心雨伞"})
    umbrella = Amenity.objects.get(code="umbrella")
    assert umbrella.order == max(Amenity.objects.values_list("order", flat=True))
    top.post(f"/console/stations/lists/amenities/{umbrella.pk}/rename/", {"name": "共享雨伞"})
    top.post(f"/console/stations/lists/amenities/{umbrella.pk}/up/")
    codes = list(Amenity.objects.order_by("order").values_list("code", flat=True))
    assert codes[-2:] == ["umbrella", "hot_water"]
    top.post(f"/console/stations/lists/amenities/{water.pk}/deactivate/")
    water.refresh_from_db()
    umbrella.refresh_from_db()
    assert (umbrella.name, water.active) == ("共享雨伞", False)
    # A duplicate name is a message, not a 500.
    response = top.post(
        "/console/stations/lists/amenities/", {"code": "umbrella2", "name": "共享雨伞"}, follow=True
    )
    assert response.status_code == 200
    assert Amenity.objects.filter(name="共享雨伞").count() == 1
    # Inactive amenities leave the station form.
    form = top.get("/console/stations/add/").context["form"]
    assert water not in set(form.fields["amenities"].queryset)
    assert top.get("/console/stations/lists/service-kinds/").status_code == 200
    assert top.get("/console/stations/lists/nothing/").status_code == 404


def test_reference_lists_are_seeded(db):
    assert Amenity.objects.filter(active=True).count() >= 13
    assert set(Amenity.objects.values_list("code", flat=True)) >= {"drinking_water", "aed", "screen_film"}
    assert set(ServiceKind.objects.values_list("code", flat=True)) >= {
        "screen_film",
        "free_clinic",
        "haircut",
    }


def test_partners_console(tree, login):
    other = Partner.objects.create(union=tree["town_b"], name="华舍物美超市", kind="supermarket")
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = client.post(
        "/console/partners/add/",
        {
            "name": "瑞丰银行柯桥支行",
            "kind": "bank",
            "union": tree["town_a"].pk,
            "contact": "营业部 0575-84000000",
        },
    )
    made = Partner.objects.get(name="瑞丰银行柯桥支行")
    assert response["Location"] == f"/console/partners/{made.pk}/"
    listing = client.get("/console/partners/")
    assert [p.name for p in listing.context["object_list"]] == ["瑞丰银行柯桥支行"]
    assert client.get(f"/console/partners/{other.pk}/").status_code == 404
    assert client.get(f"/console/partners/{made.pk}/").status_code == 200
    response = client.post(
        f"/console/partners/{made.pk}/edit/",
        {"name": "瑞丰银行营业部", "kind": "bank", "union": tree["town_a"].pk},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.name == "瑞丰银行营业部"
    response = client.post(
        "/console/partners/add/", {"name": "瑞丰银行营业部", "kind": "bank", "union": tree["town_a"].pk}
    )
    assert "该工会已有同名合作单位" in str(response.context["form"].errors)
    response = client.post(
        "/console/partners/add/", {"name": "外", "kind": "bank", "union": tree["town_b"].pk}
    )
    assert "union" in response.context["form"].errors
    nav = [item["label"] for item in client.get("/console/partners/").context["console_nav"]]
    assert "合作单位" in nav


def test_services_convert_and_place(tree):
    made = station(tree["town_a"], latitude=None, longitude=None)
    services.place(made, "30.0915", "120.5035", geo.BD09)
    lat, lon = services.position_in(made, geo.BD09)
    assert geo.distance_m(lat, lon, 30.0915, 120.5035) < 0.2
