"""The seed's programs in the demo district: the "品质生活+" classroom (six course menus, four open,
148 seats gone to 493 sign-ups after 1,554 views), the "十重礼" service day at the 柯迎社区 小哥驿站,
the "两癌" screening for women in new forms of employment (60,000 yuan), a free movie drawn by lot,
the summer heat condolence and a recuperation trip.

Called by `demo.seed_demo`. Deterministic for a given `rng` and week: every random draw is made, in the
same order, whether or not a program already exists. Dates are the story's (written below as the
seed's page tells them, at the end of November 2026) moved on by whole weeks to the week the demo is
loaded (`STORY_WEEK`, `at`): a demo loaded later still shows the classroom open for sign-up, the
screening under way and the movie drawn, on the same weekdays.
Idempotent: a program is found by its union and title, and an existing one is left as it is.
Registrants are the members' demo people; rows go in with bulk_create (history with
record_bulk_created), and each session's `seated` equals its registrations holding a seat.
"""

import datetime
import random
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.history import record_bulk_created
from members.choices import Gender, MembershipStatus
from members.models import Person
from orgs.choices import NEW_EMPLOYMENT_FORMS, PartnerKind
from orgs.models import Partner, Union

from .choices import SEATED_STATUSES, OnePer, ProgramKind, ProgramStatus, RegistrationStatus, SignUpMode
from .models import Program, ProgramExpense, ProgramSeries, Registration, Session
from .services.lottery import lottery_order
from .services.seats import TICKET_ALPHABET, TICKET_LENGTH, holder_for

S = RegistrationStatus
TZ = ZoneInfo("Asia/Shanghai")
RIDER_STATION = "柯迎社区小哥驿站（小哥驿家）"
CLASSROOM = "“品质生活+”大课堂"
CLASSROOM_OPEN = "“品质生活+”大课堂 第一期 · 四门课程"
MOVIE_SEED = "keqiao-movie-2026-11-25"


# The story's week: "now" anywhere in it fits every date below (the movie's lottery drawn after its
# sign-up closed on 25 November, the movie on 19 December still to come, the screening's and the
# classroom's sign-ups open until 31 December and 5 January). A Monday: whole weeks keep weekdays.
STORY_WEEK = datetime.date(2026, 11, 30)
_moved_on: ContextVar[datetime.timedelta | None] = ContextVar("programs_demo_moved_on", default=None)


def weeks_on(today: datetime.date) -> datetime.timedelta:
    """How far the story's dates move for a demo loaded on `today`: the whole weeks since STORY_WEEK."""
    return datetime.timedelta(weeks=max(0, (today - STORY_WEEK).days // 7))


@contextmanager
def _loaded_on(today: datetime.date):
    """One move for every date of a seeding, even one that runs past a Sunday's midnight."""
    token = _moved_on.set(weeks_on(today))
    try:
        yield
    finally:
        _moved_on.reset(token)


def _shift() -> datetime.timedelta:
    moved = _moved_on.get()
    return weeks_on(timezone.localdate()) if moved is None else moved


def at(year, month, day, hour=0, minute=0) -> datetime.datetime:
    """A moment of the story (as the seed's page dates it), in the week the demo is loaded."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ) + _shift()


def on(year, month, day) -> datetime.date:
    """A day of the story, in the week the demo is loaded."""
    return datetime.date(year, month, day) + _shift()


@dataclass
class Plan:
    """One program to build: its fields, sessions and who signed up (drawn before anything is built)."""

    fields: dict
    sessions: list[dict]
    partners: list[tuple[str, str]] = field(default_factory=list)
    series: str = ""
    union: Union | None = None
    # (session index, person, status, signed-up time) in sign-up order.
    entries: list[tuple] = field(default_factory=list)
    expenses: list[tuple] = field(default_factory=list)


def _people(district: Union) -> tuple[list[Person], list[Person]]:
    """Active members of the district (everyone, and the women among them), in a fixed order."""
    members = list(
        Person.objects.filter(
            memberships__status=MembershipStatus.ACTIVE, memberships__union__path__subtree=district.path
        )
        .exclude(user__isnull=False)  # the demo login keeps a clean slate to try things with
        .order_by("pk")
        .distinct()
        .only("pk", "name", "gender", "employment_form")
    )
    return members, [p for p in members if p.gender == Gender.FEMALE]


def _times(rng: random.Random, start: datetime.datetime, minutes: int, count: int) -> list[datetime.datetime]:
    return sorted(start + datetime.timedelta(seconds=rng.randrange(minutes * 60)) for _i in range(count))


def _classroom(rng, members) -> list[Plan]:
    courses = [
        ("乐享摄影技巧", 40, at(2027, 1, 9, 14)),
        ("茶艺与茶文化", 36, at(2027, 1, 10, 14)),
        ("手机短视频制作", 36, at(2027, 1, 16, 14)),
        ("八段锦与职业健康", 36, at(2027, 1, 17, 9)),
    ]
    demand = [160, 111, 112, 110]  # 493 sign-ups in the first evening
    place = "柯桥区工人文化宫三楼"
    plan = Plan(
        series=CLASSROOM,
        fields=dict(
            title=CLASSROOM_OPEN,
            kind=ProgramKind.COURSE,
            status=ProgramStatus.PUBLISHED,
            summary="第一期“六大菜单”中的四门课程率先报名，职工自主“点菜下单”",
            description=(
                "“新时代·共筑梦”职工“品质生活+”大课堂，致力于提高职工生活品质。第一期课程共“六大菜单”："
                "乐享摄影技巧、茶艺与茶文化、手机短视频制作、八段锦与职业健康、插花艺术、家庭理财，"
                "其中 4 门课程率先开展报名。活动发布当晚，推文点击量达 1554 人次，扫码报名 493 人次，"
                "148 个名额被迅速抢完；名额满后报名的职工进入候补，有人取消即按顺序递补。"
            ),
            signup_opens_at=at(2026, 11, 3, 19),
            signup_closes_at=at(2027, 1, 5, 18),
            mode=SignUpMode.FIRST_COME,
            one_per=OnePer.SESSION,
            view_count=1554,
        ),
        sessions=[
            dict(
                title=name,
                place=place,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                capacity=cap,
            )
            for name, cap, start in courses
        ],
    )
    for index, ((_name, capacity, _start), wanted) in enumerate(zip(courses, demand, strict=True)):
        people = rng.sample(members, min(wanted, len(members)))
        times = _times(rng, at(2026, 11, 3, 19), 4 * 60, len(people))
        for rank, (person, when) in enumerate(zip(people, times, strict=True)):
            plan.entries.append((index, person, S.CONFIRMED if rank < capacity else S.WAITLISTED, when))
    later = Plan(
        series=CLASSROOM,
        fields=dict(
            title="“品质生活+”大课堂 第一期 · 后续两门课程",
            kind=ProgramKind.COURSE,
            status=ProgramStatus.DRAFT,
            summary="插花艺术、家庭理财，即将开放报名",
            mode=SignUpMode.FIRST_COME,
            one_per=OnePer.SESSION,
        ),
        sessions=[
            dict(
                title="插花艺术",
                place=place,
                starts_at=at(2027, 2, 20, 14),
                ends_at=at(2027, 2, 20, 16),
                capacity=30,
            ),
            dict(
                title="家庭理财",
                place=place,
                starts_at=at(2027, 2, 27, 14),
                ends_at=at(2027, 2, 27, 16),
                capacity=40,
            ),
        ],
    )
    return [plan, later]


def _service_day(rng, members, station) -> Plan:
    items = ["义诊", "疫苗接种", "社保咨询", "医保办理", "清凉工具包", "反诈宣传"]
    plan = Plan(
        union=station.union if station else None,
        partners=[
            ("柯桥区中医医院", PartnerKind.HOSPITAL),
            ("中国电信柯桥分公司", PartnerKind.TELECOM),
            ("柯桥区消防救援大队", PartnerKind.FIRE_BRIGADE),
            ("柯桥区医疗保障局", PartnerKind.GOVERNMENT),
            ("柯桥区人力资源和社会保障局", PartnerKind.GOVERNMENT),
            ("柯桥街道柯迎社区", PartnerKind.COMMUNITY),
        ],
        fields=dict(
            title="小哥驿站“十重礼”关爱服务日",
            kind=ProgramKind.SERVICE_DAY,
            status=ProgramStatus.CLOSED,
            summary="义诊、疫苗接种、社保咨询、医保办理、清凉工具包、反诈宣传等“十重礼”",
            description=(
                "柯桥区总工会、柯桥区快递行业工会采取党工共建、阵地共享的形式，联合社区及多部门在"
                "柯迎社区“小哥驿家”为快递员和外卖配送员提供义诊、疫苗接种、社保咨询、医保办理、"
                "清凉工具包、反诈宣传、消防安全、手机维修、理发、法律咨询等“十重礼”关爱服务。"
            ),
            signup_opens_at=at(2026, 8, 10, 9),
            signup_closes_at=at(2026, 8, 19, 18),
            mode=SignUpMode.FIRST_COME,
            one_per=OnePer.SESSION,
            members_only=False,
            employment_forms=["courier", "delivery_rider"],
            view_count=412,
        ),
        sessions=[
            dict(
                title=item,
                place="柯桥街道柯迎社区党群服务中心一楼（小哥驿家）",
                station=station,
                starts_at=at(2026, 8, 20, 9 + index),
                ends_at=at(2026, 8, 20, 10 + index),
                capacity=30,
            )
            for index, item in enumerate(items)
        ],
    )
    couriers = [p for p in members if p.employment_form in ("courier", "delivery_rider")]
    for index in range(len(items)):
        people = rng.sample(couriers, min(rng.randint(18, 30), len(couriers)))
        for person, when in zip(
            people, _times(rng, at(2026, 8, 10, 9), 9 * 24 * 60, len(people)), strict=True
        ):
            plan.entries.append((index, person, S.ATTENDED if rng.random() < 0.88 else S.NO_SHOW, when))
    return plan


def _screening(rng, women) -> Plan:
    plan = Plan(
        partners=[("柯桥区妇幼保健院", PartnerKind.HOSPITAL)],
        fields=dict(
            title="新业态女职工“两癌”筛查",
            kind=ProgramKind.SCREENING,
            status=ProgramStatus.PUBLISHED,
            summary="工会投入 6 万元，为 300 余名新业态新就业群体女职工免费筛查宫颈癌、乳腺癌",
            description=(
                "帮助女职工“两癌”早发现、早诊断、早治疗。筛查在柯桥区妇幼保健院进行，每人一次，"
                "请空腹到场并携带身份证。"
            ),
            signup_opens_at=at(2026, 11, 10, 9),
            signup_closes_at=at(2026, 12, 31, 18),
            gender=Gender.FEMALE,
            employment_forms=sorted(NEW_EMPLOYMENT_FORMS),
            min_age=20,
            max_age=65,
            once_per_year=True,
            budget=Decimal("60000"),
            unit_cost=Decimal("195"),
            view_count=268,
        ),
        sessions=[
            dict(
                title=f"第{n}批",
                place="柯桥区妇幼保健院体检中心",
                starts_at=at(2027, 1, 6 + 7 * (n - 1), 8),
                ends_at=at(2027, 1, 6 + 7 * (n - 1), 11, 30),
                capacity=80,
            )
            for n in (1, 2, 3, 4)
        ],
        expenses=[(on(2026, 11, 20), Decimal("15600.00"), "首批筛查预付款（80 人）")],
    )
    eligible = [p for p in women if p.employment_form in NEW_EMPLOYMENT_FORMS]
    people = rng.sample(eligible, len(eligible) * 3 // 4)
    for n, (person, when) in enumerate(
        zip(people, _times(rng, at(2026, 11, 10, 9), 15 * 24 * 60, len(people)), strict=True)
    ):
        plan.entries.append((n % 4, person, S.CONFIRMED, when))
    return plan


def _movie(rng, members) -> Plan:
    plan = Plan(
        partners=[("柯桥万达影城", PartnerKind.OTHER)],
        fields=dict(
            title="免费观影 · 新业态职工专场",
            kind=ProgramKind.BENEFIT,
            status=ProgramStatus.PUBLISHED,
            summary="周六晚场，抽签决定观影名额",
            description="报名期内报名不分先后，截止后公开抽签；中签者凭报名票入场，未中签者按抽签顺序候补。",
            signup_opens_at=at(2026, 11, 15, 9),
            signup_closes_at=at(2026, 11, 25, 18),
            mode=SignUpMode.LOTTERY,
            view_count=386,
        ),
        sessions=[
            dict(
                title="周六晚场",
                place="柯桥万达影城 5 号厅",
                starts_at=at(2026, 12, 19, 19),
                ends_at=at(2026, 12, 19, 21),
                capacity=60,
            )
        ],
    )
    people = rng.sample(members, min(97, len(members)))
    for person, when in zip(
        people, _times(rng, at(2026, 11, 15, 9), 10 * 24 * 60 - 9 * 60, len(people)), strict=True
    ):
        plan.entries.append((0, person, S.ENTERED, when))
    return plan


def _heat(rng, members, stations) -> Plan:
    plan = Plan(
        fields=dict(
            title="夏送清凉 · 高温慰问",
            kind=ProgramKind.BENEFIT,
            status=ProgramStatus.CLOSED,
            summary="高温季为户外劳动者送上清凉慰问品",
            signup_opens_at=at(2026, 7, 1, 9),
            signup_closes_at=at(2026, 7, 14, 18),
            view_count=530,
        ),
        sessions=[
            dict(
                title=f"{station.name}领取点",
                place=station.address or station.name,
                station=station,
                starts_at=at(2026, 7, 15 + n, 9),
                ends_at=at(2026, 7, 15 + n, 17),
                capacity=100,
            )
            for n, station in enumerate(stations)
        ],
        expenses=[(on(2026, 7, 10), Decimal("24000.00"), "清凉慰问品（300 份）")],
    )
    people = rng.sample(members, min(240, len(members)))
    for n, (person, when) in enumerate(
        zip(people, _times(rng, at(2026, 7, 1, 9), 13 * 24 * 60, len(people)), strict=True)
    ):
        index = n % max(1, len(stations))
        plan.entries.append((index, person, S.ATTENDED if rng.random() < 0.93 else S.NO_SHOW, when))
    if not stations:
        plan.entries = []
    return plan


def _trip(rng, members) -> Plan:
    plan = Plan(
        partners=[("松阳县总工会", PartnerKind.OTHER)],
        fields=dict(
            title="松阳山海协作疗休养",
            kind=ProgramKind.TRIP,
            status=ProgramStatus.PUBLISHED,
            summary="三天两晚，松阳古村落与茶园，工会会员每年限一次",
            description="依托松阳县总工会的疗休养资源与战略合作协议组织。往返大巴、食宿由工会承担。",
            signup_opens_at=at(2026, 11, 20, 9),
            signup_closes_at=at(2027, 2, 28, 18),
            once_per_year=True,
            budget=Decimal("45000"),
            unit_cost=Decimal("1500"),
            view_count=722,
        ),
        sessions=[
            dict(
                title="第一团",
                place="松阳县（柯桥区总工会门口集合发车）",
                starts_at=at(2027, 3, 15, 7),
                ends_at=at(2027, 3, 17, 18),
                capacity=30,
            )
        ],
    )
    people = rng.sample(members, min(38, len(members)))
    for rank, (person, when) in enumerate(
        zip(people, _times(rng, at(2026, 11, 20, 9), 7 * 24 * 60, len(people)), strict=True)
    ):
        plan.entries.append((0, person, S.CONFIRMED if rank < 30 else S.WAITLISTED, when))
    return plan


def _ticket(rng, taken: set) -> str:
    while True:
        code = "".join(rng.choice(TICKET_ALPHABET) for _i in range(TICKET_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def _build(plan: Plan, union: Union, rng: random.Random, taken: set, by) -> Program:
    fields = dict(plan.fields)
    if plan.series:
        fields["series"] = ProgramSeries.objects.get_or_create(
            union=union,
            name=plan.series,
            defaults={"description": "第一期课程共“六大菜单”，由职工自主“点菜下单”。"},
        )[0]
    program = Program.objects.create(union=union, **fields)
    partners = [
        Partner.objects.get_or_create(union=union, name=name, defaults={"kind": kind})[0]
        for name, kind in plan.partners
    ]
    program.partners.set(partners)
    sessions = [Session.objects.create(program=program, **values) for values in plan.sessions]
    for session in sessions:
        session.program = program
    registrations = []
    positions = [0] * len(sessions)
    for index, person, status, when in plan.entries:
        session = sessions[index]
        registration = Registration(
            program=program,
            session=session,
            person=person,
            holder=holder_for(program, session),
            status=status,
            signed_up_at=when,
        )
        if status in (S.CONFIRMED, S.ATTENDED, S.NO_SHOW):
            registration.ticket_code = _ticket(rng, taken)
        if status == S.WAITLISTED:
            positions[index] += 1
            registration.position = positions[index]
        if status == S.ATTENDED:
            registration.checked_in_at = session.starts_at + datetime.timedelta(minutes=rng.randrange(50))
            registration.checked_in_by = by
        registrations.append(registration)
    Registration.objects.bulk_create(registrations, batch_size=500)
    if program.mode == SignUpMode.LOTTERY:
        _draw(program, sessions, registrations, rng, taken)
    record_bulk_created(registrations)
    for session in sessions:
        session.seated = sum(1 for r in registrations if r.session is session and r.status in SEATED_STATUSES)
        Session.objects.filter(pk=session.pk).update(seated=session.seated)
    for spent_on, amount, note in plan.expenses:
        if by is not None:
            ProgramExpense.objects.create(
                program=program, spent_on=spent_on, amount=amount, note=note, recorded_by=by
            )
    return program


def _draw(program, sessions, registrations, rng, taken) -> None:
    """The published algorithm run on the saved entries with a fixed seed, as draw_lottery would."""
    for session in sessions:
        entries = {r.pk: r for r in registrations if r.session is session}
        for rank, pk in enumerate(lottery_order(MOVIE_SEED, list(entries)), start=1):
            registration = entries[pk]
            registration.draw_rank = rank
            if rank <= session.capacity:
                registration.status, registration.ticket_code = S.CONFIRMED, _ticket(rng, taken)
            else:
                registration.status, registration.position = S.WAITLISTED, rank - session.capacity
    Registration.objects.bulk_update(
        registrations, ["draw_rank", "status", "ticket_code", "position"], batch_size=500
    )
    Program.objects.filter(pk=program.pk).update(
        lottery_seed=MOVIE_SEED, lottery_drawn_at=at(2026, 11, 25, 20)
    )


def seed_programs(district_union: Union, rng: random.Random, by=None) -> list[Program]:
    """Build (or find) the seed's programs in the district; returns the programs made by this run.

    `by` is the official recorded on expenses and check-ins (the district's service official).
    """
    with _loaded_on(timezone.localdate()):
        return _seed(district_union, rng, by)


def _seed(district_union: Union, rng: random.Random, by) -> list[Program]:
    from stations.models import Station

    members, women = _people(district_union)
    station = Station.objects.filter(name=RIDER_STATION, union__path__subtree=district_union.path).first()
    heat_stations = list(Station.objects.filter(union=district_union, kind="worker").order_by("name")[:3])
    # Every draw happens, in this order, whether or not the program exists already.
    plans = [
        *_classroom(rng, members),
        _service_day(rng, members, station),
        _screening(rng, women),
        _movie(rng, members),
        _heat(rng, members, heat_stations),
        _trip(rng, members),
    ]
    taken = set(Registration.objects.filter(ticket_code__isnull=False).values_list("ticket_code", flat=True))
    made = []
    for plan in plans:
        union = plan.union or district_union
        if Program.objects.filter(union=union, title=plan.fields["title"]).exists():
            continue
        made.append(_build(plan, union, rng, taken, by))
    return made
