"""Build the demo district step by step; each step finds what an earlier run made and adds only
what is missing, so running it again changes nothing.

A later module adds its demo data as one more step in STEPS. Every step draws
from its own random generator, seeded by the step's name, so its data does not
depend on which other steps ran in the same invocation.
"""

import importlib
import importlib.util
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.history import acting_as
from members.services import find_by_phone
from orgs.models import Region
from orgs.region_data import load_regions

from . import district as district_step
from . import officials as officials_step
from . import people as people_step
from .brands import plan_sites
from .logins import DEMO_WORKER_PHONE, KEEPER

SEED = "niangjia-demo-柯桥区"
ACTOR_LABEL = "command:seed_demo"


def rng(part: str) -> random.Random:
    return random.Random(f"{SEED}:{part}")


@dataclass
class Report:
    """What one run created, step by step (label, count); nothing created means nothing changed."""

    created: list[tuple[str, int]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(count for _label, count in self.created)

    def add(self, label, count: int) -> None:
        self.created.append((str(label), count))


def _regions(report: Report, ctx: dict) -> None:
    report.add(_("行政区划"), load_regions(Region))


def _district(report: Report, ctx: dict) -> None:
    sites = plan_sites(rng("sites"))
    if district_step.find() is None:
        ctx["district"] = district_step.build(rng("district"), sites)
        report.add(_("工会"), len(ctx["district"].unions()))
    else:
        ctx["district"] = district_step.load(sites)
        report.add(_("工会"), 0)


def _people(report: Report, ctx: dict) -> None:
    if people_step.done():
        outcome = people_step.Outcome(0, 0, 0)
    else:
        outcome = people_step.build(ctx["district"], rng("people"))
    report.add(_("职工（快递员、外卖配送员）"), outcome.persons)
    report.add(_("会籍"), outcome.memberships)
    report.add(_("个人信息授权"), outcome.consents)


def _officials(report: Report, ctx: dict) -> None:
    report.add(_("账号与角色"), officials_step.build(ctx["district"]))


def _stations(report: Report, ctx: dict) -> None:
    # The stations app is optional: the district is whole without it.
    if importlib.util.find_spec("stations") is None or importlib.util.find_spec("stations.demo") is None:
        return
    from accounts.models import User

    stations_demo = importlib.import_module("stations.demo")
    station_model = importlib.import_module("stations.models").Station
    visit_model = importlib.import_module("stations.models").Visit
    before = station_model.objects.count()
    visits_before = visit_model.objects.count()
    keeper = User.objects.filter(username=KEEPER).first()
    # The demo's rider (李师傅) has checked in at the 小哥驿站, so his 我的 lists visits.
    worker = find_by_phone(DEMO_WORKER_PHONE)
    stations_demo.seed_stations(ctx["district"].district, keeper, rng("stations"), worker=worker)
    report.add(_("服务站点"), station_model.objects.count() - before)
    # The unified standard: the district's checklist and an inspection of most stations.
    standard_demo = importlib.import_module("stations.demo_standard")
    inspector = User.objects.filter(username="kq_service").first()
    report.add(
        _("站点检查"),
        standard_demo.seed_standard(ctx["district"].district, inspector, rng("station-standard")),
    )
    report.add(_("到站打卡"), visit_model.objects.count() - visits_before)


def _census(report: Report, ctx: dict) -> None:
    from . import census

    created = census.build(ctx["district"], rng("census"))
    for label, count in zip((_("品牌"), _("用人单位"), _("普查")), created, strict=True):
        report.add(label, count)


def _organising(report: Report, ctx: dict) -> None:
    from . import organising

    outcome = (
        organising.Outcome() if organising.done() else organising.build(ctx["district"], rng("organising"))
    )
    report.add(_("今年新建工会"), outcome.unions)
    report.add(_("今年新入会职工"), outcome.persons)
    report.add(_("覆盖计划"), outcome.plans)
    report.add(_("主席助理派驻"), outcome.assignments)


def _coverage(report: Report, ctx: dict) -> None:
    # After the census: the hot spots are its employer sites (placed in their streets) and a few imported.
    if importlib.util.find_spec("stations") is None:
        return
    coverage_demo = importlib.import_module("stations.demo_coverage")
    report.add(_("需求热点"), coverage_demo.seed_hot_spots(ctx["district"].district, rng("hot-spots")))


def _programs(report: Report, ctx: dict) -> None:
    # The programs app is optional too; its registrants are the members made above.
    if importlib.util.find_spec("programs") is None or importlib.util.find_spec("programs.demo") is None:
        return
    from accounts.models import User

    programs_demo = importlib.import_module("programs.demo")
    service = User.objects.filter(username="kq_service").first()
    made = programs_demo.seed_programs(ctx["district"].district, rng("programs"), by=service)
    report.add(_("服务活动"), len(made))


def _joining(report: Report, ctx: dict) -> None:
    from . import joining

    outcome = joining.Outcome() if joining.done() else joining.build(ctx["district"])
    report.add(_("入会申请"), outcome.requests)
    report.add(_("会员关系接转"), outcome.transfers)


def _knowledge(report: Report, ctx: dict) -> None:
    # The rights app is optional: its knowledge base is published by the district union.
    if importlib.util.find_spec("rights") is None:
        return
    knowledge_demo = importlib.import_module("rights.demo_knowledge")
    report.add(_("法律知识库文章"), knowledge_demo.seed_articles(ctx["district"].district))


def _legal(report: Report, ctx: dict) -> None:
    # Pro bono lawyers of the district, the seed's question answered, a dozen more, duty days.
    if importlib.util.find_spec("rights") is None:
        return
    legal_demo = importlib.import_module("rights.demo_legal")
    worker = find_by_phone(DEMO_WORKER_PHONE)
    done = legal_demo.seed_legal(ctx["district"].district, rng("legal"), worker=worker)
    report.add(_("法律咨询"), done["consultations"])
    report.add(_("律师驻站"), done["duty_days"])


def _aid(report: Report, ctx: dict) -> None:
    # Hardship-aid files of 柯桥街道 in every state, and the 2026 summer heat condolence, part redeemed.
    if importlib.util.find_spec("rights") is None:
        return
    aid_demo = importlib.import_module("rights.demo_aid")
    done = aid_demo.seed_aid(ctx["district"].district, rng("aid"))
    report.add(_("困难帮扶档案"), done["files"])
    report.add(_("普惠发放名单"), done["grants"])
    report.add(_("普惠发放领取"), done["redeemed"])


def _mutual(report: Report, ctx: dict) -> None:
    # The express-industry union's 2026 mutual medical aid: 60 yuan a head, couriers by batch, claims.
    if importlib.util.find_spec("rights") is None:
        return
    mutual_demo = importlib.import_module("rights.demo_mutual")
    done = mutual_demo.seed_mutual(ctx["district"].district, rng("mutual"))
    report.add(_("医疗互助参保"), done["enrolled"])
    report.add(_("医疗互助理赔"), done["claims"])


# This year's organising comes last: it adds only what the year still lacks after every other step.
STEPS: list[Callable[[Report, dict], None]] = [
    _regions,
    _district,
    _people,
    _officials,
    _stations,
    _census,
    _coverage,
    _joining,
    _programs,
    _knowledge,
    _legal,
    _aid,
    _mutual,
    _organising,
]


def seed_demo() -> Report:
    """Run every step in one transaction, attributed to the command in the history."""
    report = Report()
    context: dict = {}
    with acting_as(None, ACTOR_LABEL), transaction.atomic():
        for step in STEPS:
            step(report, context)
    return report
