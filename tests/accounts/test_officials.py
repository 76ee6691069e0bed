"""Admins create official accounts and grant roles only inside their own subtree."""

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
