"""Console search by full ID number or phone: a POST matched through the keyed hash, never a URL."""

import pytest
from django.test import Client

from .. import factories


@pytest.fixture
def setup(tree, login):
    inside = factories.member(tree["site_a"], "李师傅")
    outside = factories.member(tree["site_b"], "孙师傅")
    client = login(factories.official("organiser", "organisation", tree["town_a"]))
    return client, inside, outside


def lookup(client, number):
    return client.post("/console/people/", {"number": number})


def test_full_id_number_or_phone_goes_to_the_person(setup):
    client, inside, _outside = setup
    id_number, phone = inside.decrypted("id_number"), inside.decrypted("phone")
    for typed in (
        id_number,
        id_number.lower(),
        f" {id_number} ",
        phone,
        f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}",
    ):
        response = lookup(client, typed)
        assert (response.status_code, response["Location"]) == (302, f"/console/people/{inside.pk}/"), typed


def test_out_of_scope_is_not_found_like_nobody(setup):
    client, _inside, outside = setup
    response = lookup(client, outside.decrypted("id_number"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.context["lookup_form"].errors == {
        "number": ["您的管理范围内没有此身份证号或手机号的职工"]
    }
    assert "孙师傅" not in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("110105194912310021", "身份证号校验位错误"),
        ("11010519491231002", "身份证号应为18位，现为17位"),
        ("23800138000", "请输入11位中国大陆手机号"),
        ("张三", "请输入完整的18位身份证号或11位手机号"),
        ("", "请输入完整的18位身份证号或11位手机号"),
    ],
)
def test_a_wrong_number_says_why(setup, typed, error):
    client, _inside, _outside = setup
    response = lookup(client, typed)
    assert response.status_code == 200
    assert response.context["lookup_form"].errors == {"number": [error]}


def test_name_search_stays_a_bookmarkable_get(setup):
    client, inside, _outside = setup
    response = client.get("/console/people/", {"q": "李", "gender": inside.gender})
    assert [p.pk for p in response.context["object_list"]] == [inside.pk]
    assert 'pattern="[^0-9]*"' in response.content.decode()


def test_a_number_typed_into_the_url_search_is_dropped(setup):
    client, inside, _outside = setup
    response = client.get("/console/people/", {"q": inside.decrypted("id_number"), "gender": "male"})
    assert (response.status_code, response["Location"]) == (302, "/console/people/?gender=male")
    page = client.get(response["Location"]).content.decode()
    assert "身份证号、手机号请在“精确查找”中输入，以免出现在网址中。" in page
    assert client.get("/console/people/", {"q": "13912345678"})["Location"] == "/console/people/"
    for typed in ("139 1234 5678", "139-1234-5678", "１３９１２３４５６７８"):  # however typed
        assert client.get("/console/people/", {"q": typed})["Location"] == "/console/people/", typed
    assert client.get("/console/people/", {"q": "王"}).status_code == 200


def test_a_number_in_the_api_name_search_is_refused(setup):
    client, inside, _outside = setup
    for typed in (inside.decrypted("phone"), "139 1234 5678"):
        answer = client.get("/api/v1/people/", {"q": typed})
        assert answer.status_code == 400 and "精确查找" in str(answer.json()["q"])
    assert client.get("/api/v1/people/", {"q": "王"}).status_code == 200


def test_anonymous_lookup_is_sent_to_sign_in(setup):
    _client, inside, _outside = setup
    response = lookup(Client(), inside.decrypted("id_number"))
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/console/people/")


def test_the_api_looks_up_by_post(setup):
    client, inside, outside = setup
    response = client.post("/api/v1/people/lookup/", {"number": inside.decrypted("id_number").lower()})
    assert response.status_code == 200
    assert response.json()["id"] == inside.pk
    assert response.json()["id_number_mask"] == inside.id_number_mask
    assert inside.decrypted("id_number") not in response.content.decode()
    assert (
        client.post("/api/v1/people/lookup/", {"number": inside.decrypted("phone")}).json()["id"] == inside.pk
    )

    response = client.post("/api/v1/people/lookup/", {"number": outside.decrypted("phone")})
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "您的管理范围内没有此身份证号或手机号的职工"},
    )
    response = client.post("/api/v1/people/lookup/", {"number": "110105194912310021"})
    assert (response.status_code, response.json()) == (400, {"number": ["身份证号校验位错误"]})
    assert client.get("/api/v1/people/lookup/").status_code == 405
    assert Client().post("/api/v1/people/lookup/", {"number": inside.decrypted("phone")}).status_code == 403


def test_the_api_list_search_is_by_name_only(setup):
    client, inside, _outside = setup
    assert [row["id"] for row in client.get("/api/v1/people/", {"q": "李"}).json()["results"]] == [inside.pk]
    assert client.get("/api/v1/people/", {"q": inside.decrypted("id_number")}).status_code == 400
