"""Officials: 12-character passwords, lockout after 5 failures, idle timeout, Django admin for superusers."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.backends import USER_BACKEND
from accounts.models import User

from .. import factories

PASSWORD = "correct-horse-battery"
WRONG = "incorrect-horse-battery"


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def official(tree):
    return factories.official("town-admin", "admin", tree["town_a"])


def test_passwords_need_twelve_characters(db):
    with pytest.raises(ValidationError) as caught:
        services.validate_new_password("Short-pass1")
    assert caught.value.messages == ["密码太短，至少需要12个字符。"]
    services.validate_new_password("柯桥工会-安全口令-26")
    user = User.objects.create_user("someone")
    form = SetPasswordForm(user, {"new_password1": "abc-12345", "new_password2": "abc-12345"})
    assert form.errors == {"new_password2": ["密码太短，至少需要12个字符。"]}


def test_a_right_password_signs_in(official):
    client = Client()
    response = sign_in(client, "town-admin", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/console/")
    assert signed_in(client)


def test_five_failures_lock_the_account_for_thirty_minutes(official):
    client = Client()
    for _ in range(4):
        response = sign_in(client, "town-admin", WRONG)
        assert response.status_code == 200
        assert "用户名或密码不正确。连续错误5次将锁定30分钟。" in response.content.decode()
    locked = sign_in(client, "town-admin", WRONG)  # the fifth
    assert locked.status_code == 429
    assert "账号已锁定" in locked.content.decode()

    response = sign_in(Client(), "town-admin", PASSWORD)  # the sixth, right password, another browser
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert not signed_in(client)

    # 29 minutes later: still locked.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert sign_in(Client(), "town-admin", PASSWORD).status_code == 429
    # After the cool-off the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    client = Client()
    response = sign_in(client, "town-admin", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/console/")
    assert signed_in(client)


def test_the_lock_is_per_account(tree, official):
    factories.official("other-admin", "admin", tree["town_b"])
    client = Client()
    for _ in range(5):
        sign_in(client, "town-admin", WRONG)
    response = sign_in(client, "other-admin", PASSWORD)
    assert response.status_code == 302


def test_a_phone_typed_as_username_is_kept_masked(db):
    from axes.models import AccessAttempt

    for typed in ("138 0013 8000", "13800138000"):
        assert sign_in(Client(), typed, WRONG).status_code == 200
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"138****8000"}


def test_workers_cannot_use_the_password_login(db):
    worker = User.objects.create_user("w1", password=PASSWORD, is_worker=True)
    client = Client()
    response = sign_in(client, worker.username, PASSWORD)
    assert response.status_code == 200
    assert "用户名或密码不正确。连续错误5次将锁定30分钟。" in response.content.decode()
    assert not signed_in(client)


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_an_idle_session_ends(official):
    client = Client()
    sign_in(client, "town-admin", PASSWORD)
    assert client.get("/console/").status_code == 200
    idle = timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    assert abs(expiry(client) - (timezone.now() + idle)) < timedelta(seconds=5)

    # Last touched 29 minutes ago: still signed in, and the request slides the expiry forward.
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/console/").status_code == 200
    assert abs(expiry(client) - (timezone.now() + idle)) < timedelta(seconds=5)

    # Untouched for more than the idle time: signed out.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/console/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/console/")


def test_a_busy_session_is_written_once_a_refresh_interval(official):
    # Requests within a refresh interval (a thirtieth of the idle time) of the last write write
    # nothing; the first one after it slides the expiry again.
    from accounts.sessions import refresh_seconds

    client = Client()
    sign_in(client, "town-admin", PASSWORD)
    client.get("/console/")
    written = expiry(client)
    idle = settings.SESSION_IDLE_MINUTES * 60
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/console/").status_code == 200
    assert expiry(client) == written
    assert not [q for q in captured if "django_session" in q["sql"] and "UPDATE" in q["sql"]]

    # Last written a refresh interval and a second ago: this request writes.
    ago = timedelta(seconds=refresh_seconds(idle) + 1)
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=idle) - ago)
    assert client.get("/console/").status_code == 200
    assert abs(expiry(client) - (timezone.now() + timedelta(seconds=idle))) < timedelta(seconds=5)


def test_the_idle_time_is_configurable(settings, official):
    settings.SESSION_IDLE_MINUTES = 10
    client = Client()
    sign_in(client, "town-admin", PASSWORD)
    client.get("/console/")
    assert abs(expiry(client) - (timezone.now() + timedelta(minutes=10))) < timedelta(seconds=5)


@pytest.mark.parametrize("staff", [False, True])
def test_django_admin_refuses_officials(tree, login, staff):
    official = factories.official("district-admin", "admin", tree["district"])
    official.is_staff = staff
    official.save()
    response = login(official).get("/django-admin/")
    assert (response.status_code, response["Location"]) == (302, "/django-admin/login/?next=/django-admin/")
    assert login(official).get("/django-admin/members/person/").status_code == 302
    assert Client().get("/django-admin/").status_code == 302


def test_django_admin_lets_superusers_in(db, login):
    root = User.objects.create_superuser("root", password=PASSWORD)
    assert login(root).get("/django-admin/").status_code == 200


def test_an_official_changes_their_password(official):
    client, elsewhere = Client(), Client()
    sign_in(client, "town-admin", PASSWORD)
    sign_in(elsewhere, "town-admin", PASSWORD)
    page = client.get("/console/").content.decode()
    assert 'href="/accounts/password/"' in page  # the top bar's link

    new = "新的口令 Kq-2026-长一些"
    wrong = client.post(
        "/accounts/password/", {"old_password": "not it", "new_password1": new, "new_password2": new}
    )
    assert wrong.status_code == 200 and "旧密码不正确" in wrong.content.decode()
    short = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "短1", "new_password2": "短1"}
    )
    assert short.status_code == 200 and "至少" in short.content.decode()
    official.refresh_from_db()
    assert official.check_password(PASSWORD)  # refused twice: nothing changed

    done = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert (done.status_code, done["Location"]) == (302, "/console/")
    assert "密码已修改" in client.get("/console/").content.decode()  # still signed in here
    official.refresh_from_db()
    assert official.check_password(new) and not official.check_password(PASSWORD)
    # Signed out on the other device: its session carries the old password's hash.
    assert elsewhere.get("/console/").status_code == 302


def test_the_password_page_is_for_officials_with_a_password(db, tree):
    assert Client().get("/accounts/password/").status_code == 302  # to the login page
    worker = User.objects.create_user("w-rider", is_worker=True)  # workers sign in by SMS code
    phone = Client()
    phone.force_login(worker, backend=USER_BACKEND)
    assert not worker.has_usable_password()
    assert phone.get("/accounts/password/").status_code == 404
    # An account without a role is no official either.
    factories.official("no-role", None, None)
    client = Client()
    client.force_login(User.objects.get(username="no-role"))
    assert client.get("/accounts/password/").status_code == 404
