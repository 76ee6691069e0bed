"""The API of joining: review actions scoped as changes, transfers, and the card check."""

import pytest
from rest_framework.test import APIClient

from members.models import JoinRequest, Membership, Transfer
from members.services import cards, joining, transfers

from .. import factories


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def queue(tree):
    request = joining.submit(
        name="张骑手",
        id_number=factories.id_number(),
        phone=factories.phone(),
        employment_form="courier",
        union=tree["site_a"],
    )
    return {
        **tree,
        "request": request,
        "organiser": factories.official("kq_org", "organisation", tree["town_a"]),
        "viewer": factories.official("kq_view", "viewer", tree["town_a"]),
        "outsider": factories.official("hs_org", "organisation", tree["town_b"]),
    }


def test_review_actions_need_the_change_scope(queue):
    pk = queue["request"].pk
    url = f"/api/v1/join-requests/{pk}/approve/"
    assert api().post(url).status_code == 403
    assert api(queue["viewer"]).get(f"/api/v1/join-requests/{pk}/").status_code == 200
    assert api(queue["viewer"]).post(url).status_code == 404  # may see, may not decide
    assert api(queue["outsider"]).post(url).status_code == 404
    assert api(queue["organiser"]).post("/api/v1/join-requests/", {}).status_code == 405
    assert (JoinRequest.objects.get().status, Membership.objects.count()) == ("submitted", 0)


def test_reject_needs_a_reason_then_ask_then_approve(queue):
    pk, client = queue["request"].pk, api(queue["organiser"])
    refused = client.post(f"/api/v1/join-requests/{pk}/reject/", {"text": ""}, format="json")
    assert (refused.status_code, refused.json()) == (400, {"detail": "请填写不予通过的原因"})
    asked = client.post(f"/api/v1/join-requests/{pk}/ask-info/", {"text": "请补充证明"}, format="json")
    assert (asked.status_code, asked.json()["status"], asked.json()["info_request"]) == (
        200,
        "info_requested",
        "请补充证明",
    )
    approved = client.post(f"/api/v1/join-requests/{pk}/approve/", {"text": "同意"}, format="json")
    body = approved.json()
    assert (approved.status_code, body["status"], body["card_number"]) == (
        200,
        "approved",
        Membership.objects.get().card_number,
    )
    again = client.post(f"/api/v1/join-requests/{pk}/reject/", {"text": "晚了"}, format="json")
    assert again.status_code == 400 and Membership.objects.count() == 1


def test_transfer_release_and_accept(queue):
    member = factories.member(queue["site_b"], "李快递")
    old = factories.official("hs_org2", "organisation", queue["town_b"])
    transfer = transfers.request_transfer(member.memberships.get(), queue["site_a"], by=queue["organiser"])
    base = f"/api/v1/transfers/{transfer.pk}"
    assert api(queue["organiser"]).get(f"{base}/").json()["status"] == "requested"
    assert api(old).get(f"{base}/").status_code == 200  # both unions see it
    assert api(queue["organiser"]).post(f"{base}/release/").status_code == 404
    assert api(old).post(f"{base}/release/").json()["status"] == "released"
    assert api(old).post(f"{base}/accept/").status_code == 404
    assert api(queue["organiser"]).post(f"{base}/accept/").json()["status"] == "accepted"
    assert (Transfer.objects.get().status, Membership.objects.get().union) == ("accepted", queue["site_a"])


def test_card_check_endpoint(queue):
    member = factories.member(queue["site_a"], "王小明")
    token = cards.sign_card(member.memberships.get())
    keeper = factories.official("keeper", "keeper", queue["town_a"])
    assert api().post("/api/v1/cards/check/", {"code": token}, format="json").status_code == 403
    body = api(keeper).post("/api/v1/cards/check/", {"code": token}, format="json").json()
    assert (body["valid"], body["masked_name"], body["union_name"], body["status"]) == (
        True,
        "王**",
        "饿了么柯桥站工会",
        "active",
    )
    bad = api(keeper).post("/api/v1/cards/check/", {"code": token + "x"}, format="json").json()
    assert (bad["valid"], bad["reason"], bad["status"]) == (
        False,
        "签名无效：此码不是本系统签发的会员卡，或已被改动",
        None,
    )
