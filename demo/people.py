"""The 1,472 couriers and riders of the demo district, their memberships and a few consents.

Everyone has a valid, made-up resident ID number (a real GB 11643 check
character, a real county code of where such workers come from, a birth date
that fits a working age) and a made-up mainland mobile number. Rows go in with
bulk_create, and their history with record_bulk_created, so the load is fast
and still leaves a record of its own.
"""

import datetime
import random
from dataclasses import dataclass

from core import pii
from core.history import record_bulk_created
from members.choices import ConsentChannel, ConsentPurpose, EmploymentForm, JoinChannel
from members.models import Membership, Person
from members.services import give_consent

from .brands import Site
from .district import District, day
from .logins import DEMO_WORKER_NAME, DEMO_WORKER_PHONE

BATCH = 500
REFERENCE_DAY = datetime.date(2026, 11, 1)  # ages are reckoned from here, not from today, to stay fixed

# Issuing counties (GB/T 2260; 330621 绍兴县 and 330682 上虞市 are the codes people born in
# today's 柯桥区 and 上虞区 before 2013 still carry). Weighted like the seed's workforce: many
# from the district, many from Anhui, Henan and Sichuan (李师傅 is 四川籍).
ORIGINS = {
    "330621": 9,  # 绍兴县 (now 柯桥区)
    "330602": 3,  # 越城区
    "330681": 3,  # 诸暨市
    "330683": 2,  # 嵊州市
    "330682": 2,  # 上虞市 (now 上虞区)
    "330624": 1,  # 新昌县
    "341222": 3,  # 安徽 太和县
    "341221": 3,  # 安徽 临泉县
    "341225": 2,  # 安徽 阜南县
    "341226": 2,  # 安徽 颍上县
    "341322": 1,  # 安徽 萧县
    "340321": 1,  # 安徽 怀远县
    "411525": 2,  # 河南 固始县
    "411628": 1,  # 河南 鹿邑县
    "411627": 1,  # 河南 太康县
    "411328": 1,  # 河南 唐河县
    "511321": 2,  # 四川 南部县
    "511324": 2,  # 四川 仪陇县
    "511725": 2,  # 四川 渠县
    "512021": 1,  # 四川 安岳县
    "511623": 1,  # 四川 邻水县
    "520524": 1,  # 贵州 织金县
    "522633": 1,  # 贵州 从江县
    "360731": 1,  # 江西 于都县
    "361128": 1,  # 江西 鄱阳县
    "430524": 1,  # 湖南 隆回县
    "450923": 1,  # 广西 博白县
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
MALE_GIVEN = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林峰建国志海兵东亮成春文"
FEMALE_GIVEN = "芳娜秀英敏静丽艳娟霞燕玲桂兰萍红梅琳莉雪婷慧佳倩颖露"
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "150", "151", "152", "153")
MOBILE_PREFIXES += ("155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185")
MOBILE_PREFIXES += ("186", "187", "188", "189", "191", "198", "199")

# Shares that make the district look like the seed's: mostly men, a third not yet in the union.
MALE_SHARE = {
    EmploymentForm.COURIER: 0.92,
    EmploymentForm.DELIVERY_RIDER: 0.9,
    EmploymentForm.TRUCK_DRIVER: 0.98,
}
TRUCK_DRIVER_SHARE = 0.25  # of the workers of a 快运 brand
MEMBER_SHARE_AT_UNION_SITE = 0.82
MEMBER_SHARE_ELSEWHERE = 0.3  # join the new-economy federation directly
CHANNELS_AT_SITE = {
    JoinChannel.COLLECTIVE: 35,
    JoinChannel.QR: 30,
    JoinChannel.ON_SITE: 15,
    JoinChannel.MOBILE_WINDOW: 10,
    JoinChannel.ONLINE: 10,
}
CHANNELS_DIRECT = {JoinChannel.QR: 45, JoinChannel.MOBILE_WINDOW: 30, JoinChannel.ONLINE: 25}
CONSENTING_MEMBERS = 20


@dataclass(frozen=True)
class Outcome:
    persons: int
    memberships: int
    consents: int


def done() -> bool:
    return Person.objects.filter(phone_hash=pii.lookup_hash("phone", DEMO_WORKER_PHONE)).exists()


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Maker:
    """Hands out distinct made-up names, ID numbers and phones from one random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = {DEMO_WORKER_PHONE}

    def name(self, male: bool) -> str:
        given = MALE_GIVEN if male else FEMALE_GIVEN
        length = 1 if self.rng.random() < 0.3 else 2
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(given) for _ in range(length))

    def id_number(self, male: bool, region: str | None = None) -> str:
        while True:
            age_days = int(self.rng.triangular(19 * 365, 52 * 365, 30 * 365))
            birth = REFERENCE_DAY - datetime.timedelta(days=age_days)
            # The sequence digits' last one is odd for men, even for women.
            order = self.rng.randint(0, 499) * 2 + (1 if male else 0)
            first17 = f"{region or _pick(self.rng, ORIGINS)}{birth:%Y%m%d}{order:03d}"
            value = first17 + pii.check_character(first17)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def phone(self) -> str:
        while True:
            value = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if value not in self.phones:
                self.phones.add(value)
                return value


def _form(rng: random.Random, site: Site) -> str:
    if site.brand.freight and rng.random() < TRUCK_DRIVER_SHARE:
        return EmploymentForm.TRUCK_DRIVER
    return site.brand.form


def _person(maker: _Maker, form: str, name: str = "", phone: str = "", region: str | None = None) -> Person:
    male = maker.rng.random() < MALE_SHARE[form] if not name else True
    person = Person(name=name or maker.name(male), employment_form=form)
    person.set_id_number(maker.id_number(male, region))
    person.set_phone(phone or maker.phone())
    return person


def build(district: District, rng: random.Random) -> Outcome:
    """Create the workers site by site; the caller runs this once, inside a transaction."""
    maker = _Maker(rng)
    persons: list[Person] = []
    joins: list[tuple[int, object, str, datetime.date]] = []  # (person index, union, channel, day)
    demo_worker_site = next(s for s in district.sites if s.union_status == "p")
    demo_index = -1
    for site in district.sites:
        for n in range(site.workers):
            index = len(persons)
            if site is demo_worker_site and n == 0:
                demo_index = index
                persons.append(_person(maker, site.brand.form, DEMO_WORKER_NAME, DEMO_WORKER_PHONE, "511321"))
                since = district.new_economy.established_on
                joins.append((index, district.new_economy, JoinChannel.QR, day(rng, since)))
                continue
            persons.append(_person(maker, _form(rng, site)))
            if site.union_status == "u" and rng.random() < MEMBER_SHARE_AT_UNION_SITE:
                since = max(site.union.established_on, district.express.established_on)
                joins.append((index, site.union, _pick(rng, CHANNELS_AT_SITE), day(rng, since)))
            elif site.union_status != "u" and rng.random() < MEMBER_SHARE_ELSEWHERE:
                since = district.new_economy.established_on
                joins.append((index, district.new_economy, _pick(rng, CHANNELS_DIRECT), day(rng, since)))

    Person.objects.bulk_create(persons, batch_size=BATCH)
    record_bulk_created(persons)
    memberships = [
        Membership(
            person=persons[index],
            union=union,
            channel=channel,
            joined_on=joined,
            card_number=f"KQ{joined:%Y}{seq:06d}",
        )
        # Cards are numbered in the order people joined.
        for seq, (index, union, channel, joined) in enumerate(sorted(joins, key=lambda j: (j[3], j[0])), 1)
    ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    record_bulk_created(memberships)

    # A few workers have signed the privacy notice on the H5 pages, the demo worker among them.
    others = [persons[i] for i, *_ in joins if i != demo_index]
    consenting = [persons[demo_index], *others[:CONSENTING_MEMBERS]]
    consents = 0
    for person in consenting:
        for purpose in (ConsentPurpose.ACCOUNT, ConsentPurpose.MEMBERSHIP):
            give_consent(person, purpose, ConsentChannel.H5)
            consents += 1
    give_consent(persons[demo_index], ConsentPurpose.NOTIFICATIONS, ConsentChannel.H5)
    return Outcome(len(persons), len(memberships), consents + 1)
