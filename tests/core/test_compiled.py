"""core.compiled: a queryset compiled once gives what the ORM gives, for any values, on both engines."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.compiled import Compiled
from programs.models import Program, Session
from programs.services import eligibility

from .. import factories


@pytest.fixture
def sessions(tree):
    now = timezone.now()
    made = []
    for i, union in enumerate((tree["site_a"], tree["site_b"])):
        program = Program.objects.create(
            union=union, title=f"课{i}", kind="course", status="published", members_only=bool(i)
        )
        program.regions.set([union.region] if i else [])
        made.append(
            Session.objects.create(
                program=program,
                place=f"地点{i}",
                starts_at=now + datetime.timedelta(days=i + 1),
                ends_at=now + datetime.timedelta(days=i + 1, hours=2),
                capacity=10 + i,
            )
        )
    return made


def plain(session_id):
    queryset = eligibility.with_region_codes(Session.objects.filter(program__status="published"))
    return queryset.filter(pk=session_id).select_related("program").order_by("pk")[:1]


def test_the_same_instance_as_the_orm_for_each_value(sessions):
    compiled = Compiled(plain)
    for session in sessions:
        expected = plain(session.pk).get()
        found = compiled.first(session.pk)
        fields = [f.attname for f in Session._meta.concrete_fields]
        assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
        assert found.program_region_codes == expected.program_region_codes  # the annotation
        with CaptureQueriesContext(connection) as captured:
            assert found.program.title == expected.program.title  # select_related: no query
        assert len(captured) == 0
        assert found._state.adding is False and found._state.db == "default"
    assert compiled.first(10**9) is None


def test_values_go_only_where_the_marks_were(tree):
    person = factories.member(tree["site_a"], "甲")
    other = factories.member(tree["site_b"], "乙")
    compiled = Compiled(
        lambda user_id, name: eligibility.with_membership(
            type(person).objects.filter(user_id=user_id, name=name)
        ).order_by("pk")[:1]
    )
    for who in (person, other):
        who.user = factories.official(f"u{who.pk}", "organisation", tree["district"])
        who.save()
        found = compiled.first(who.user_id, who.name)
        assert (found.pk, found.active_membership_id) == (who.pk, who.memberships.get().pk)
    assert compiled.first(person.user_id, other.name) is None


def test_a_value_the_sql_does_not_take_is_refused(sessions):
    # A value the builder does not pass to its SQL (here not at all) could never be bound: no plan is made.
    from django.core.exceptions import ImproperlyConfigured

    compiled = Compiled(lambda pk, place: Session.objects.filter(pk=pk)[:1])
    with pytest.raises(ImproperlyConfigured):
        compiled.first(sessions[0].pk, "地点0")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_postgresql_prepares_a_compiled_statement_once_per_connection(sessions):
    # After prepare_threshold runs the server plans the statement once and runs it with each value:
    # the same instances as before, and one prepared statement however many values.
    compiled = Compiled(plain)
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    for _ in range(threshold + 2):
        for session in sessions:
            assert compiled.first(session.pk).pk == session.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            [compiled._plan("default")[0].split(" WHERE ")[0] + "%"],  # up to the values ($1, $2…)
        )
        runs = [row[0] for row in cursor.fetchall()]
    assert len(runs) == 1 and runs[0] >= 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_prepared_cursor_raises_djangos_errors(db):
    from django.db import IntegrityError, transaction

    from core.compiled import prepared_cursor

    with pytest.raises(IntegrityError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute("INSERT INTO programs_session (id) VALUES (%s)", [None])  # id is NOT NULL
