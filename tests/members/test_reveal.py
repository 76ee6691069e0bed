"""Revealing a masked ID number or phone: only with the reveal permission, confirmed, logged, never cached."""

import pytest
from django.test import Client

from core.models import PiiAccess

from .. import factories


@pytest.fixture
def person(tree):
    return factories.member(tree["site_a"], "李师傅")


def reveal(client, person, field="id_number", reason="核对入会材料"):
    return client.post(f"/console/people/{person.pk}/reveal/{field}/", {"reason": reason})


def test_anonymous_is_sent_to_sign_in(person):
    response = reveal(Client(), person)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/console/people/{person.pk}/reveal/id_number/"
    assert PiiAccess.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "union"),
    [
        ("organisation", "town_b"),  # another union
        ("finance", "town_a"),  # same union, a role that does not see people
        ("viewer", "town_a"),  # same union, sees people but may not reveal
        ("service", "district"),  # above, sees people but may not reveal
    ],
)
def test_without_the_permission_it_is_404_and_nothing_is_logged(tree, login, person, kind, union):
    client = login(factories.official("someone", kind, tree[union]))
    for field in ("id_number", "phone"):
        response = reveal(client, person, field)
        assert response.status_code == 404
        assert person.decrypted(field) not in response.content.decode()
    assert PiiAccess.objects.count() == 0


def test_a_viewer_sees_masks_and_no_reveal_button(tree, login, person):
    page = login(factories.official("viewer", "viewer", tree["town_a"])).get(f"/console/people/{person.pk}/")
    html = page.content.decode()
    assert person.id_number_mask in html and person.phone_mask in html
    assert "reveal" not in html and person.decrypted("id_number") not in html


@pytest.mark.parametrize("kind", ["organisation", "rights", "admin"])
def test_the_right_role_sees_the_value_once_logged(tree, login, person, kind):
    official = factories.official("organiser", kind, tree["town_a"])
    client = login(official)
    page = client.get(f"/console/people/{person.pk}/").content.decode()
    assert 'hx-confirm="查看完整信息将被记录在案。确认查看？"' in page
    assert f'hx-post="/console/people/{person.pk}/reveal/id_number/"' in page

    response = reveal(client, person)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert (
        response.content.decode().strip()
        == f'<strong class="revealed">{person.decrypted("id_number")}</strong>'
    )
    access = PiiAccess.objects.get()
    assert (access.user, access.object_id, access.field, access.reason) == (
        official,
        str(person.pk),
        "id_number",
        "核对入会材料",
    )
    assert access.content_type.model == "person"

    assert (
        reveal(client, person, "phone")
        .content.decode()
        .strip()
        .endswith(f"{person.decrypted('phone')}</strong>")
    )
    assert list(PiiAccess.objects.order_by("pk").values_list("field", flat=True)) == ["id_number", "phone"]
    # The person's page lists who looked.
    assert client.get(f"/console/people/{person.pk}/").content.decode().count("核对入会材料") == 2


def test_only_protected_fields_and_only_post(tree, login, person):
    client = login(factories.official("organiser", "organisation", tree["town_a"]))
    assert reveal(client, person, "name").status_code == 404
    assert client.get(f"/console/people/{person.pk}/reveal/id_number/").status_code == 405
    assert PiiAccess.objects.count() == 0
