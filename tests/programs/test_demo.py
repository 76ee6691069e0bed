"""The programs' demo: the classroom's 1,554 / 493 / 148 through funnel(), the service day at the rider
station, the screening's budget, the drawn movie, consistent seat counters; idempotent, deterministic."""

import datetime
import random
from decimal import Decimal

import pytest

from members.models import Person
from programs import demo
from programs.choices import SEATED_STATUSES
from programs.models import Program, Registration, Session
from programs.services import funnel, lottery
from stations import demo as stations_demo
from tests import factories
from tests.module_data import kept_for_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """The tree with the seed's stations and 220 members (one in five a woman), as the demo has: built
    once for the module (seconds; tests.module_data), each test's programs rolled back after it."""
    with kept_for_module(django_db_blocker):
        tree = factories.tree()
        stations_demo.seed_stations(tree["district"], None, random.Random(1))
        for n in range(220):
            union = tree["site_a"] if n % 2 else tree["site_b"]
            person = factories.member(
                union, f"职工{n}", employment_form="delivery_rider" if n % 3 else "courier"
            )
            if n % 5 == 0:
                person.set_id_number(factories.id_number(female=True, birth="19880101"))
                person.save()
        yield tree


def test_the_classroom_reproduces_the_seeds_figures(district):
    official = factories.official("kq_service", "service", district["district"])
    made = demo.seed_programs(district["district"], random.Random(7), by=official)
    assert len(made) == Program.objects.count() == 7
    classroom = Program.objects.get(title=demo.CLASSROOM_OPEN)
    figures = funnel.funnel(classroom)
    assert (figures["views"], figures["signups"], figures["confirmed"], figures["attended"]) == (
        1554,
        493,
        148,
        0,
    )
    assert [row["capacity"] for row in figures["sessions"]] == [40, 36, 36, 36]
    assert [row["seated"] for row in figures["sessions"]] == [40, 36, 36, 36]
    assert sum(row["waitlisted"] for row in figures["sessions"]) == 345
    # Six menus in the series, four open now.
    menus = Session.objects.filter(program__series__name=demo.CLASSROOM)
    assert menus.count() == 6 and menus.filter(program__status="published").count() == 4
    # Every seat counter is what the registrations say.
    for session in Session.objects.all():
        held = Registration.objects.filter(session=session, status__in=SEATED_STATUSES).count()
        assert session.seated == held <= session.capacity, session
    # The waitlist is in sign-up order, numbered from 1.
    first = classroom.sessions.first()
    waiting = list(first.registrations.filter(status="waitlisted").order_by("position"))
    assert [r.position for r in waiting] == list(range(1, 121))
    assert [r.signed_up_at for r in waiting] == sorted(r.signed_up_at for r in waiting)


def test_the_other_programs(district):
    official = factories.official("kq_service", "service", district["district"])
    demo.seed_programs(district["district"], random.Random(7), by=official)
    day = Program.objects.get(title="小哥驿站“十重礼”关爱服务日")
    assert {s.station.name for s in day.sessions.all()} == {demo.RIDER_STATION}
    assert [s.title for s in day.sessions.all()] == [
        "义诊",
        "疫苗接种",
        "社保咨询",
        "医保办理",
        "清凉工具包",
        "反诈宣传",
    ]
    assert {"hospital", "telecom", "fire_brigade"} <= set(day.partners.values_list("kind", flat=True))
    assert day.union == district["town_a"]
    figures = funnel.funnel(day)
    assert figures["attended"] > 0 and figures["attended"] + figures["no_shows"] == figures["signups"]

    screening = Program.objects.get(kind="screening")
    assert (screening.gender, screening.budget) == ("female", Decimal("60000.00"))
    money = funnel.spending(screening)
    assert (money["planned_people"], money["spent"], money["remaining"]) == (
        307,
        Decimal("15600.00"),
        Decimal("44400.00"),
    )
    women = Registration.objects.filter(program=screening)
    assert women.exists() and set(women.values_list("person__gender", flat=True)) == {"female"}

    movie = Program.objects.get(mode="lottery")
    assert movie.lottery_seed == demo.MOVIE_SEED and lottery.verify_lottery(movie)["ok"]
    assert Registration.objects.filter(program=movie, status="confirmed").count() == 60
    assert (
        Program.objects.filter(kind="trip").exists()
        and Program.objects.filter(title__contains="高温").exists()
    )


def test_idempotent_and_deterministic(district):
    demo.seed_programs(district["district"], random.Random(7))
    rows = sorted(
        Registration.objects.values_list("person_id", "session__title", "status", "position"), key=str
    )
    assert demo.seed_programs(district["district"], random.Random(7)) == []
    assert Program.objects.count() == 7
    assert (
        sorted(Registration.objects.values_list("person_id", "session__title", "status", "position"), key=str)
        == rows
    )
    members, _women = demo._people(district["district"])
    once = [(i, p.pk, s) for i, p, s, _t in demo._classroom(random.Random(3), members)[0].entries]
    again = [(i, p.pk, s) for i, p, s, _t in demo._classroom(random.Random(3), members)[0].entries]
    assert once == again and len(once) == 493
    assert Person.objects.count() == 220


@pytest.mark.parametrize("today", [datetime.date(2026, 11, 29), datetime.date(2027, 6, 16)])
def test_the_story_is_current_whenever_the_demo_is_loaded(district, monkeypatch, today):
    """The classroom open for sign-up with its courses ahead at weekends, the movie drawn and still
    to be shown: in the story's week and half a year later alike."""
    monkeypatch.setattr(demo.timezone, "localdate", lambda: today)
    official = factories.official("kq_service", "service", district["district"])
    demo.seed_programs(district["district"], random.Random(7), by=official)
    now = datetime.datetime.combine(today, datetime.time(12), tzinfo=demo.TZ)
    classroom = Program.objects.get(title=demo.CLASSROOM_OPEN)
    assert classroom.signup_opens_at < now < classroom.signup_closes_at
    starts = [s.starts_at.astimezone(demo.TZ) for s in classroom.sessions.all()]
    assert all(now < start and start.weekday() in (5, 6) for start in starts)  # Saturdays and Sundays
    movie = Program.objects.get(mode="lottery")
    assert movie.signup_closes_at < movie.lottery_drawn_at < now < movie.sessions.get().starts_at
    screening = Program.objects.get(kind="screening")
    assert screening.signup_opens_at < now < screening.signup_closes_at
    assert screening.expenses.get().spent_on <= today
    # Whole weeks: the figures and the weekdays are the story's, only the dates move.
    assert demo.weeks_on(today).days % 7 == 0
    assert funnel.funnel(classroom)["signups"] == 493
