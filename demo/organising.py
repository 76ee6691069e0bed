"""This year's organising in the demo district, so that its statistics page reads the seed's sentence:
"今年新建工会44家，新入会员4000余名，其中新业态新就业群体入会占比1/3".

What earlier steps dated this year counts towards those figures; this step adds the rest: unions of
textile and manufacturing firms and joint unions of the towns, each founded through a full
establishment (preparation → election → approval), their members, new-form workers joining the
new-economy federation, the three-year coverage plan 2025–2027, 韩洁 as chair assistant at
柯桥街道总工会 with her visits, and the 饿了么 site's establishment still in preparation.
"""

import datetime
import random
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.history import record_action, record_bulk_created
from members.choices import EmploymentForm, JoinChannel
from members.models import Membership, Person
from members.services.cards import CARD_SEQUENCE_DIGITS, card_number_prefix, card_number_range
from orgs.choices import EmployerKind, EstablishmentStage, Sector, UnionKind, UnionStatus, VisitOutcome
from orgs.models import (
    CadreAssignment,
    CadreVisit,
    CoveragePlan,
    Employer,
    Establishment,
    PlanTarget,
    Union,
)
from orgs.services.employers import save_employer
from orgs.services.plans import new_members, unions_established

from .district import District
from .logins import TOWN
from .people import BATCH, _Maker

PLAN_NAME = "柯桥区工会组织三年基本覆盖计划（2025—2027）"
UNIONS_THIS_YEAR = 44
MEMBERS_THIS_YEAR = 4068  # "4000余名"
CADRE = "kq_town"
ELEME_EMPLOYER = "舟山泛海欣网络科技有限公司"
ELEME_SITE = "饿了么柯桥总站"

# (name pattern, kind, sector): the unions founded this year, spread over the towns in turn.
FIRM_WORDS = (
    "华纺 永盛 恒丰 锦程 天润 宏达 新越 金帛 瑞丰 大众 富润 众鑫 东盛 汇通 绿洲 美达 江南 兴业 嘉禾 远东"
).split()
FIRM_KINDS = (
    ("纺织有限公司", Sector.TEXTILE),
    ("印染有限公司", Sector.TEXTILE),
    ("机械制造有限公司", Sector.MANUFACTURING),
)
JOINT_PLACES = ("工业园区", "商贸城", "创意园", "物流园", "商务楼宇", "社区")
# New-form workers who join the new-economy federation directly this year (besides couriers and riders).
NEW_FORMS = {
    EmploymentForm.RIDE_HAILING_DRIVER: 30,
    EmploymentForm.DELIVERY_RIDER: 20,
    EmploymentForm.COURIER: 15,
    EmploymentForm.TRUCK_DRIVER: 12,
    EmploymentForm.DOMESTIC_WORKER: 10,
    EmploymentForm.CARER: 5,
    EmploymentForm.SECURITY_GUARD: 5,
    EmploymentForm.MALL_INFORMATION_WORKER: 2,
    EmploymentForm.ONLINE_STREAMER: 1,
}
VISITS = (
    (ELEME_EMPLOYER, "走访饿了么柯桥总站，与站长商议建会，确定筹备组成员", VisitOutcome.PREPARING, 0, 0),
    ("", "召开街道新就业形态劳动者座谈会，现场扫码入会", VisitOutcome.ENROLLED, 0, 36),
    ("", "指导华纺纺织有限公司工会换届选举", VisitOutcome.ESTABLISHED, 1, 58),
    ("", "走访商贸城商户，宣讲联合工会建会政策", VisitOutcome.CONTACTED, 0, 0),
    ("", "商贸城联合工会选举大会", VisitOutcome.ESTABLISHED, 1, 120),
)


@dataclass(frozen=True)
class Outcome:
    unions: int = 0
    persons: int = 0
    memberships: int = 0
    plans: int = 0
    assignments: int = 0


def done() -> bool:
    return CoveragePlan.objects.filter(name=PLAN_NAME).exists()


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    if last <= first:
        return first
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def build(district: District, rng: random.Random, today: datetime.date | None = None) -> Outcome:
    """Add what this year still lacks; the caller runs this once, inside a transaction."""
    today = today or timezone.localdate()
    first, last = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    root = district.district
    cadre = User.objects.filter(username=CADRE).first()
    town = district.towns[TOWN.removesuffix("总工会")]

    eleme = _eleme_employer(district, town)
    _eleme_establishment(district, eleme, cadre, today)

    missing = max(0, UNIONS_THIS_YEAR - unions_established(root.path, first, last))
    founded = _found_unions(district, rng, missing, first, today, cadre)

    members, new_form = new_members(root.path, first, last)
    target_new_form = round(MEMBERS_THIS_YEAR / 3)
    add_new_form = max(0, target_new_form - new_form)
    add_other = max(0, MEMBERS_THIS_YEAR - target_new_form - (members - new_form))
    persons = _enrol(district, rng, founded, add_new_form, add_other, first, today)

    _plan(root)
    assignments = _cadre(town, cadre, eleme, today, rng) if cadre else 0
    return Outcome(len(founded), persons, persons, 1, assignments)


def _eleme_employer(district: District, town: Union) -> Employer:
    """The seed's 饿了么 station; the census step makes the employers when it runs first."""
    found = (
        Employer.objects.filter(Q(name__startswith=ELEME_EMPLOYER) | Q(name=ELEME_SITE))
        .order_by("pk")
        .first()
    )
    if found:
        return found
    site = next((s for s in district.sites if s.name == ELEME_SITE), None)
    from orgs.models import Brand

    brand = Brand.objects.filter(name="饿了么").first()
    employer = Employer(
        name=f"{ELEME_EMPLOYER}（{ELEME_SITE}）",
        kind=EmployerKind.SITE,
        brand=brand,
        platform=brand if brand and brand.is_platform else None,
        sector=Sector.FOOD_DELIVERY,
        region=town.region,
        area_union=town,
        address=f"绍兴市柯桥区{town.region.name}",
    )
    workers = site.workers if site else 40
    return save_employer(employer, headcounts={EmploymentForm.DELIVERY_RIDER: workers})


def _eleme_establishment(district: District, employer: Employer, cadre, today) -> None:
    union = next((s.union for s in district.sites if s.name == ELEME_SITE and s.union is not None), None)
    if union is None or Establishment.objects.filter(union=union).exists():
        return
    establishment = Establishment.objects.create(
        union=union,
        responsible=cadre,
        stage=EstablishmentStage.PREPARATION,
        preparation_on=today - datetime.timedelta(days=20),
        note="站点骑手流动性大，采取“站点建会、扫码入会”方式筹建",
    )
    establishment.employers.set([employer])
    record_action(
        establishment, "启动筹备", data={"on": establishment.preparation_on, "employers": [employer.pk]}
    )


def _found_unions(district, rng, count, first, today, cadre) -> list[Union]:
    """Unions founded this year, each through preparation → election → approval."""
    towns = list(district.towns.values())
    founded = []
    for n in range(count):
        town = towns[n % len(towns)]
        short = town.region.name.removesuffix("街道").removesuffix("镇")
        if n % 3 == 2:
            name = f"{short}{JOINT_PLACES[n // 3 % len(JOINT_PLACES)]}联合工会"
            kind, sector = UnionKind.JOINT, Sector.MIXED
        else:
            suffix, sector = FIRM_KINDS[n % len(FIRM_KINDS)]
            name = f"绍兴{FIRM_WORDS[n % len(FIRM_WORDS)]}{short}{suffix}工会"
            kind = UnionKind.GRASSROOTS
        approved = _day(rng, first, today)
        union = Union(
            name=name,
            kind=kind,
            parent=town,
            region=town.region,
            sector=sector,
            status=UnionStatus.ACTIVE,
            established_on=approved,
            address=f"绍兴市柯桥区{town.region.name}",
        )
        union.save()
        election = approved - datetime.timedelta(days=rng.randint(7, 30))
        establishment = Establishment.objects.create(
            union=union,
            responsible=cadre if town.name == TOWN else None,
            stage=EstablishmentStage.ESTABLISHED,
            preparation_on=election - datetime.timedelta(days=rng.randint(20, 60)),
            election_on=election,
            approved_on=approved,
            approval_reference=f"柯工{short}〔{approved.year}〕{n + 1}号",
        )
        record_action(
            establishment, "批复建会", data={"on": approved, "reference": establishment.approval_reference}
        )
        founded.append(union)
    return founded


def _enrol(district, rng, founded, new_form: int, other: int, first, today) -> int:
    maker = _Maker(rng)
    people: list[Person] = []
    joins: list[tuple[Union, str, datetime.date]] = []
    forms = list(NEW_FORMS)
    weights = list(NEW_FORMS.values())
    for _n in range(new_form):
        form = rng.choices(forms, weights=weights)[0]
        people.append(_person(maker, form, rng.random() < 0.85))
        channel = rng.choice((JoinChannel.QR, JoinChannel.QR, JoinChannel.MOBILE_WINDOW, JoinChannel.ONLINE))
        joins.append((district.new_economy, channel, _day(rng, first, today)))
    homes = founded or [district.new_economy]
    for n in range(other):
        union = homes[n % len(homes)]
        people.append(_person(maker, EmploymentForm.OTHER, rng.random() < 0.55))
        joins.append((union, JoinChannel.COLLECTIVE, _day(rng, union.established_on or first, today)))
    _avoid_clashes(people, maker)

    Person.objects.bulk_create(people, batch_size=BATCH)
    record_bulk_created(people)
    sequences: dict[str, int] = {}
    memberships = []
    for person, (union, channel, joined) in sorted(
        zip(people, joins, strict=True), key=lambda pair: (pair[1][2], pair[0].pk)
    ):
        prefix = card_number_prefix(union, joined)
        if prefix not in sequences:
            sequences[prefix] = _last_sequence(prefix)
        sequences[prefix] += 1
        card = f"{prefix}{sequences[prefix]:0{CARD_SEQUENCE_DIGITS}d}"
        memberships.append(
            Membership(person=person, union=union, channel=channel, joined_on=joined, card_number=card)
        )
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    record_bulk_created(memberships)
    return len(people)


def _person(maker: _Maker, form: str, male: bool) -> Person:
    person = Person(name=maker.name(male), employment_form=form)
    person.set_id_number(maker.id_number(male))
    person.set_phone(maker.phone())
    return person


def _avoid_clashes(people: list[Person], maker: _Maker) -> None:
    """Earlier steps drew their numbers from other generators: re-draw the rare one already taken."""
    ids = set(
        Person.objects.filter(id_number_hash__in=[p.id_number_hash for p in people]).values_list(
            "id_number_hash", flat=True
        )
    )
    phones = set(
        Person.objects.filter(phone_hash__in=[p.phone_hash for p in people]).values_list(
            "phone_hash", flat=True
        )
    )
    for person in people:
        if person.id_number_hash in ids:
            person.set_id_number(maker.id_number(person.gender == "male"))
        if person.phone_hash in phones:
            person.set_phone(maker.phone())


def _last_sequence(prefix: str) -> int:
    width = len(prefix) + CARD_SEQUENCE_DIGITS
    last = (
        Membership.objects.filter(card_number__range=card_number_range(prefix))
        .order_by("-card_number")
        .values_list("card_number", flat=True)
        .first()
    )
    return int(last[len(prefix) :]) if last and len(last) == width and last.isdigit() else 0


def _plan(root: Union) -> None:
    plan = CoveragePlan.objects.create(
        union=root, name=PLAN_NAME, start_year=2025, end_year=2027, employer_goal="0.900", worker_goal="0.850"
    )
    yearly = {2025: (40, 3600, "0.300"), 2026: (44, 4000, "0.330"), 2027: (50, 4500, "0.350")}
    targets = [
        PlanTarget(plan=plan, year=year, unions_to_establish=u, members_to_enrol=m, new_form_share=s)
        for year, (u, m, s) in yearly.items()
    ]
    # The express and delivery trades: every brand's site covered by the end of the plan.
    for year, (u, m) in {2025: (6, 300), 2026: (8, 400), 2027: (10, 500)}.items():
        targets.append(
            PlanTarget(
                plan=plan,
                year=year,
                sector=Sector.EXPRESS,
                unions_to_establish=u,
                members_to_enrol=m,
                new_form_share="0.950",
            )
        )
    for year, (u, m) in {2025: (2, 150), 2026: (3, 200), 2027: (4, 250)}.items():
        targets.append(
            PlanTarget(
                plan=plan,
                year=year,
                sector=Sector.FOOD_DELIVERY,
                unions_to_establish=u,
                members_to_enrol=m,
                new_form_share="0.950",
            )
        )
    for target in targets:
        target.save()


def _cadre(town: Union, cadre, eleme: Employer, today: datetime.date, rng: random.Random) -> int:
    if CadreAssignment.objects.filter(cadre=cadre, union=town).exists():
        return 0
    starts = datetime.date(today.year, 1, 1)
    assignment = CadreAssignment.objects.create(
        cadre=cadre,
        union=town,
        starts_on=starts,
        ends_on=datetime.date(today.year, 12, 31),
        goals="领着任务下去，带着成果回来：推动新就业形态企业和商贸城商户建会，发展新业态从业人员入会",
        goal_unions=6,
        goal_members=300,
    )
    record_action(
        assignment,
        "派驻",
        data={"cadre": cadre.pk, "starts_on": starts, "goal_unions": 6, "goal_members": 300},
    )
    span = max(1, (today - starts).days)
    for n, (employer, summary, outcome, unions, members) in enumerate(VISITS):
        CadreVisit.objects.create(
            assignment=assignment,
            visited_on=starts + datetime.timedelta(days=span * (n + 1) // (len(VISITS) + 1)),
            employer=eleme if employer else None,
            summary=summary,
            outcome=outcome,
            unions_established=unions,
            members_enrolled=members,
        )
    return 1
