"""Every change is recorded: who, when, before and after, from every source; nobody can edit the record."""

import io
import json
import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import RoleKind
from core import jobs
from core.history import MASK, acting_as, current_actor, record_action
from core.models import HistoryEntry, Job
from members.models import Person
from orgs.models import Union
from tests import factories


def plain(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def entries(obj) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.for_object(obj).order_by("id"))


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


UNION_FORM = {"kind": "grassroots", "sector": "express", "status": "active", "address": "柯桥街道笛扬路1号"}


def test_console_create_and_change(tree, login):
    official = factories.official("town-a", RoleKind.ORGANISATION, tree["town_a"])
    client = login(official)
    start = timezone.now()
    form = {**UNION_FORM, "name": "中通柯桥网点工会", "parent": tree["site_a"].pk, "region": "330603001"}
    assert client.post(reverse("orgs:union-add"), form).status_code == 302
    union = Union.objects.get(name="中通柯桥网点工会")
    [created] = entries(union)
    assert (created.kind, created.actor, created.actor_label) == ("created", official, "web")
    assert start <= created.at <= timezone.now()
    assert created.changes == {
        "id": [None, union.pk],
        "created_at": [None, plain(union.created_at)],
        "name": [None, "中通柯桥网点工会"],
        "kind": [None, "grassroots"],
        "parent_id": [None, tree["site_a"].pk],
        "path": [None, union.path],
        "depth": [None, 4],
        "region_id": [None, "330603001"],
        "sector": [None, "express"],
        "status": [None, "active"],
        "address": [None, "柯桥街道笛扬路1号"],
    }

    edit = {**form, "name": "中通柯桥网点联合工会", "chair_name": "王主席", "address": ""}
    assert client.post(reverse("orgs:union-edit", args=[union.pk]), edit).status_code == 302
    created_again, changed = entries(union)
    assert created_again == created
    assert (changed.kind, changed.actor, changed.actor_label) == ("changed", official, "web")
    assert changed.changes == {
        "name": ["中通柯桥网点工会", "中通柯桥网点联合工会"],
        "chair_name": ["", "王主席"],
        "address": ["柯桥街道笛扬路1号", ""],
    }
    # Saving the same form again changes nothing, and records nothing.
    assert client.post(reverse("orgs:union-edit", args=[union.pk]), edit).status_code == 302
    assert len(entries(union)) == 2


def test_api_with_token_records_the_user(tree):
    official = factories.official("district-admin", RoleKind.ADMIN, tree["district"])
    client = token_client(official)
    body = {
        "name": "美团柯桥站点工会",
        "kind": "grassroots",
        "parent": tree["town_a"].pk,
        "region": "330603001",
    }
    response = client.post(reverse("union-list"), body, format="json")
    assert response.status_code == 201, response.content
    union = Union.objects.get(pk=response.json()["id"])
    response = client.patch(reverse("union-detail", args=[union.pk]), {"chair_name": "李主席"}, format="json")
    assert response.status_code == 200
    snapshot = {k: plain(v) for k, v in Union.objects.filter(pk=union.pk).values()[0].items()}
    assert client.delete(reverse("union-detail", args=[union.pk])).status_code == 204

    created, changed, deleted = entries(union)
    for entry in (created, changed, deleted):
        assert (entry.actor, entry.actor_label) == (official, "api")
    assert created.changes["name"] == [None, "美团柯桥站点工会"]
    assert changed.changes == {"chair_name": ["", "李主席"]}
    del snapshot["updated_at"]
    assert deleted.kind == "deleted"
    assert deleted.changes == {field: [value, None] for field, value in snapshot.items()}
    # Outside the request the actor is gone again.
    assert current_actor().user_id is None


def test_masked_fields_show_stars(tree):
    id_number = factories.id_number(3)
    person = Person(name="李师傅")
    person.set_id_number(id_number)
    person.set_phone("+86 139 0000 0001")
    with acting_as(None, "test"):
        person.save()
    [created] = entries(person)
    assert {k: v for k, v in created.changes.items() if k not in ("id", "created_at")} == {
        "name": [None, "李师傅"],
        "id_number_cipher": [None, MASK],
        "id_number_hash": [None, MASK],
        "id_number_mask": [None, f"330621********{id_number[-4:]}"],
        "phone_cipher": [None, MASK],
        "phone_hash": [None, MASK],
        "phone_mask": [None, "139****0001"],
        "birth_date": [None, "1990-01-01"],
        "gender": [None, "male"],
        "id_region_code": [None, "330621"],
        "employment_form": [None, "other"],
    }
    person = Person.objects.get(pk=person.pk)
    person.set_phone("13900000002")
    person.save()
    changed = entries(person)[-1]
    assert changed.changes == {
        "phone_cipher": [MASK, MASK],
        "phone_hash": [MASK, MASK],
        "phone_mask": ["139****0001", "139****0002"],
    }
    text = json.dumps([e.changes for e in entries(person)], ensure_ascii=False)
    assert "13900000001" not in text and "13900000002" not in text and id_number[6:] not in text


def test_change_from_a_management_command(tree, monkeypatch):
    # What `manage.py load_unions` sees: changes outside any request are the command's.
    monkeypatch.setattr(sys, "argv", ["manage.py", "load_unions", "--file", "x.csv"])
    union = factories.union("命令建的工会", "grassroots", tree["site_a"])
    [entry] = entries(union)
    assert (entry.actor, entry.actor_label) == (None, "command:load_unions")
    monkeypatch.setattr(sys, "argv", ["gunicorn", "niangjia.wsgi"])
    assert current_actor().label == "system"


def test_real_command_records_its_run(db):
    before = HistoryEntry.objects.count()
    call_command("rotate_pii_keys", stdout=io.StringIO())
    entry = HistoryEntry.objects.order_by("-id").first()
    assert HistoryEntry.objects.count() == before + 1
    assert (entry.kind, entry.verb, entry.actor, entry.actor_label) == (
        "action",
        "pii_keys_rotated",
        None,
        "command:rotate_pii_keys",
    )


@task()
def make_union(job_id: int, name: str, parent_id: int) -> None:
    def work(job, progress):
        parent = Union.objects.get(pk=parent_id)
        Union.objects.create(name=name, kind="grassroots", parent=parent, region=parent.region)
        return {"made": 1}

    jobs.run(job_id, work)


def test_background_task_is_the_jobs_creator(tree):
    official = factories.official("town-a", RoleKind.ORGANISATION, tree["town_a"])
    someone_else = factories.official("other", RoleKind.ADMIN, tree["district"])
    # Even queued from inside another user's request, the task acts as the job's creator.
    with acting_as(someone_else, "web"):
        job = jobs.start("import_unions", "导入工会", official, make_union, "任务建的工会", tree["site_a"].pk)
    assert (Job.objects.get(pk=job.pk).status, Job.objects.get(pk=job.pk).result) == ("done", {"made": 1})
    [entry] = entries(Union.objects.get(name="任务建的工会"))
    assert (entry.kind, entry.actor, entry.actor_label) == ("created", official, "task:import_unions")


def test_record_action_shows_on_the_object_page(tree, login):
    union = tree["town_a"]
    official = factories.official("district", RoleKind.ADMIN, tree["district"])
    with acting_as(official, "web"):
        action = record_action(union, "approved", note="批复同意成立", data={"document": "柯工〔2026〕12号"})
    assert (action.kind, action.verb, action.changes, action.actor) == (
        "action",
        "approved",
        {"document": "柯工〔2026〕12号"},
        official,
    )
    response = login(official).get(union.get_absolute_url())
    assert response.status_code == 200
    assert response.context["history"][0] == action
    page = response.content.decode()
    assert "approved" in page and "批复同意成立" in page
    # A workflow step's data is shown as it was given, not as a before/after pair.
    assert '<code>document</code> <span class="new">柯工〔2026〕12号</span>' in page


@pytest.fixture
def entry(tree):
    return HistoryEntry.objects.for_object(tree["district"]).get()


def test_history_cannot_be_edited_by_the_application(entry):
    original = HistoryEntry.objects.filter(pk=entry.pk).values()[0]
    entry.note = "改写"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        HistoryEntry.objects.filter(pk=entry.pk).update(note="改写")
    with pytest.raises(PermissionDenied):
        HistoryEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionDenied), transaction.atomic():
        HistoryEntry.objects.bulk_update([entry], ["note"])
    assert HistoryEntry.objects.filter(pk=entry.pk).values()[0] == original


def test_history_cannot_be_edited_in_the_database(entry):
    original = HistoryEntry.objects.filter(pk=entry.pk).values()[0]
    for sql in (
        "UPDATE core_historyentry SET note = 'x' WHERE id = %s",
        "DELETE FROM core_historyentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert HistoryEntry.objects.filter(pk=entry.pk).values()[0] == original
    # Appending still works.
    record_action(entry, "checked")


def test_before_is_what_was_last_read(tree):
    """A save after refresh_from_db records the values another save wrote meanwhile as "before"."""
    first = Union.objects.get(pk=tree["site_a"].pk)
    second = Union.objects.get(pk=tree["site_a"].pk)
    first.chair_name = "甲"
    first.save()
    second.refresh_from_db()
    second.chair_name = "乙"
    second.save()
    first.refresh_from_db(fields=["chair_name"])
    first.chair_name = "丙"
    first.save()
    assert [entry.changes for entry in entries(first)[-3:]] == [
        {"chair_name": ["", "甲"]},
        {"chair_name": ["甲", "乙"]},
        {"chair_name": ["乙", "丙"]},
    ]


def test_history_shows_a_field_named_items(db):
    """`changes.items` in a template would read the change of a field called "items", not the pairs."""
    from django.template.loader import render_to_string

    from core.models import HistoryEntry

    entry = HistoryEntry(kind="changed", object_repr="x", changes={"items": ["清凉包", "清凉包和毛巾"]})
    html = render_to_string("core/_history.html", {"history": [entry]})
    assert "清凉包和毛巾" in html and "<code>items</code>" in html


def test_values_are_recorded_as_the_json_encoder_writes_them():
    # _plain turns the usual values into JSON's without the encoder's round trip: the same text.
    import datetime
    import decimal
    import uuid

    from django.utils.translation import gettext_lazy

    from core.history import _plain
    from programs.choices import RegistrationStatus

    values = [
        timezone.now(),
        datetime.datetime(2026, 11, 30, 8, 5, 1, 123456, tzinfo=datetime.UTC),
        datetime.date(2026, 11, 30),
        datetime.time(8, 5, 1, 500),
        datetime.timedelta(hours=36, seconds=5),
        decimal.Decimal("60000.00"),
        uuid.uuid4(),
        RegistrationStatus.CONFIRMED,
        gettext_lazy("已确认"),
        {"a": [1, datetime.date(2026, 1, 2)]},
        "文本",
        7,
        None,
    ]
    for value in values:
        assert _plain(value) == plain(value) and type(_plain(value)) is type(plain(value)), value


def test_a_snapshot_reads_every_recorded_field_a_file_by_its_stored_name():
    # _snapshot reads a model's recorded fields with one getter: the values value_from_object gives,
    # a file field's stored name in place of the file object, nothing history ignores.
    from core.history import _snapshot
    from orgs.models import EstablishmentDocument

    document = EstablishmentDocument(file="establishments/2026/章程.pdf")
    snapshot = _snapshot(document)
    expected = {
        field.attname: field.value_from_object(document)
        for field in EstablishmentDocument._meta.concrete_fields
        if field.attname not in EstablishmentDocument.history_ignored_fields
    }
    assert snapshot == {**expected, "file": "establishments/2026/章程.pdf"}
    assert "updated_at" not in snapshot and type(snapshot["file"]) is str
