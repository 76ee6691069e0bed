"""Demo hardship-aid files and the 2026 summer heat condolence, built through the services.

Files of 柯桥区新业态工会联合会, where the district's riders and couriers are members (approved there, then
by the district): one 深度困难 household active since
March with three payments, one in its notice period, one awaiting the district's approval, one exited.
The heat condolence goes to the district's outdoor members (couriers, riders, sanitation workers, drivers)
and about a third of them redeemed it at stations in July and August. Deterministic for a given rng and
idempotent: a rerun finds what it made and adds nothing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import Role
from accounts.services import grant_role
from core.pii import check_character
from members.models import Membership, Person
from members.services.cards import sign_card
from orgs.models import Union

from .models import AidCase, BenefitDistribution
from .services import aid, benefits

# The federation of new-employment-form workers (demo.district.NEW_ECONOMY_UNION), child of the district.
FILE_UNION = "柯桥区新业态工会联合会"
FILE_UNION_RIGHTS = ("kq_neu_rights", "赵红梅")
HEAT_TITLE = "2026 夏季高温慰问"
REDEEM_SHARE = 0.35
REDEEM_MAX = 400

FILES = (
    # (key, tier, cause, family income, household [(name, relation, income, note)], story)
    (
        "active",
        "deep",
        "妻子患尿毒症长期透析，医疗费用负担重；两个孩子分别读初中和小学，家庭主要靠申请人送外卖维持。",
        "36000",
        [
            ("陈秀芳", "妻子", "0", "尿毒症，每周透析三次"),
            ("王子轩", "儿子", "0", "初二在读"),
            ("王雨涵", "女儿", "0", "小学四年级"),
        ],
    ),
    (
        "notice",
        "accident",
        "送件途中遭遇交通事故，右腿骨折，三个月无法工作，肇事方赔偿尚未到位。",
        "21000",
        [("刘桂兰", "妻子", "18000", "超市理货员")],
    ),
    (
        "awaiting",
        "relative",
        "父亲中风偏瘫需要长期照护，母亲无收入，申请人为家中唯一劳动力。",
        "42000",
        [("孙国庆", "父亲", "0", "中风偏瘫"), ("吴凤英", "母亲", "0", "无业")],
    ),
    (
        "exited",
        "relative",
        "2025 年因病住院半年，收入中断。",
        "30000",
        [("周丽娟", "妻子", "24000", "纺织厂工人")],
    ),
)


def _id_number(rng: random.Random) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 60))
    first17 = f"330603{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + check_character(first17)


def _file_union_official(file_union: Union):
    user_model = get_user_model()
    username, name = FILE_UNION_RIGHTS
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, display_name=name)
        user.set_unusable_password()
        user.save()
    if not Role.objects.filter(user=user, union=file_union, kind=RoleKind.RIGHTS, active=True).exists():
        grant_role(user, file_union, RoleKind.RIGHTS)
    return user_model.objects.get(pk=user.pk)


def _applicants(file_union: Union, rng: random.Random, count: int) -> list[Person]:
    """Outdoor members of the union's subtree not yet in any open file, picked deterministically."""
    ids = list(
        Membership.objects.filter(
            status="active",
            union__path__subtree=file_union.path,
            person__employment_form__in=benefits.outdoor_forms(),
            person__id_number_hash__isnull=False,
        )
        .exclude(person__households__open=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)[:500]
    )
    chosen = rng.sample(ids, min(count, len(ids)))
    return list(Person.objects.filter(pk__in=chosen).order_by("pk"))


def seed_files(district_union: Union, rng: random.Random) -> int:
    file_union = Union.objects.filter(name=FILE_UNION, path__subtree=district_union.path).first()
    district_rights = get_user_model().objects.filter(username="kq_rights").first()
    if file_union is None or district_rights is None:
        return 0
    if AidCase.objects.filter(union__path__subtree=district_union.path).exists():
        return 0
    file_rights = _file_union_official(file_union)
    applicants = _applicants(file_union, rng, len(FILES))
    today = timezone.localdate()
    made = 0
    for (key, tier, cause, income, household), applicant in zip(FILES, applicants, strict=False):
        members = [
            aid.MemberEntry(_id_number(rng), n, rel, Decimal(inc), note) for n, rel, inc, note in household
        ]
        started = {
            "active": datetime.date(2026, 2, 20),
            "notice": today - datetime.timedelta(days=12),
            "awaiting": today - datetime.timedelta(days=10),
            "exited": datetime.date(2025, 6, 10),
        }[key]
        case = aid.apply(
            union=file_union,
            applicant=applicant,
            tier=tier,
            cause=cause,
            annual_income=income,
            members=members,
            by=file_rights,
            today=started,
        )
        case = aid.record_visit(
            case,
            file_rights,
            started + datetime.timedelta(days=3),
            "赵红梅、站点负责人",
            "入户核实：家庭成员、收入和致困原因与申请一致，住房简陋，确有困难。",
        )
        case = aid.approve(case, file_rights, "经入户走访，情况属实，同意上报")
        made += 1
        if key == "awaiting":
            continue
        notice_from = {"active": datetime.date(2026, 3, 1), "exited": datetime.date(2025, 7, 1)}.get(
            key, today - datetime.timedelta(days=2)
        )
        case = aid.approve(case, district_rights, "同意纳入帮扶", today=notice_from)
        if key == "notice":
            continue
        aid.finish_notices(case.notice_ends_on + datetime.timedelta(days=1))
        case.refresh_from_db()
        if key == "active":
            for day, amount, purpose in (
                (datetime.date(2026, 3, 15), "2000", "生活救助"),
                (datetime.date(2026, 6, 20), "1500", "医疗救助"),
                (datetime.date(2026, 9, 1), "1000", "金秋助学"),
            ):
                aid.record_payment(case, district_rights, day, amount, purpose)
        else:
            aid.record_payment(case, file_rights, datetime.date(2025, 8, 1), "1500", "生活救助")
            aid.exit_case(
                case,
                file_rights,
                "妻子稳定就业，家庭收入超过帮扶标准，已脱困",
                today=datetime.date(2026, 7, 15),
            )
    return made


def seed_heat(district_union: Union, rng: random.Random) -> dict:
    """The 2026 summer heat condolence for the district's outdoor members, part redeemed at stations."""
    from stations.models import Station

    service = get_user_model().objects.filter(username="kq_service").first()
    keeper = get_user_model().objects.filter(username="kq_keeper").first() or service
    if service is None or BenefitDistribution.objects.filter(union=district_union, title=HEAT_TITLE).exists():
        return {"distributions": 0, "grants": 0, "redeemed": 0}
    distribution = BenefitDistribution.objects.create(
        union=district_union,
        kind="heat",
        title=HEAT_TITLE,
        items="清凉包（藿香正气水、毛巾、防暑饮料、西瓜）",
        value=Decimal(80),
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 8, 31),
    )
    stations = list(Station.objects.filter(union__path__subtree=district_union.path).order_by("pk")[:8])
    distribution.stations.set(stations)
    listed = benefits.build_list(distribution, service, benefits.outdoor_forms())
    grants = list(distribution.grants.order_by("pk").values_list("person_id", flat=True))
    picked = sorted(rng.sample(grants, min(REDEEM_MAX, int(len(grants) * REDEEM_SHARE))))
    memberships = {
        m.person_id: m
        for m in Membership.objects.filter(person_id__in=picked, status="active").select_related(
            "union", "person"
        )
    }
    redeemed = 0
    for person_id in picked:
        membership = memberships.get(person_id)
        if membership is None or not stations:
            continue
        when = timezone.make_aware(
            datetime.datetime(2026, 7, 1, 9)
            + datetime.timedelta(days=rng.randrange(0, 62), minutes=rng.randrange(0, 600))
        )
        station = stations[rng.randrange(len(stations))]
        benefits.redeem(distribution, sign_card(membership, now=when), keeper, station=station, now=when)
        redeemed += 1
    return {"distributions": 1, "grants": listed, "redeemed": redeemed}


def seed_aid(district_union: Union, rng: random.Random) -> dict:
    """The demo's hardship-aid files and the heat condolence; returns what was made (0s on a rerun)."""
    files = seed_files(district_union, rng)
    heat = seed_heat(district_union, rng)
    return {"files": files, **heat}
