"""Joining from a poster in H5, progress and card in "我的", the check page, posters, the console."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from core.models import HistoryEntry
from core.notify import MemorySmsBackend
from members.models import Consent, JoinRequest, Membership, Person, Transfer
from members.services import cards, posters
from orgs.models import Employer
from stations.models import Station

from .. import factories


@pytest.fixture(autouse=True)
def outbox(db):
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def place(tree):
    new_economy = factories.union("柯桥街道新业态工会联合会", "new_economy", tree["town_a"])
    site = Employer.objects.create(
        name="美团柯桥站", sector="food_delivery", region=tree["town_a"].region, area_union=tree["town_a"]
    )
    station = Station.objects.create(union=tree["town_a"], name="柯桥驿站", kind="worker", address="柯桥")
    return {**tree, "new_economy": new_economy, "site": site, "station": station}


def join_url(kind, pk):
    return reverse("portal:join", args=[kind, posters.join_token(kind, pk)])


def code_of(outbox) -> str:
    return re.search(r"验证码 (\d{6})", outbox[-1][1]).group(1)


def form_data(raw_id, phone, code, **extra):
    return {
        "name": "张骑手",
        "id_number": raw_id,
        "phone": phone,
        "code": code,
        "employment_form": "delivery_rider",
        "consent": "on",
        **extra,
    }


def test_tokens_are_signed_per_kind_and_bad_ones_are_404(place):
    token = posters.join_token("e", place["site"].pk)
    assert posters.read_join_token("e", token) == place["site"].pk
    assert posters.read_join_token("u", token) is None  # another kind's salt
    assert posters.read_join_token("e", f"{place['site'].pk + 1}:{token.split(':')[1]}") is None
    client = Client()
    for url in (f"/join/e/{place['site'].pk}/", f"/join/x/{token}/", f"/join/u/{token}/"):
        assert client.get(url).status_code == 404


def test_scan_fill_and_submit_from_an_employer_poster(place, outbox):
    client = Client()
    url = join_url("e", place["site"].pk)
    page = client.get(url)
    assert page.status_code == 200 and "美团柯桥站" in page.content.decode()
    raw_id, phone = factories.id_number(), "13800138000"
    sent = client.post(url, {"phone": phone, "name": "张骑手", "id_number": raw_id, "send_code": "1"})
    assert "验证码已发送" in sent.content.decode() and len(outbox) == 1
    wrong = client.post(url, form_data(raw_id, phone, "000000" if code_of(outbox) != "000000" else "111111"))
    assert "验证码不正确或已过期" in wrong.content.decode()
    assert JoinRequest.objects.count() == 0
    response = client.post(url, form_data(raw_id, phone, code_of(outbox), account="on"))
    assert (response.status_code, response["Location"]) == (302, "/join/done/")
    request = JoinRequest.objects.get()
    assert (request.union, request.employer, request.channel, request.source) == (
        place["new_economy"],
        place["site"],
        "qr",
        "美团柯桥站",
    )
    person = Person.objects.get()
    assert {c.purpose for c in Consent.objects.filter(person=person)} == {"membership", "account"}
    done = client.get("/join/done/").content.decode()
    assert "柯桥街道新业态工会联合会" in done and "待审核" in done
    mine = client.get("/me/joins/").content.decode()
    assert "待审核" in mine and raw_id not in mine and phone not in mine


def test_signed_in_worker_skips_the_code(place, login):
    worker = factories.member(factories.union("外地工会", "grassroots", place["district"]), "李快递")
    worker.memberships.update(status="left")
    worker.user = factories.official("w-li", None, None)
    worker.user.is_worker = True
    worker.user.save()
    worker.save()
    client = login(worker.user)
    url = join_url("s", place["station"].pk)
    page = client.get(url).content.decode()
    assert 'name="code"' not in page and 'name="phone"' not in page
    response = client.post(
        url,
        {
            "name": "李快递",
            "id_number": worker.decrypted("id_number"),
            "employment_form": "courier",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    request = JoinRequest.objects.get()
    assert (request.person, request.union, request.source) == (worker, place["new_economy"], "柯桥驿站")
    assert Person.objects.count() == 1


def test_missing_consent_or_bad_id_changes_nothing(place, outbox):
    client = Client()
    url = join_url("u", place["site_a"].pk)
    client.post(url, {"phone": "13800138000", "send_code": "1"})
    data = form_data(factories.id_number(), "13800138000", code_of(outbox))
    del data["consent"]
    page = client.post(url, data).content.decode()
    assert "需要同意入会个人信息授权才能提交申请" in page
    valid = factories.id_number()
    bad = form_data(valid[:17] + ("0" if valid[17] != "0" else "1"), "13800138000", code_of(outbox))
    page = client.post(url, bad)
    assert page.status_code == 200 and "身份证号" in page.content.decode()
    assert (Person.objects.count(), JoinRequest.objects.count(), Consent.objects.count()) == (0, 0, 0)


def test_console_review_approve_reject_ask(place, login, outbox):
    officer = factories.official("kq_org", "organisation", place["town_a"])
    outsider = factories.official("hs_org", "organisation", place["town_b"])
    first = _submitted(place, "13800138001", outbox)
    client = login(officer)
    listing = client.get(reverse("members:join-list"), {"status": "submitted"})
    assert [r.pk for r in listing.context["object_list"]] == [first.pk]
    detail = client.get(first.get_absolute_url()).content.decode()
    assert "按属地“柯桥街道总工会”和就业形态分配到新业态工会联合会" in detail
    # Another union's official: 404, nothing changes.
    url = reverse("members:join-decide", args=[first.pk, "approve"])
    assert login(outsider).post(url).status_code == 404
    assert JoinRequest.objects.get(pk=first.pk).status == "submitted"
    # A rejection without a reason is refused and changes nothing.
    client.post(reverse("members:join-decide", args=[first.pk, "reject"]), {"text": ""})
    assert JoinRequest.objects.get(pk=first.pk).status == "submitted"
    client.post(reverse("members:join-decide", args=[first.pk, "ask"]), {"text": "请补充站点证明"})
    assert JoinRequest.objects.get(pk=first.pk).status == "info_requested"
    second = _submitted(place, "13800138002", outbox)
    client.post(reverse("members:join-decide", args=[second.pk, "approve"]), {"text": "同意"})
    second.refresh_from_db()
    assert second.status == "approved" and second.membership.union == place["new_economy"]
    client.post(reverse("members:join-decide", args=[first.pk, "reject"]), {"text": "非本辖区"})
    assert JoinRequest.objects.get(pk=first.pk).decision_reason == "非本辖区"
    assert HistoryEntry.objects.for_object(second).filter(verb="approved").count() == 1


def _submitted(place, phone, outbox):
    client = Client()
    url = join_url("e", place["site"].pk)
    client.post(url, {"phone": phone, "send_code": "1"})
    client.post(url, form_data(factories.id_number(), phone, code_of(outbox)))
    return JoinRequest.objects.latest("pk")


def test_worker_answers_a_question_in_h5(place, login):
    officer = factories.official("kq_org", "organisation", place["town_a"])
    client = Client()
    url = join_url("e", place["site"].pk)
    client.post(url, {"phone": "13800138000", "send_code": "1"})
    client.post(
        url, form_data(factories.id_number(), "13800138000", code_of(MemorySmsBackend.outbox), account="on")
    )
    request = JoinRequest.objects.get()
    login(officer).post(reverse("members:join-decide", args=[request.pk, "ask"]), {"text": "请补充站点证明"})
    assert "请补充站点证明" in client.get("/me/joins/").content.decode()
    client.post(reverse("portal:join-reply", args=[request.pk]), {"text": "站长可证明"})
    request.refresh_from_db()
    assert (request.status, request.worker_reply) == ("submitted", "站长可证明")


def test_card_page_and_check_page(place, login):
    member = factories.member(place["site_a"], "王小明")
    member.user = factories.official("w-wang", None, None)
    member.user.is_worker = True
    member.user.save()
    member.save()
    page = login(member.user).get("/me/card/")
    body = page.content.decode()
    token = re.search(r'data-code="([^"]+)"', body).group(1)
    assert "<svg" in body and "王**" in body and member.pk and "no-store" in page["Cache-Control"]
    assert cards.verify_card(token).card_number == member.memberships.get().card_number
    keeper = factories.official("keeper1", "keeper", place["town_a"])
    checker = login(keeper)
    assert Client().get("/check/").status_code == 302
    assert login(member.user).get("/check/").status_code == 404  # a worker is not a checker
    valid = checker.post("/check/", {"code": token}).content.decode()
    assert "有效会员" in valid and "王**" in valid and "饿了么柯桥站工会" in valid
    forged = checker.post("/check/", {"code": token[:-2] + "xx"}).content.decode()
    assert "签名无效" in forged
    Membership.objects.update(status="left")
    assert "签名有效，但会籍已不在册" in checker.post("/check/", {"code": token}).content.decode()


def test_posters_are_pdfs_for_officials_in_scope(place, login):
    officer = factories.official("kq_view", "viewer", place["town_a"])
    outsider = factories.official("hs_view", "viewer", place["town_b"])
    for kind, obj in (("u", place["site_a"]), ("e", place["site"]), ("s", place["station"])):
        url = reverse("portal:poster", args=[kind, obj.pk])
        response = login(officer).get(url)
        assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
        assert response.content.startswith(b"%PDF-")
        assert login(outsider).get(url).status_code == 404
        assert Client().get(url).status_code == 302
        # Offered on the console page of the union, employer or station.
        assert f'href="{url}"' in login(officer).get(obj.get_absolute_url()).content.decode()


def test_official_enrols_on_site_in_the_console(place, login):
    officer = factories.official("kq_org", "organisation", place["town_a"])
    client = login(officer)
    assert client.get(reverse("members:enrol")).status_code == 200
    response = client.post(
        reverse("members:enrol"),
        {
            "union": place["new_economy"].pk,
            "channel": "mobile_window",
            "name": "赵阿姨",
            "id_number": factories.id_number(female=True),
            "phone": "13800138009",
            "employment_form": "domestic_worker",
            "consent": "on",
        },
    )
    request = JoinRequest.objects.get()
    assert (response.status_code, response["Location"]) == (302, request.get_absolute_url())
    assert (request.status, request.channel, request.membership.channel) == (
        "approved",
        "mobile_window",
        "mobile_window",
    )
    refused = client.post(
        reverse("members:enrol"),
        {
            "union": place["site_b"].pk,
            "channel": "on_site",
            "name": "外区",
            "id_number": factories.id_number(),
            "phone": "13800138010",
            "employment_form": "courier",
            "consent": "on",
        },
    )
    assert refused.status_code == 200 and JoinRequest.objects.count() == 1


def test_transfer_pages_release_and_accept(place, login):
    member = factories.member(place["site_b"], "李快递")
    old = factories.official("hs_org", "organisation", place["town_b"])
    new = factories.official("kq_org", "organisation", place["town_a"])
    from members.services import transfers

    transfer = transfers.request_transfer(member.memberships.get(), place["site_a"], by=new)
    assert login(new).post(reverse("members:transfer-act", args=[transfer.pk, "release"])).status_code == 404
    assert Transfer.objects.get().status == "requested"
    login(old).post(reverse("members:transfer-act", args=[transfer.pk, "release"]))
    login(new).post(reverse("members:transfer-act", args=[transfer.pk, "accept"]))
    assert Transfer.objects.get().status == "accepted"
    assert Membership.objects.get().union == place["site_a"]
