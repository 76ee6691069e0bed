"""programs.services.reads: the API's sign-up reads the session at most once a second per process;
what is decided by the database (seats, places) is never decided by what was read."""

from core import recent
from programs.models import Program, Registration, Session
from programs.services import reads

from . import engine as make

URL = "/api/v1/me/registrations/"


class _Counted:
    """The compiled session read, counting its runs (a prepared statement's SQL is not logged)."""

    def __init__(self, compiled):
        self.compiled, self.runs = compiled, 0

    def first(self, *values, **kwargs):
        self.runs += 1
        return self.compiled.first(*values, **kwargs)


def _sign_up(login, person, session, monkeypatch=None):
    client = login(person.user)
    if monkeypatch is None:
        return client.post(URL, {"session": session.pk}, content_type="application/json"), None
    counted = _Counted(reads._session_to_sign_up)
    monkeypatch.setattr(reads, "_session_to_sign_up", counted)
    answer = client.post(URL, {"session": session.pk}, content_type="application/json")
    monkeypatch.undo()
    return answer, counted.runs


def test_the_session_is_read_once_a_moment_and_saves_are_seen_at_once(tree, login, monkeypatch):
    site = tree["site_a"]
    session = make.session(make.program(site), capacity=5)
    first, read_first = _sign_up(login, make.worker(site), session, monkeypatch)
    second, read_second = _sign_up(login, make.worker(site), session, monkeypatch)
    assert (first.status_code, second.status_code) == (201, 201)
    assert (read_first, read_second) == (1, 0)  # the second came from memory
    program = Program.objects.get(pk=session.program_id)
    program.status = "closed"
    program.save()  # this process forgets at once
    refused, _ = _sign_up(login, make.worker(site), session)
    assert refused.status_code == 400


def test_another_process_change_is_seen_within_the_moment(tree, login, monkeypatch):
    site = tree["site_a"]
    session = make.session(make.program(site), capacity=5)
    assert _sign_up(login, make.worker(site), session)[0].status_code == 201
    # Another process closes the program: no signal reaches this one.
    Program.objects.filter(pk=session.program_id).update(status="closed")
    assert _sign_up(login, make.worker(site), session)[0].status_code == 201  # within the moment
    later = recent.time.monotonic() + reads.SESSION_SECONDS
    monkeypatch.setattr(recent.time, "monotonic", lambda: later)
    assert _sign_up(login, make.worker(site), session)[0].status_code == 400


def test_seats_follow_the_database_not_the_count_read(tree, login):
    site = tree["site_a"]
    session = make.session(make.program(site), capacity=1)
    seated, _ = _sign_up(login, make.worker(site), session)
    waiting, _ = _sign_up(login, make.worker(site), session)  # read before: one seat free
    assert (seated.json()["status"], waiting.json()["status"]) == ("confirmed", "waitlisted")
    # Waitlisted: the count read says full now. An official elsewhere adds two seats (no signal here).
    Session.objects.filter(pk=session.pk).update(capacity=3)
    third, _ = _sign_up(login, make.worker(site), session)
    assert third.json()["status"] == "confirmed"  # taken under the session's lock, as the database says
    # Still counted as full here: the next one is seated too, and the one after is waitlisted.
    assert _sign_up(login, make.worker(site), session)[0].json()["status"] == "confirmed"
    assert _sign_up(login, make.worker(site), session)[0].json()["status"] == "waitlisted"
    assert Registration.objects.filter(session=session, status="confirmed").count() == 3
    assert Session.objects.get(pk=session.pk).seated == 3


def test_a_sign_up_reads_the_person_once_and_only_what_eligibility_needs(tree, login):
    # The person is read with eligibility's columns only (eligibility.PERSON_FIELDS): a column the
    # sign-up used beyond them would be read again, by a query of its own, on every sign-up.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site = tree["site_a"]
    person = make.worker(site, employment_form="rider")
    program = make.program(
        site,
        members_only=True,
        employment_forms=["rider"],
        gender=person.gender,
        min_age=16,
        max_age=80,
        once_per_year=True,
    )
    program.regions.add(site.region)
    session = make.session(program, capacity=1)
    client = login(person.user)
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(URL, {"session": session.pk}, content_type="application/json")
    assert answer.status_code == 201, answer.json()
    # The sign-up's own read finds the person by their user (logged where not prepared: SQLite); a
    # column loaded late would be read by the person's id.
    by_id = 'FROM "members_person" WHERE "members_person"."id"'
    late = [q["sql"] for q in queries.captured_queries if by_id in q["sql"]]
    assert not late, late
    fresh = make.worker(site, "王师傅", employment_form="courier")  # refused by the conditions
    answer = login(fresh.user).post(URL, {"session": session.pk}, content_type="application/json")
    assert answer.status_code == 400 and "就业形态" in str(answer.json())


def test_the_api_reads_the_user_and_the_person_in_one_statement(tree, login):
    # MyRegistrationViewSet.perform_authentication: the signed-in user is read with the person (one round
    # trip for both). It fails if anything before the view reads the user first (a middleware), as the
    # person's read is then a statement of its own.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site = tree["site_a"]
    session = make.session(make.program(site, members_only=True), capacity=1)
    client = login(make.worker(site).user)
    client.get("/api/v1/me/")  # the session's first request may refresh it
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(URL, {"session": session.pk}, content_type="application/json")
    assert answer.status_code == 201, answer.json()
    if connection.vendor == "sqlite":  # PostgreSQL's prepared statements are not logged
        sql = [q["sql"] for q in queries.captured_queries]
        alone = [q for q in sql if 'FROM "members_person"' in q]
        users = [q for q in sql if q.startswith('SELECT "accounts_user"."id"')]
        assert not alone, alone
        assert len(users) == 1 and 'JOIN "members_person"' in users[0], users


def test_a_worker_without_a_person_record_may_not_sign_up(tree, login):
    from accounts.models import User

    session = make.session(make.program(tree["site_a"]), capacity=1)
    client = login(User.objects.create_user("w13800000077", is_worker=True))
    answer = client.post(URL, {"session": session.pk}, content_type="application/json")
    assert answer.status_code == 403
    assert not Registration.objects.filter(session=session).exists()


def test_a_deactivated_worker_is_signed_out_on_the_sign_up_path_too(tree, login):
    # The sign-up's own read of the user (signing_up_user) goes through Django's session checks as the
    # usual read does: inactive or a changed password, no sign-up.
    from accounts.models import User

    site = tree["site_a"]
    session = make.session(make.program(site), capacity=5)
    person = make.worker(site)
    client = login(person.user)
    User.objects.filter(pk=person.user_id).update(is_active=False)
    assert client.post(URL, {"session": session.pk}, content_type="application/json").status_code == 403
    User.objects.filter(pk=person.user_id).update(is_active=True)
    person.user.set_password("another-horse-battery")
    person.user.save()
    assert client.post(URL, {"session": session.pk}, content_type="application/json").status_code == 403
    assert not Registration.objects.filter(session=session).exists()
