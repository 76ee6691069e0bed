"""Admins create official accounts and grant roles only inside their own subtree."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role, User
from core.models import HistoryEntry

from .. import factories


def _post_official(client, union, **more):
    data = {
        "username": "zhu.rong",
        "display_name": "朱融",
        "password": "express-union-2026",
        "kind": "viewer",
    }
    return client.post(reverse("accounts:official-add"), {**data, "union": union.pk, **more})


def test_admin_creates_an_official_with_a_role_in_their_subtree(tree, login):
    admin = factories.official("town-a-admin", "admin", tree["town_a"])
    response = _post_official(login(admin), tree["site_a"])
    made = User.objects.get(username="zhu.rong")
    role = Role.objects.get(user=made)
    assert response.status_code == 302 and response["Location"] == role.get_absolute_url()
    assert (made.display_name, made.is_worker, made.check_password("express-union-2026")) == (
        "朱融",
        False,
        True,
    )
    assert (role.union, role.kind, role.active) == (tree["site_a"], "viewer", True)
    assert HistoryEntry.objects.filter(object_id=str(role.pk), verb="granted").count() == 1


def test_official_creation_is_refused_outside_the_subtree_and_without_admin(tree, login):
    admin = factories.official("town-a-admin", "admin", tree["town_a"])
    organiser = factories.official("town-a-org", "organisation", tree["town_a"])
    before = (User.objects.count(), Role.objects.count(), HistoryEntry.objects.count())
    response = _post_official(login(admin), tree["site_b"])
    assert list(response.context["form"].errors) == ["union"]
    response = _post_official(login(organiser), tree["site_a"])
    assert list(response.context["form"].errors) == ["union"]
    assert (
        login(organiser)
        .get(reverse("accounts:official-add"))
        .context["form"]
        .fields["union"]
        .queryset.count()
        == 0
    )
    assert (User.objects.count(), Role.objects.count(), HistoryEntry.objects.count()) == before


def test_short_password_and_taken_username_are_explained(tree, login):
    admin = factories.official("town-a-admin", "admin", tree["town_a"])
    response = _post_official(login(admin), tree["site_a"], password="short-pw", username="town-a-admin")
    errors = response.context["form"].errors
    assert errors["username"] == ["该用户名已被使用"]
    assert errors["password"] == ["密码太短，至少需要12个字符。"]
    assert not User.objects.filter(display_name="朱融").exists()


def test_role_grant_offers_only_officials_the_admin_manages(tree, login):
    admin = factories.official("town-a-admin", "admin", tree["town_a"])
    mine = factories.official("site-a-viewer", "viewer", tree["site_a"])
    factories.official("site-b-viewer", "viewer", tree["site_b"])
    worker = factories.member(tree["site_a"]).user
    form = login(admin).get(reverse("accounts:role-add")).context["form"]
    assert set(form.fields["user"].queryset) == {admin, mine}
    assert worker is None or worker not in form.fields["user"].queryset


def test_editing_a_role_cannot_hand_it_to_another_account(tree, login):
    """The edit form changes a role's union, kind and state; its account stays (a worker's phone
    account given an admin role reached the console; the form listed every account nationwide)."""
    admin = factories.official("site-a-admin", "admin", tree["site_a"])
    viewer = factories.official("site-a-viewer", "viewer", tree["site_a"])
    elsewhere = factories.official("site-b-viewer", "viewer", tree["site_b"])
    worker = User.objects.create_user("w-phone", is_worker=True)
    role = Role.objects.get(user=viewer)
    client = login(admin)
    page = client.get(reverse("accounts:role-edit", args=[role.pk]))
    assert list(page.context["form"].fields["user"].queryset) == [viewer]
    for other in (worker, elsewhere):
        client.post(
            reverse("accounts:role-edit", args=[role.pk]),
            {"user": other.pk, "union": tree["site_a"].pk, "kind": "admin", "active": "on"},
        )
        role.refresh_from_db()
        assert role.user == viewer
    assert not Role.objects.filter(user__in=[worker, elsewhere], kind="admin").exists()
    # And whatever the way in, a worker's account holds no role.
    with pytest.raises(ValidationError, match="职工账号不能担任工会角色"):
        Role(user=worker, union=tree["site_a"], kind="viewer").full_clean()
