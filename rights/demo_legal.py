"""Demo legal consultations for the seed's district: the pro bono lawyers' profiles, the seed's question
(the rider who fell on his way home and was told to pay for the spoiled meal) answered within hours,
a dozen more across categories with realistic answer times, one escalated past its target, two taken
further as rights cases (one mediated with money recovered), and lawyers' duty days at the rider station.

Deterministic for a given rng, and idempotent: a second run finds what the first made and adds nothing.
Every step goes through rights.services.legal, so routing, due times and notifications are the real ones.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import User
from members.models import Person

from .models import Consultation, DutyDay, Lawyer
from .services import legal

SEED_QUESTION = "我下班的时候……摔了一跤，人没事，餐食坏了，公司要我出钱赔，请问我可以拒绝吗？"
SEED_ANSWER = (
    "您好！您是在送餐/下班途中意外摔倒，餐品损坏属于经营中的正常风险，应由用人单位（或平台合作商）承担，"
    "不能把损失全部转嫁给骑手。《劳动合同法》第三十条规定用人单位应当按时足额支付劳动报酬，"
    "不得以“赔偿”为名随意克扣；即使约定了赔偿，每月扣除部分也不得超过当月工资的20%，且扣除后不得低于当地最低工资标准。"
    "建议您：1. 保留站点要求赔偿的聊天记录或截图；2. 不要签署“自愿赔偿”的确认；3. 如站点坚持扣款，"
    "可以申请工会出面协商，或向劳动保障监察投诉。如需帮助，可以在这里继续追问。"
)

# The district pool by username: categories (empty = all) and whether the lawyer serves only 柯桥街道.
PROFILES = {
    "kq_lawyer": ("浙江越州律师事务所", [], False, 10),
    "kq_lawyer_li": ("浙江柯桥律师事务所", ["injury", "traffic", "social_insurance"], False, 8),
    "kq_lawyer_zhou": ("浙江鉴湖律师事务所", ["wages", "relationship", "penalty"], False, 8),
    "kq_lawyer_fang": ("绍兴兰亭律师事务所", ["penalty", "other"], True, 6),
}

# (category, question, answer, hours to the first answer or None for unanswered, rating or None)
QUESTIONS = [
    (
        "wages",
        "站点说这个月单量不达标，扣了我800块“考核费”，工资条上也没写清楚，这样合法吗？",
        "考核扣款须有合法有效的规章制度并事先公示；无依据的扣款属于克扣工资。请保留工资条和聊天记录，"
        "先要求站点书面说明扣款依据，不行可以向劳动保障监察投诉，工会也可以出面协商。",
        3.5,
        5,
    ),
    (
        "injury",
        "送餐路上被电动车撞了，腿骨折，平台说我是众包骑手不算工伤，我该怎么办？",
        "众包骑手是否构成劳动关系要看实际管理情况；即使不构成，也可通过平台的职业伤害保障和商业意外险理赔。"
        "请先保存就医材料和事故记录，联系平台客服报案；工会可以帮您申请职业伤害保障。",
        6,
        4,
    ),
    (
        "traffic",
        "我骑车送件时和一辆小轿车剐蹭，交警认定对方全责，但对方一直拖着不赔误工费。",
        "持交警的事故认定书，可以要求对方及其保险公司赔偿医疗费、误工费和车辆损失；协商不成可向法院起诉，"
        "诉讼时效三年。误工费按您近三个月平均收入计算，请保留订单流水作为证明。",
        9,
        5,
    ),
    (
        "social_insurance",
        "我在快递网点干了两年，公司一直没给交社保，现在想补缴，可以吗？",
        "用人单位应当为劳动者缴纳社会保险。可以向社保经办机构或劳动保障监察投诉，要求补缴；"
        "若因未缴社保造成损失，也可以申请劳动仲裁要求赔偿。",
        20,
        None,
    ),
    (
        "relationship",
        "站长让我签一份“合作协议”，说签了就不是员工了，我不签就不给派单，怎么办？",
        "是否存在劳动关系看实际用工情况（是否接受管理、按月领取报酬、从事单位业务），不只看协议名称。"
        "签字前请仔细阅读，可以拍照留存；工会可以帮您审阅协议条款。",
        4,
        4,
    ),
    (
        "penalty",
        "顾客差评说餐洒了，平台直接罚了我50块，申诉也没人理。",
        "平台处罚应有明确规则并给予申诉渠道。请保存取餐、送达时的照片和订单记录，通过平台申诉；"
        "仍未处理的，可以向工会反映，工会与平台有协商机制，会转交平台处理。",
        2,
        5,
    ),
    (
        "wages",
        "我辞职已经一个月了，站点还压着我最后半个月的工资和押金不给。",
        "劳动关系解除时，用人单位应一次付清工资；押金本身就不应收取。可以先书面催要，"
        "仍不支付的，向劳动保障监察投诉或申请劳动仲裁，工会可以陪同。",
        5,
        None,
    ),
    (
        "other",
        "电动车在驿站门口被偷了，里面还有没送的餐，这个损失要我赔吗？",
        "车辆被盗请先报警取得回执；餐品损失属于经营风险，不应由您全额承担。可以拿报警回执与站点协商。",
        12,
        3,
    ),
    (
        "injury",
        "高温天送餐中暑被送医院，算工伤吗？医药费谁出？",
        "在工作时间和工作岗位因工作原因中暑，可以认定为工伤（职业病范围内的中暑）。请保留病历，"
        "由单位在30日内申请工伤认定，单位不申请的，您本人可在一年内申请。",
        None,
        None,
    ),
    (
        "relationship",
        "家政公司派我去客户家做保洁，没签合同，做了半年，现在说不要我了。",
        "未签书面劳动合同满一个月的，可以主张二倍工资差额（最长11个月）；被辞退也可以要求经济补偿。"
        "请整理派单记录和收入流水，工会可以帮您申请劳动仲裁。",
        8,
        5,
    ),
    (
        "traffic",
        "送快递时为了躲行人摔倒，车上的快件摔坏了，客户要我赔全价。",
        "快件损坏应由快递企业依《快递暂行条例》向寄件人赔偿，不应由快递员个人承担；"
        "请把情况报告网点，由网点按保价规则处理。",
        None,
        None,
    ),
]

# The escalated one: asked this long ago, never answered.
ESCALATED_HOURS_AGO = 40


def _lawyers(district_union) -> list[Lawyer]:
    users = User.objects.filter(
        roles__union=district_union, roles__kind=RoleKind.LAWYER, roles__active=True, username__in=PROFILES
    ).order_by("username")
    town = district_union.children.filter(name__contains="柯桥街道").select_related("region").first()
    lawyers = []
    for user in users:
        firm, categories, town_only, max_open = PROFILES[user.username]
        lawyer, made = Lawyer.objects.get_or_create(
            user=user,
            defaults={
                "union": district_union,
                "name": user.display_name or user.username,
                "firm": firm,
                "categories": categories,
                "max_open": max_open,
            },
        )
        if made and town_only and town is not None:
            lawyer.regions.set([town.region])
        lawyers.append(lawyer)
    return lawyers


def _askers(district_union, worker, rng: random.Random, count: int) -> list[Person]:
    members = list(
        Person.objects.filter(
            memberships__status="active", memberships__union__path__startswith=district_union.path
        )
        .exclude(pk=getattr(worker, "pk", None))
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    chosen = rng.sample(members, min(count, len(members)))
    people = Person.objects.in_bulk(chosen)
    return [people[pk] for pk in chosen]


def _duty_days(lawyers: list[Lawyer], rng: random.Random, today) -> int:
    from stations.demo import RIDER_STATION
    from stations.models import Station

    station = Station.objects.filter(name=RIDER_STATION).first()
    if station is None or not lawyers:
        return 0
    made = 0
    monday = today - datetime.timedelta(days=today.weekday())
    for week in range(-1, 4):
        for weekday, start, end in ((2, 14, 17), (5, 10, 12)):
            day = monday + datetime.timedelta(weeks=week, days=weekday)
            lawyer = lawyers[(week * 2 + weekday + rng.randrange(2)) % len(lawyers)]
            if DutyDay.objects.filter(station=station, day=day, starts_at=datetime.time(start)).exists():
                continue
            DutyDay.objects.create(
                lawyer=lawyer,
                station=station,
                day=day,
                starts_at=datetime.time(start),
                ends_at=datetime.time(end),
            )
            made += 1
    return made


def seed_legal(district_union, rng: random.Random, worker=None) -> dict:
    """Lawyers' profiles, consultations and duty days; `worker` (a Person) asks the seed's question."""
    now = timezone.now()
    lawyers = _lawyers(district_union)
    duty_days = _duty_days(lawyers, rng, timezone.localdate(now))
    done = {"lawyers": len(lawyers), "consultations": 0, "duty_days": duty_days}
    if not lawyers or Consultation.objects.filter(union=district_union, question=SEED_QUESTION).exists():
        return done
    officials = legal.rights_officials(district_union)
    official = officials[0] if officials else None
    askers = _askers(district_union, worker, rng, len(QUESTIONS) + 1)
    if worker is None and askers:
        worker = askers.pop()
    if worker is None:
        return done

    def lawyer_of(consultation):
        consultation.refresh_from_db()
        return consultation.lawyer

    plan = []
    # Spread over the last five weeks, oldest first, so the routing sees them in order.
    for index, (category, question, answer, hours, rating) in enumerate(QUESTIONS):
        asked = now - datetime.timedelta(days=35 - index * 3, hours=rng.randrange(8, 20))
        if hours is None:
            # Not answered yet, and still within the response target: asked this morning.
            asked = now - datetime.timedelta(hours=2 + index % 5, minutes=rng.randrange(60))
        plan.append(
            (
                asked,
                askers[index % len(askers)] if askers else worker,
                category,
                question,
                answer,
                hours,
                rating,
            )
        )
    plan.append(
        (now - datetime.timedelta(days=3, hours=2), worker, "penalty", SEED_QUESTION, SEED_ANSWER, 2.25, 5)
    )
    escalated_asker = askers[-1] if askers else worker
    made = []
    for asked, person, category, question, answer, hours, rating in sorted(plan, key=lambda p: p[0]):
        consultation = legal.submit(
            person, category, question, region=None, no_employer_contact=rng.random() < 0.25, now=asked
        )
        made.append(consultation)
        lawyer = lawyer_of(consultation)
        if hours is None or lawyer is None:
            continue
        answered = asked + datetime.timedelta(hours=hours + rng.random() / 2)
        legal.answer(consultation, lawyer.user, answer, now=answered)
        if rating is not None:
            legal.rate(consultation, person, rating, "" if rating < 5 else "律师答复很及时，讲得很清楚")
        if answered < now - datetime.timedelta(days=7):
            legal.close(consultation, lawyer.user, now=answered + datetime.timedelta(days=2))
    # One past its response target, never answered: escalated to the rights officials.
    late = legal.submit(
        escalated_asker,
        "wages",
        "外卖站点倒闭了，站长联系不上，我们十几个骑手两个月工资都没拿到，该找谁？",
        now=now - datetime.timedelta(hours=ESCALATED_HOURS_AGO),
    )
    made.append(late)
    legal.escalate_overdue(now)
    # Two went further: the wage-deduction one was mediated and the money came back; the unsigned
    # domestic worker's went to arbitration.
    if official is not None:
        by_question = {c.question: c for c in made}
        mediated = by_question[QUESTIONS[0][1]]
        case = legal.make_case(mediated, official, "工会约谈站点负责人，调解退还违规扣款并补发工资差额。")
        legal.update_case(
            case,
            official,
            "mediated",
            Decimal("1860.00"),
            closed_on=timezone.localdate(mediated.submitted_at + datetime.timedelta(days=12)),
        )
        arbitration = by_question[QUESTIONS[9][1]]
        case = legal.make_case(arbitration, official, "帮助申请劳动仲裁，主张未签劳动合同二倍工资差额。")
        legal.update_case(case, official, "arbitration", Decimal("0"))
    done["consultations"] = len(made)
    return done
