"""Demo mutual medical aid: the express-industry union's 2026 plan (60 yuan a head, the rules in force
since 2022 as its benefits, labelled 示例), its couriers enrolled by batch, and claims in every state.

Built through rights.services.mutual with fixed dates, so it is deterministic for a given rng, and
idempotent: a rerun finds the plan, enrols nobody twice (the batch skips those enrolled) and adds no
claims once the plan has some.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.models import Union

from .models import MutualAidClaim, MutualAidPlan
from .services import mutual

EXPRESS_UNION = "柯桥区快递行业工会"
PLAN_NAME = "快递行业职工医疗互助保障"
BATCH_ON = datetime.date(2025, 12, 20)
BENEFITS = """【示例】本计划执行2022年起施行的职工医疗互助保障新规：
一、住院医疗互助：保障期内因病住院，医保政策范围内个人自付费用超过500元的部分，按60%给予互助金，每次最高1万元，年度累计最高3万元。
二、特殊病种门诊：恶性肿瘤放化疗、尿毒症透析、器官移植后抗排异治疗的门诊费用，按住院标准给予互助。
三、意外伤害：因意外伤害住院或门诊治疗，个人自付超过100元的部分按50%给予补助，年度最高2000元；致残或身故的，按伤残等级给予1000元至2万元互助金。
四、重大疾病：保障期内首次确诊约定的重大疾病，一次性给予5000元互助金。
申请须在就医结束后90天内提交，材料包括医疗费用发票、费用清单、出院小结或门诊病历。"""
ELIGIBILITY = (
    "【示例】本行业工会及下属基层工会的在册会员，参保时在岗；由基层工会按批次统一参保，"
    "个人也可在参保期内在“娘家”自行参保。"
)
# (status, kind, incurred on, claimed, approved share, paid on)
CLAIMS = (
    ("paid", "住院医疗", datetime.date(2026, 2, 14), (3000, 12000), 0.6, datetime.date(2026, 4, 8)),
    ("paid", "意外伤害", datetime.date(2026, 3, 22), (300, 2500), 0.5, datetime.date(2026, 5, 12)),
    ("paid", "特殊病种门诊", datetime.date(2026, 4, 3), (2000, 8000), 0.6, datetime.date(2026, 6, 18)),
    ("paid", "住院医疗", datetime.date(2026, 6, 30), (4000, 15000), 0.6, datetime.date(2026, 9, 2)),
    ("approved", "意外伤害", datetime.date(2026, 9, 15), (500, 3000), 0.5, None),
    ("approved", "住院医疗", datetime.date(2026, 10, 9), (2500, 9000), 0.6, None),
    ("rejected", "住院医疗", datetime.date(2026, 8, 1), (800, 3000), None, None),
    ("submitted", "意外伤害", datetime.date(2026, 11, 1), (200, 1500), None, None),
    ("submitted", "重大疾病", datetime.date(2026, 11, 4), (5000, 5000), None, None),
    ("submitted", "住院医疗", datetime.date(2026, 11, 8), (1500, 6000), None, None),
)
REJECT_REASON = "【示例】就医发生在参保前已确诊的疾病，不属本年度保障范围"


def _pdf(title: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% 示例材料 {title}\n%%EOF\n".encode()
    return SimpleUploadedFile("invoice.pdf", body, content_type="application/pdf")


def seed_mutual(district_union: Union, rng: random.Random) -> dict:
    """The plan, the couriers' batch and the claims; returns what was created."""
    done = {"plans": 0, "enrolled": 0, "claims": 0}
    express = Union.objects.filter(path__subtree=district_union.path, name=EXPRESS_UNION).first()
    if express is None:
        return done
    reviewer = get_user_model().objects.filter(username="kq_rights").first()
    plan = MutualAidPlan.objects.filter(union=express, year=2026, name=PLAN_NAME).first()
    if plan is None:
        plan = MutualAidPlan(
            union=express,
            name=PLAN_NAME,
            year=2026,
            premium=Decimal("60.00"),
            enrol_opens_on=datetime.date(2025, 12, 1),
            enrol_closes_on=datetime.date(2026, 12, 31),
            coverage_starts_on=datetime.date(2026, 1, 1),
            coverage_ends_on=datetime.date(2026, 12, 31),
            members_only=True,
            eligibility=ELIGIBILITY,
            benefits=BENEFITS,
        )
        mutual.save_plan(plan)
        done["plans"] = 1
    # One batch per grassroots union of the express industry, as their chairs sent them in.
    for union in Union.objects.filter(path__subtree=express.path, depth=express.depth + 1).order_by("path"):
        result = mutual.enrol_batch(plan, union, batch=f"{union.name[:30]} 2026年度", on=BATCH_ON)
        done["enrolled"] += result.created
    if MutualAidClaim.objects.filter(enrollment__plan=plan).exists():
        return done
    enrolments = list(plan.enrollments.select_related("person").order_by("person_id"))
    if not enrolments:
        return done
    chosen = rng.sample(enrolments, min(len(CLAIMS), len(enrolments)))
    for enrolment, (status, kind, day, (low, high), share, paid_on) in zip(chosen, CLAIMS, strict=False):
        amount = Decimal(rng.randrange(low, high + 1) if high > low else low).quantize(Decimal("0.01"))
        submitted = day + datetime.timedelta(days=rng.randrange(3, 11))
        claim = mutual.submit_claim(enrolment, kind, day, amount, [_pdf(kind)], today=submitted)
        if status in ("approved", "paid"):
            approved = (amount * Decimal(str(share))).quantize(Decimal("0.01"))
            mutual.approve(claim, reviewer, approved, "【示例】按保障内容核定")
        if status == "paid":
            mutual.pay(claim, reviewer, paid_on)
        if status == "rejected":
            mutual.reject(claim, reviewer, REJECT_REASON)
        done["claims"] += 1
    return done
