"""Rights statistics (权益保障统计) for a union's subtree and a period: aggregate queries only.

What each figure counts (the period is start..end, both days included; "in the subtree" follows the
union that owns the row):
- consultations: submitted in the period to a union of the subtree, by category;
- response times: of those, the ones answered: hours from submission to the first answer (median and
  p90, interpolated like PostgreSQL's percentile_cont), and the share answered within the target
  (settings.CONSULTATION_RESPONSE_HOURS);
- cases: rights cases opened in the period, by their current outcome, and the amount recovered;
- hardship aid: files applied for in the period by tier and status; payments made in the period
  (count and total);
- benefits: per-person grants of distributions running in the period (listed) and those redeemed;
- mutual aid: enrolments made in the period (people, premium) by the enrolment's union; claims
  submitted in the period (count, approved = approved or paid, approved amount); paid: claims whose
  payment date is in the period (count, amount).

Percentiles: PostgreSQL computes them in the database (percentile_cont over the duration);
elsewhere only the duration column, computed in SQL, is fetched and interpolated here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Q, Sum
from django.db.models.functions import Coalesce

from ..choices import AidStatus, AidTier, CaseOutcome, ClaimStatus, ConsultationCategory
from ..models import (
    AidCase,
    AidPayment,
    BenefitGrant,
    Consultation,
    MutualAidClaim,
    MutualAidEnrollment,
    RightsCase,
)

ZERO = Decimal("0.00")


@dataclass
class Figures:
    union: object
    start: datetime.date
    end: datetime.date
    target_hours: int
    consultations: int = 0
    by_category: list = field(default_factory=list)  # [(value, label, count)]
    answered: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None
    within_target: int = 0
    cases: int = 0
    by_outcome: list = field(default_factory=list)
    recovered: Decimal = ZERO
    aid_files: int = 0
    aid_by_tier: list = field(default_factory=list)  # [(value, label, count)]
    aid_by_status: list = field(default_factory=list)
    aid_payments: int = 0
    aid_paid: Decimal = ZERO
    benefits_listed: int = 0
    benefits_redeemed: int = 0
    enrolled: int = 0
    premium: Decimal = ZERO
    claims: int = 0
    claims_approved: int = 0
    approved_amount: Decimal = ZERO
    claims_paid: int = 0
    paid_amount: Decimal = ZERO

    @property
    def within_share(self) -> Decimal | None:
        if not self.answered:
            return None
        return (Decimal(self.within_target) / Decimal(self.answered)).quantize(Decimal("0.001"))


def _by(queryset, column: str, choices) -> list:
    counts = dict(queryset.order_by().values_list(column).annotate(n=Count("id")).values_list(column, "n"))
    return [(value, str(label), counts.get(value, 0)) for value, label in choices]


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as percentile_cont."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


class _PercentileHours(Aggregate):
    """PostgreSQL: percentile_cont(f) of (answered_at - submitted_at) in hours."""

    function = "percentile_cont"
    template = (
        "percentile_cont(%(fraction)s) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)"
    )

    def __init__(self, expression, fraction: float):
        super().__init__(expression, fraction=float(fraction), output_field=FloatField())


def _response_times(answered) -> tuple[float | None, float | None]:
    duration = ExpressionWrapper(F("answered_at") - F("submitted_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        row = answered.aggregate(median=_PercentileHours(duration, 0.5), p90=_PercentileHours(duration, 0.9))
        return row["median"], row["p90"]
    hours = sorted(
        d.total_seconds() / 3600
        for d in answered.annotate(d=duration).order_by().values_list("d", flat=True)
        if d is not None
    )
    return percentile(hours, 0.5), percentile(hours, 0.9)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def figures(union, start: datetime.date, end: datetime.date) -> Figures:
    path = union.path
    target = settings.CONSULTATION_RESPONSE_HOURS
    result = Figures(union=union, start=start, end=end, target_hours=target)

    consultations = Consultation.objects.filter(
        union__path__subtree=path, submitted_at__date__gte=start, submitted_at__date__lte=end
    )
    result.by_category = _by(consultations, "category", ConsultationCategory.choices)
    result.consultations = sum(n for _v, _l, n in result.by_category)
    answered = consultations.filter(answered_at__isnull=False)
    row = answered.aggregate(
        n=Count("id"),
        within=Count("id", filter=Q(answered_at__lte=F("submitted_at") + datetime.timedelta(hours=target))),
    )
    result.answered, result.within_target = row["n"], row["within"]
    median, p90 = _response_times(answered)
    result.median_hours, result.p90_hours = _round(median), _round(p90)

    cases = RightsCase.objects.filter(
        consultation__union__path__subtree=path, opened_on__gte=start, opened_on__lte=end
    )
    result.by_outcome = _by(cases, "outcome", CaseOutcome.choices)
    result.cases = sum(n for _v, _l, n in result.by_outcome)
    result.recovered = cases.aggregate(s=Coalesce(Sum("amount_recovered"), ZERO))["s"]

    files = AidCase.objects.filter(union__path__subtree=path, applied_on__gte=start, applied_on__lte=end)
    result.aid_by_tier = _by(files, "tier", AidTier.choices)
    result.aid_by_status = _by(files, "status", AidStatus.choices)
    result.aid_files = sum(n for _v, _l, n in result.aid_by_tier)
    row = AidPayment.objects.filter(
        aid_case__union__path__subtree=path, paid_on__gte=start, paid_on__lte=end
    ).aggregate(n=Count("id"), total=Coalesce(Sum("amount"), ZERO))
    result.aid_payments, result.aid_paid = row["n"], row["total"]

    row = BenefitGrant.objects.filter(
        distribution__union__path__subtree=path,
        distribution__starts_on__lte=end,
        distribution__ends_on__gte=start,
    ).aggregate(listed=Count("id"), redeemed=Count("id", filter=Q(redeemed_at__isnull=False)))
    result.benefits_listed, result.benefits_redeemed = row["listed"], row["redeemed"]

    row = MutualAidEnrollment.objects.filter(
        union__path__subtree=path, enrolled_on__gte=start, enrolled_on__lte=end
    ).aggregate(people=Count("person", distinct=True), premium=Coalesce(Sum("premium_paid"), ZERO))
    result.enrolled, result.premium = row["people"], row["premium"]
    claims = MutualAidClaim.objects.filter(enrollment__union__path__subtree=path)
    decided = (ClaimStatus.APPROVED, ClaimStatus.PAID)
    row = claims.filter(submitted_on__gte=start, submitted_on__lte=end).aggregate(
        n=Count("id"),
        approved=Count("id", filter=Q(status__in=decided)),
        amount=Coalesce(Sum("amount_approved", filter=Q(status__in=decided)), ZERO),
    )
    result.claims, result.claims_approved, result.approved_amount = row["n"], row["approved"], row["amount"]
    row = claims.filter(status=ClaimStatus.PAID, paid_on__gte=start, paid_on__lte=end).aggregate(
        n=Count("id"), amount=Coalesce(Sum("amount_approved"), ZERO)
    )
    result.claims_paid, result.paid_amount = row["n"], row["amount"]
    for name in ("recovered", "aid_paid", "premium", "approved_amount", "paid_amount"):
        setattr(result, name, Decimal(getattr(result, name)).quantize(ZERO))
    return result


def rows(f: Figures) -> list[tuple[str, str, object]]:
    """(section, item, value) rows: the xlsx download and the plain table read the same list."""
    from django.utils.translation import gettext as _

    out = [(_("法律咨询"), label, n) for _v, label, n in f.by_category]
    out += [
        (_("法律咨询"), _("合计"), f.consultations),
        (_("答复时效"), _("已答复"), f.answered),
        (_("答复时效"), _("中位数（小时）"), f.median_hours),
        (_("答复时效"), _("90% 分位（小时）"), f.p90_hours),
        (_("答复时效"), _("%(h)d 小时内答复") % {"h": f.target_hours}, f.within_target),
        (_("答复时效"), _("时限内答复占比"), f.within_share),
    ]
    out += [(_("维权案件"), label, n) for _v, label, n in f.by_outcome]
    out += [(_("维权案件"), _("合计"), f.cases), (_("维权案件"), _("挽回金额（元）"), f.recovered)]
    out += [(_("困难帮扶（按类别）"), label, n) for _v, label, n in f.aid_by_tier]
    out += [(_("困难帮扶（按状态）"), label, n) for _v, label, n in f.aid_by_status]
    out += [
        (_("困难帮扶"), _("建档合计"), f.aid_files),
        (_("困难帮扶"), _("发放笔数"), f.aid_payments),
        (_("困难帮扶"), _("发放金额（元）"), f.aid_paid),
        (_("普惠发放"), _("名单人次"), f.benefits_listed),
        (_("普惠发放"), _("已领取人次"), f.benefits_redeemed),
        (_("医疗互助"), _("参保人数"), f.enrolled),
        (_("医疗互助"), _("缴费金额（元）"), f.premium),
        (_("医疗互助"), _("理赔申请"), f.claims),
        (_("医疗互助"), _("核准件数"), f.claims_approved),
        (_("医疗互助"), _("核准金额（元）"), f.approved_amount),
        (_("医疗互助"), _("赔付件数"), f.claims_paid),
        (_("医疗互助"), _("赔付金额（元）"), f.paid_amount),
    ]
    return out


def workbook(f: Figures) -> bytes:
    import io

    from django.utils.translation import gettext as _
    from openpyxl import Workbook

    from core import spreadsheets

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("权益保障统计"))
    sheet.append(spreadsheets.inert(sheet, [_("工会"), f.union.name]))
    sheet.append([_("统计期间"), f"{f.start} — {f.end}"])
    sheet.append([])
    sheet.append([_("类别"), _("项目"), _("数值")])
    for section, item, value in rows(f):
        sheet.append([section, item, float(value) if isinstance(value, Decimal) else value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
