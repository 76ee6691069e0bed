"""Sign-up, waitlist, offers, moves and capacity: the engine's rules, checked on the rows."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import HistoryEntry
from programs.models import Registration, Session
from programs.services import registrations as engine

from .. import factories
from . import engine as make


@pytest.fixture
def official(tree):
    return factories.official("service_a", "service", tree["district"])


def seated(session) -> int:
    return Session.objects.get(pk=session.pk).seated


def test_first_come_confirms_while_seats_remain_then_waitlists(site):
    session = make.session(make.program(site), capacity=2)
    first, second, third, fourth = (make.worker(site, f"职工{i}") for i in range(4))
    a = engine.sign_up(session, first)
    b = engine.sign_up(session, second)
    c = engine.sign_up(session, third)
    d = engine.sign_up(session, fourth)
    assert [a.status, b.status, c.status, d.status] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert a.ticket_code and b.ticket_code and a.ticket_code != b.ticket_code
    assert c.ticket_code is None and (c.position, d.position) == (1, 2)
    assert seated(session) == 2


def test_second_sign_up_is_refused_with_a_clear_message(site):
    prog = make.program(site)
    one, two = make.session(prog), make.session(prog, days=4)
    person = make.worker(site)
    engine.sign_up(one, person)
    with pytest.raises(ValidationError, match="已报名"):
        engine.sign_up(one, person)
    with pytest.raises(ValidationError, match="已报名"):  # one per program: another session too
        engine.sign_up(two, person)
    assert Registration.objects.filter(person=person).count() == 1


def test_one_per_session_allows_each_session_once(site):
    prog = make.program(site, one_per="session")
    one, two = make.session(prog), make.session(prog, days=4)
    person = make.worker(site)
    engine.sign_up(one, person)
    engine.sign_up(two, person)
    with pytest.raises(ValidationError, match="已报名"):
        engine.sign_up(two, person)


def test_the_database_refuses_a_second_active_registration(site):
    """Not only the code: the partial unique index refuses it whatever writes the row."""
    session = make.session(make.program(site))
    person = make.worker(site)
    engine.sign_up(session, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            program=session.program,
            session=session,
            person=person,
            holder=f"p{session.program_id}",
            status="waitlisted",
        )


def test_the_database_refuses_a_ticket_code_twice_but_not_two_without_one(site):
    """The partial unique index covers the rows with a code: waitlisted rows (none) are not its entries."""
    session = make.session(make.program(site), capacity=1)
    confirmed = engine.sign_up(session, make.worker(site, "甲"))
    waiting = [engine.sign_up(session, make.worker(site, name)) for name in ("乙", "丙")]
    assert [r.ticket_code for r in waiting] == [None, None]
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=waiting[0].pk).update(ticket_code=confirmed.ticket_code)


def test_the_database_refuses_an_oversold_session(site):
    session = make.session(make.program(site), capacity=1)
    engine.sign_up(session, make.worker(site))
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(seated=2)


def test_saving_a_session_read_earlier_keeps_the_seats_taken_meanwhile(site):
    # An official edits the place while sign-ups go on: the form's instance was read before the last
    # seat went. Its save wrote the count it read back, the seat was free again and a second person got
    # it: one seat, two confirmed.
    session = make.session(make.program(site, title="插花课"), capacity=1)
    read_by_the_form = Session.objects.get(pk=session.pk)
    engine.sign_up(session, make.worker(site, "甲"))
    read_by_the_form.place = "职工服务中心二楼"
    read_by_the_form.save()
    fresh = Session.objects.select_related("program").get(pk=session.pk)
    assert (fresh.place, fresh.seated) == ("职工服务中心二楼", 1)
    assert engine.sign_up(fresh, make.worker(site, "乙")).status == "waitlisted"
    assert Registration.objects.filter(session=session, status="confirmed").count() == 1
    # An instance read with some fields writes those only, as Django's save() would.
    partly = Session.objects.only("place").get(pk=session.pk)
    partly.place = "职工服务中心三楼"
    with CaptureQueriesContext(connection) as queries:
        partly.save()
    (update,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert update.split(" WHERE ")[0].count("=") == 1 and '"place"' in update
    assert Session.objects.values_list("place", "seated", "last_position").get(pk=session.pk) == (
        "职工服务中心三楼",
        1,
        1,
    )


def test_saving_a_program_read_earlier_keeps_the_views_counted_meanwhile(site):
    from programs.models import Program
    from programs.services import funnel

    program = make.program(site, title="插花课")
    read_by_the_form = Program.objects.get(pk=program.pk)
    funnel.record_view(program)
    funnel.record_view(program)
    read_by_the_form.title = "插花课（周六班）"
    read_by_the_form.save()
    assert Program.objects.values_list("title", "view_count").get(pk=program.pk) == ("插花课（周六班）", 2)


def test_ineligible_person_is_refused_with_the_reasons(site, tree):
    session = make.session(make.program(site, gender="female"))
    man = make.worker(site)  # the factory's ID numbers are male by default
    with pytest.raises(ValidationError) as raised:
        engine.sign_up(session, man)
    assert "仅限女性职工" in " ".join(raised.value.messages)
    assert not Registration.objects.exists()


def test_cancel_offers_the_seat_to_the_first_waitlisted(site):
    session = make.session(make.program(site, offer_hours=12), capacity=1)
    a, b, c = (engine.sign_up(session, make.worker(site, f"职工{i}")) for i in range(3))
    before = timezone.now()
    engine.cancel(a, reason="临时有事")
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.status == "cancelled" and a.cancelled_at
    assert b.status == "offered" and c.status == "waitlisted"
    assert (
        before + datetime.timedelta(hours=12)
        <= b.offer_expires_at
        <= timezone.now() + datetime.timedelta(hours=12)
    )
    assert seated(session) == 1  # the offer holds the seat
    engine.accept_offer(b)
    b.refresh_from_db()
    assert b.status == "confirmed" and b.ticket_code and b.offer_expires_at is None
    assert seated(session) == 1


def test_cancel_without_waitlist_frees_the_seat(site):
    session = make.session(make.program(site), capacity=1)
    a = engine.sign_up(session, make.worker(site, "甲"))
    engine.cancel(a)
    assert seated(session) == 0
    b = engine.sign_up(session, make.worker(site, "乙"))
    assert b.status == "confirmed"
    with pytest.raises(ValidationError, match="不能取消"):
        engine.cancel(a)
    assert seated(session) == 1


def test_an_expired_offer_moves_on_to_the_next(site):
    session = make.session(make.program(site, offer_hours=1), capacity=1)
    a, b, c = (engine.sign_up(session, make.worker(site, f"职工{i}")) for i in range(3))
    engine.cancel(a)
    assert engine.expire_offers() == 0  # not yet due
    later = timezone.now() + datetime.timedelta(hours=2)
    assert engine.expire_offers(later) == 1
    b.refresh_from_db(), c.refresh_from_db()
    assert b.status == "expired" and c.status == "offered"
    assert seated(session) == 1
    with pytest.raises(ValidationError):
        engine.accept_offer(b)


def test_accepting_a_late_offer_moves_the_seat_on_at_once(site):
    """Past the deadline, before the periodic expiry came by: refused, and the seat goes to the next now
    (as the refusal says), so a later decline has nothing to decline."""
    session = make.session(make.program(site, offer_hours=1), capacity=1)
    a, b, c = (engine.sign_up(session, make.worker(site, f"职工{i}")) for i in range(3))
    engine.cancel(a)
    Registration.objects.filter(pk=b.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="名额已顺延"):
        engine.accept_offer(b)
    b.refresh_from_db(), c.refresh_from_db()
    assert (b.status, c.status) == ("expired", "offered") and seated(session) == 1
    with pytest.raises(ValidationError, match="没有待确认"):
        engine.decline_offer(b)


def test_declining_an_offer_passes_it_on_and_leaving_the_waitlist(site):
    session = make.session(make.program(site), capacity=1)
    a, b, c, d = (engine.sign_up(session, make.worker(site, f"职工{i}")) for i in range(4))
    engine.leave_waitlist(c)
    engine.cancel(a)
    engine.decline_offer(b)
    b.refresh_from_db(), c.refresh_from_db(), d.refresh_from_db()
    assert (b.status, c.status, d.status) == ("left", "left", "offered")
    engine.decline_offer(d)
    assert seated(session) == 0
    with pytest.raises(ValidationError):
        engine.leave_waitlist(a)


def test_reorder_needs_a_reason_and_is_logged(site, official):
    session = make.session(make.program(site), capacity=1)
    regs = [engine.sign_up(session, make.worker(site, f"职工{i}")) for i in range(4)]
    waiting = regs[1:]
    with pytest.raises(ValidationError, match="原因"):
        engine.reorder(waiting[2], 1, by=official, reason="  ")
    engine.reorder(waiting[2], 1, by=official, reason="孕期职工优先")
    assert [r.pk for r in engine.waitlist(session)] == [waiting[2].pk, waiting[0].pk, waiting[1].pk]
    entry = HistoryEntry.objects.for_object(waiting[2]).get(verb="reordered")
    assert entry.note == "孕期职工优先" and entry.changes == {"position": [3, 1]}
    engine.cancel(regs[0])
    waiting[2].refresh_from_db()
    assert waiting[2].status == "offered"


def test_move_between_sessions_follows_the_seat_rules(site, official):
    prog = make.program(site)
    full, roomy = make.session(prog, capacity=1), make.session(prog, capacity=2, days=5)
    a, b = (engine.sign_up(full, make.worker(site, f"职工{i}")) for i in range(2))
    blocker = engine.sign_up(roomy, make.worker(site, "丙"))
    engine.move(a, roomy, by=official, reason="调班")
    a.refresh_from_db(), b.refresh_from_db()
    assert a.session_id == roomy.pk and a.status == "confirmed"
    assert b.status == "offered"  # the seat a left behind went to the waitlist
    assert (seated(full), seated(roomy)) == (1, 2)
    with pytest.raises(ValidationError, match="名额已满"):
        engine.move(blocker, full, by=official)
    other = make.session(make.program(site, title="另一个活动"))
    with pytest.raises(ValidationError, match="同一活动"):
        engine.move(a, other, by=official)


def test_capacity_never_below_seated_and_raising_offers_seats(site, official):
    session = make.session(make.program(site), capacity=2)
    regs = [engine.sign_up(session, make.worker(site, f"职工{i}")) for i in range(5)]
    with pytest.raises(ValidationError, match="不能少于已占名额"):
        engine.set_capacity(session, 1, by=official)
    engine.set_capacity(session, 4, by=official)
    statuses = list(
        Registration.objects.filter(pk__in=[r.pk for r in regs])
        .order_by("pk")
        .values_list("status", flat=True)
    )
    assert statuses == ["confirmed", "confirmed", "offered", "offered", "waitlisted"]
    session.refresh_from_db()
    assert (session.capacity, session.seated) == (4, 4)
    assert HistoryEntry.objects.for_object(session).filter(verb="capacity_changed").exists()


def test_lottery_mode_collects_entries(site):
    session = make.session(make.program(site, mode="lottery"), capacity=1)
    a = engine.sign_up(session, make.worker(site, "甲"))
    b = engine.sign_up(session, make.worker(site, "乙"))
    assert (a.status, b.status) == ("entered", "entered") and seated(session) == 0


def test_sign_up_on_behalf_records_the_official(site, official):
    session = make.session(make.program(site))
    person = make.worker(site)
    reg = engine.sign_up(session, person, by=official, channel="official")
    assert reg.created_by == official and reg.channel == "official"
    mine = engine.sign_up(make.session(make.program(site, title="另一个")), make.worker(site, "乙"))
    assert mine.created_by is None


def test_a_started_session_takes_no_sign_ups(site):
    session = make.session(make.program(site), days=-0.01)
    with pytest.raises(ValidationError, match="已开始"):
        engine.sign_up(session, make.worker(site))


def test_a_seat_freed_after_the_session_was_read_is_not_missed(site):
    """The page read the session full; a cancellation (nobody waiting) freed the seat meanwhile."""
    session = make.session(make.program(site), capacity=1)
    first = engine.sign_up(session, make.worker(site, "甲"))
    stale = Session.objects.select_related("program").get(pk=session.pk)  # seated == capacity
    engine.cancel(first)
    late = engine.sign_up(stale, make.worker(site, "乙"))
    assert late.status == "confirmed" and late.ticket_code and late.position is None
    assert Registration.objects.get(pk=late.pk).status == "confirmed"
    assert seated(session) == 1


def test_ticket_codes_draw_every_letter_of_the_alphabet_alike():
    # new_ticket_code maps a random byte to a letter: fair only while the alphabet's size divides 256.
    import collections

    from programs.services.seats import TICKET_ALPHABET, TICKET_LENGTH, new_ticket_code

    assert 256 % len(TICKET_ALPHABET) == 0
    letters = collections.Counter("".join(new_ticket_code() for _ in range(4000)))
    assert set(letters) == set(TICKET_ALPHABET)
    assert all(len(code) == TICKET_LENGTH for code in (new_ticket_code(), new_ticket_code()))
    expected = 4000 * TICKET_LENGTH / len(TICKET_ALPHABET)  # 1000 each; a fair draw stays within ±15 %
    assert all(0.85 * expected < n < 1.15 * expected for n in letters.values()), letters


def test_a_session_without_a_title_is_named_by_its_local_start(site):
    # The database gives the time in UTC: 18:30 in Shanghai is 10:30 there, and officials read 18:30.
    from zoneinfo import ZoneInfo

    from programs.services.funnel import funnel

    prog = make.program(site)
    start = datetime.datetime(2026, 12, 3, 18, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    Session.objects.create(
        program=prog, starts_at=start, ends_at=start + datetime.timedelta(hours=2), capacity=3, place="站点"
    )
    session = Session.objects.get(program=prog)
    assert session.label == "2026-12-03 18:30" and str(session) == f"{prog.title} · 2026-12-03 18:30"
    assert [row["label"] for row in funnel(prog)["sessions"]] == ["2026-12-03 18:30"]
    session.title = "第一期"
    assert session.label == "第一期"
