"""GET /api/v1/me/: who is signed in, from the session or a token, with no query beyond theirs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User

from .. import factories

URL = "/api/v1/me/"


def test_a_worker_and_an_official_see_who_they_are(tree, login):
    worker = User.objects.create_user("w13800000000", is_worker=True, display_name="李骑手")
    official = factories.official("town-a-admin", "admin", tree["town_a"])
    assert login(worker).get(URL).json() == {
        "id": worker.pk,
        "username": "w13800000000",
        "display_name": "李骑手",
        "is_worker": True,
        "language": "zh-hans",
    }
    answer = login(official).get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (answer["id"], answer["is_worker"], answer["language"]) == (official.pk, False, "en")


def test_it_reads_the_session_and_the_user_only(db, login):
    client = login(User.objects.create_user("w13800000001", is_worker=True))
    client.get(URL)  # the session's first request may refresh it
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    assert [q["sql"].split('"')[1] for q in captured] == ["django_session", "accounts_user"]


def test_a_token_works_and_nobody_signed_in_is_refused(db, client):
    assert client.get(URL).status_code in (401, 403)
    user = User.objects.create_user("w13800000002", is_worker=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    answer = api.get(URL)
    assert answer.json()["id"] == user.pk
    # The idle timeout (run after the view) slides the session's user only: a token's request has no
    # session and is given none.
    assert "sessionid" not in answer.cookies


def test_the_signed_in_user_is_read_afresh_each_request(db, login):
    # accounts.backends.UserBackend: a deactivated or deleted user, or a changed password, signs out.
    user = User.objects.create_user("w13800000003", is_worker=True)
    client = login(user)
    assert client.get(URL).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(URL).status_code in (401, 403)
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert client.get(URL).status_code == 200
    user.set_password("another-horse-battery")
    user.save()
    assert client.get(URL).status_code in (401, 403)
    again = login(user)
    user.delete()
    assert again.get(URL).status_code in (401, 403)


def test_signing_out_leaves_no_session_behind(db, login):
    # The idle timeout slides the session after the view: not one the view has just flushed.
    from django.contrib.sessions.models import Session

    client = login(User.objects.create_user("w13800000004", is_worker=True))
    assert client.get(URL).status_code == 200
    assert Session.objects.count() == 1
    assert client.post("/logout/").status_code == 302
    assert Session.objects.count() == 0
    assert client.get(URL).status_code in (401, 403)
