"""The proof: after people are made through the real paths, no raw ID number or phone is anywhere.

Not in any table (every table read raw, sessions decoded), not in any log record (captured
before the redacting filter runs, with SQL and its parameters logged), not on the console
SMS backend's output, and not in any URL the flows requested, were redirected to or were
offered as a link or form target.
"""

import logging
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client

from core.models import PiiAccess
from members.models import Membership, Person

from .. import factories

URL_ATTRIBUTE = re.compile(r'(?:href|action|src|hx-get|hx-post)="([^"]*)"')


class RawLogs(logging.Handler):
    """Sees every record first, before any handler's filter could redact it."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


class RecordingClient(Client):
    """A test client that keeps every URL it visits or is offered."""

    def __init__(self, urls: list[str], **defaults):
        super().__init__(**defaults)
        self.urls = urls

    def request(self, **request):
        self.urls.append(f"{request['PATH_INFO']}?{request.get('QUERY_STRING', '')}")
        response = super().request(**request)
        if response.has_header("Location"):
            self.urls.append(response["Location"])
        if "html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
            self.urls.extend(URL_ATTRIBUTE.findall(response.content.decode()))
        return response


@pytest.fixture
def raw_logs(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("django.db.backends", "django", "axes", "core", "members", "accounts", "portal"):
        caplog.set_level(logging.DEBUG, logger=name)
    handler = RawLogs()
    root = logging.getLogger()
    root.handlers.insert(0, handler)
    connection.force_debug_cursor = True  # SQL and its parameters go to the log too
    try:
        yield handler
    finally:
        connection.force_debug_cursor = False
        root.removeHandler(handler)


def every_stored_text() -> list[str]:
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    texts.append(f"{table}: {value}")
    # Session data is encoded; look inside it too.
    for session_data in SessionStore.get_model_class().objects.values_list("session_data", flat=True):
        texts.append(f"session: {SessionStore().decode(session_data)}")
    return texts


def test_no_raw_personal_data_in_database_logs_or_urls(tree, settings, raw_logs, caplog, capsys):
    settings.SMS_BACKEND = "core.notify.ConsoleSmsBackend"
    urls: list[str] = []
    printed: list[str] = []

    # 1. Model setters, as imports and services do (a lowercase x, a formatted phone).
    made_id = next(
        n for n in (factories.id_number(i, birth="19851224") for i in range(100)) if n.endswith("X")
    )
    made_phone = factories.phone()
    person = Person(name="王师傅")
    person.set_id_number(made_id.lower())
    person.set_phone(f"+86 {made_phone[:3]} {made_phone[3:7]} {made_phone[7:]}")
    person.save()
    factories.member(tree["site_a"], "李师傅")  # a second person with its own numbers
    Membership.objects.create(person=person, union=tree["site_a"], card_number="PROOF-1")

    # 2. A worker signs in on the H5 with a code sent by the console SMS backend.
    worker_phone = "13912345678"
    phone_client = RecordingClient(urls)
    phone_client.post("/login/", {"phone": "+86 139-1234-5678"})
    printed.append(capsys.readouterr().err)
    code = re.search(r"验证码 (\d{6})", printed[-1]).group(1)
    assert "139****5678" in printed[-1]
    response = phone_client.post(
        "/login/", {"phone": worker_phone, "code": code, "consent": "on"}, follow=True
    )
    assert response.status_code == 200
    phone_client.post("/me/consents/give/services/", follow=True)
    worker = Person.objects.get(user__is_worker=True)
    phone_client.post(f"/me/consents/{worker.consents.get(purpose='services').pk}/withdraw/", follow=True)
    Membership.objects.create(person=worker, union=tree["site_b"], card_number="PROOF-2")

    # 3. An official signs in with a password, searches by full ID number and by phone, reveals, exports.
    factories.official("organiser", "organisation", tree["district"])
    console = RecordingClient(urls)
    console.post(
        "/accounts/login/", {"username": "organiser", "password": "correct-horse-battery"}, follow=True
    )
    console.get("/console/people/", {"q": "王", "employment_form": "other"})
    found = console.post("/console/people/", {"number": made_id}, follow=True)
    assert found.context["object"] == person
    found = console.post("/console/people/", {"number": "+86 139 1234 5678"}, follow=True)
    assert found.context["object"].phone_mask == "139****5678"
    revealed = console.post(f"/console/people/{person.pk}/reveal/id_number/", {"reason": "核对"})
    assert made_id in revealed.content.decode()  # shown to the official who asked, once
    console.get("/console/people/", {"format": "xlsx"}, follow=True)
    console.get("/api/v1/people/", {"q": "王"})
    assert console.post("/api/v1/people/lookup/", {"number": made_id}).json()["id"] == person.pk
    assert PiiAccess.objects.count() == 1

    raws = raw_numbers()
    assert {made_id, made_id.lower(), made_phone, worker_phone} <= set(raws) and len(raws) >= 6

    # (a) the database, every table, read raw
    stored = every_stored_text()
    assert any(person.id_number_mask in text for text in stored)  # the scan does see the people
    assert len({text.split(":")[0] for text in stored}) >= 10
    leaks = [(raw, text) for text in stored for raw in raws if raw in text]
    assert leaks == []

    # (b) logs, before any redaction, with SQL parameters; and what was printed (console SMS backend)
    printed.append(capsys.readouterr().err)
    assert any("members_person" in line for line in raw_logs.lines)  # SQL was captured
    logged = [*raw_logs.lines, caplog.text, *printed]
    assert [(raw, line) for line in logged for raw in raws if raw in line] == []

    # (c) URLs requested, redirected to, or offered in pages
    assert any(url.startswith("/console/people/") for url in urls) and any("/me/" in url for url in urls)
    assert [(raw, url) for url in urls for raw in raws if raw in url] == []


def raw_numbers() -> list[str]:
    """Everyone's raw numbers (read through the keys, only to search for them), with the x in both cases."""
    values = []
    for person in Person.objects.all():
        id_number, phone = person.decrypted("id_number"), person.decrypted("phone")
        values.extend(v for v in (id_number, id_number.lower(), phone) if v)
    return sorted(set(values))
