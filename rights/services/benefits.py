"""Mass benefits (普惠发放): distribution lists and redemption by scanning the member card.

A list is built from the active members of the distribution union's subtree, filtered by employment
form (the heat condolence goes to couriers, riders, sanitation workers…), or imported from an xlsx/csv
of ID numbers (all or nothing: any bad row and nothing is added; the problems name row and column).
People already on the list are skipped, so building or importing twice adds nobody twice.

Redemption: the member card's QR is verified offline (members.services.cards.verify_card); its card
number leads to the person and to their grant on the distribution. A grant is redeemed at most once:
the write is one conditional UPDATE … WHERE redeemed_at IS NULL, so of two simultaneous scans exactly one
wins, on SQLite and PostgreSQL, and the other is told when and where it was redeemed. Redemption happens
only between the distribution's dates and, if it names stations, only at one of them. Who may redeem:
the benefit officials of the distribution's union or above (rights, service, admin roles), and station
keepers (KEEPER role covering the station, stations.services.registry.may_keep) at a station of the
distribution.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pii, spreadsheets
from core.history import mark_saved, record_action, record_bulk_created
from core.scoping import CHANGE, can
from members.choices import MembershipStatus
from members.models import Membership, Person
from members.services.cards import verify_card
from orgs.choices import EmploymentForm

from ..models import BenefitDistribution, BenefitGrant

# Outdoor workers: who the summer heat condolence goes to.
OUTDOOR_FORMS = (
    EmploymentForm.COURIER,
    EmploymentForm.DELIVERY_RIDER,
    EmploymentForm.SANITATION_WORKER,
    EmploymentForm.TRUCK_DRIVER,
    EmploymentForm.RIDE_HAILING_DRIVER,
)
ID_HEADERS = ("身份证号", "身份证号码", "公民身份号码")
COLUMNS = [spreadsheets.Column("id_number", "身份证号", required=True), spreadsheets.Column("name", "姓名")]


def outdoor_forms() -> list[str]:
    return [str(form) for form in OUTDOOR_FORMS]


def _check_change(user, distribution) -> None:
    if not can(user, CHANGE, distribution):
        raise PermissionDenied


# ------------------------------------------------------------------ lists


def _add(distribution: BenefitDistribution, person_ids) -> int:
    """Add these people (skipping those already listed); returns how many were added."""
    person_ids = set(person_ids)
    already = set(
        BenefitGrant.objects.filter(distribution=distribution, person_id__in=person_ids).values_list(
            "person_id", flat=True
        )
    )
    new = [BenefitGrant(distribution=distribution, person_id=pk) for pk in sorted(person_ids - already)]
    made = BenefitGrant.objects.bulk_create(new, batch_size=2000)
    if made and made[0].pk is not None:
        record_bulk_created(made)
    return len(new)


def build_list(distribution: BenefitDistribution, by, employment_forms=()) -> int:
    """Add the active members of the distribution union's subtree with these employment forms (all forms
    when empty). Returns how many were added."""
    _check_change(by, distribution)
    forms = [f for f in employment_forms if f in EmploymentForm.values]
    members = Membership.objects.filter(
        status=MembershipStatus.ACTIVE, union__path__subtree=distribution.union.path
    )
    if forms:
        members = members.filter(person__employment_form__in=forms)
    with transaction.atomic():
        added = _add(distribution, members.values_list("person_id", flat=True))
        record_action(
            distribution,
            "list_built",
            _("按就业形态生成名单，新增 %(n)d 人") % {"n": added},
            {"forms": forms, "added": added},
        )
    return added


@dataclass
class ImportResult:
    added: int = 0
    already: int = 0
    problems: list = None


def import_list(distribution: BenefitDistribution, by, content: bytes, file_name: str) -> ImportResult:
    """Add the people whose ID numbers a spreadsheet lists; all or nothing. The result's problems (row,
    column, message) are set when a row was refused; then nothing was added. FileError when the file
    is unreadable or has no ID number column (it has no row to blame)."""
    _check_change(by, distribution)
    header, rows = spreadsheets.read_rows(content, file_name, max_rows=100_000)
    position = next((i for i, name in enumerate(header) if name in ID_HEADERS), None)
    if position is None:
        raise spreadsheets.FileError(_("文件中缺少“身份证号”列"))
    problems, hashes, first_row = [], {}, {}
    for number, cells in rows:
        raw = spreadsheets.text(cells[position] if position < len(cells) else "").upper()
        if not raw:
            problems.append(spreadsheets.Problem(number, "身份证号", _("身份证号为空")))
            continue
        try:
            value = pii.parse_id_number(raw).value
        except ValidationError as error:
            problems.append(spreadsheets.Problem(number, "身份证号", " ".join(error.messages)))
            continue
        digest = pii.lookup_hash("id", value)
        if digest in first_row:
            problems.append(
                spreadsheets.Problem(number, "身份证号", _("与第 %(n)d 行重复") % {"n": first_row[digest]})
            )
            continue
        first_row[digest] = number
        hashes[digest] = number
    found = dict(Person.objects.filter(id_number_hash__in=list(hashes)).values_list("id_number_hash", "pk"))
    subtree_people = set(
        Membership.objects.filter(
            status=MembershipStatus.ACTIVE,
            union__path__subtree=distribution.union.path,
            person_id__in=list(found.values()),
        ).values_list("person_id", flat=True)
    )
    for digest, number in hashes.items():
        pk = found.get(digest)
        if pk is None or pk not in subtree_people:
            # Same words for "unknown" and "elsewhere": the file does not learn who exists outside.
            problems.append(spreadsheets.Problem(number, "身份证号", _("不是本工会（含下级）在册会员")))
    if problems:
        problems.sort(key=lambda p: p.row)
        return ImportResult(problems=problems)
    ids = set(found.values())
    with transaction.atomic():
        added = _add(distribution, ids)
        record_action(
            distribution,
            "list_imported",
            _("导入名单，新增 %(n)d 人，已在名单 %(m)d 人") % {"n": added, "m": len(ids) - added},
        )
    return ImportResult(added=added, already=len(ids) - added, problems=[])


def template() -> bytes:
    return spreadsheets.build_template(
        _("发放名单"),
        COLUMNS,
        {},
        [
            _("每行一位职工，填写18位身份证号；姓名可不填，仅供核对。"),
            _("名单中须是本工会（含下级）在册会员。"),
        ],
        last_row=5000,
    )


# ------------------------------------------------------------------ redemption


def may_redeem(user, distribution: BenefitDistribution, station=None, station_ids=None) -> bool:
    """`station_ids`: the distribution's stations, when the caller has read them already."""
    if not user.is_authenticated:
        return False
    if can(user, CHANGE, distribution):
        return True
    if station is None:
        return False
    from stations.services.registry import may_keep

    if station_ids is None:
        station_ids = _station_ids(distribution)
    return may_keep(user, station) and _at_station_ok(station_ids, station)


def _station_ids(distribution) -> set[int]:
    return set(distribution.stations.values_list("pk", flat=True))


def _at_station_ok(station_ids: set[int], station) -> bool:
    """No stations named: anywhere (the event's own site); else one of them."""
    return not station_ids or (station is not None and station.pk in station_ids)


def redeemable(user, today: datetime.date | None = None):
    """Distributions running today that `user` may redeem for (their scope, or a station they keep)."""
    from accounts.choices import RoleKind
    from accounts.models import Role
    from stations.models import Station

    today = today or timezone.localdate()
    running = BenefitDistribution.objects.filter(starts_on__lte=today, ends_on__gte=today)
    mine = set(running.restrict(user, CHANGE).values_list("pk", flat=True))
    paths = list(
        Role.objects.filter(user=user, kind=RoleKind.KEEPER, active=True).values_list(
            "union__path", flat=True
        )
    )
    if paths:
        covered = Q()
        for path in paths:
            covered |= Q(union__path__startswith=path)
        stations = Station.objects.filter(covered).values("pk")
        mine |= set(running.filter(stations__in=stations).values_list("pk", flat=True))
    return (
        BenefitDistribution.objects.filter(pk__in=mine).select_related("union").order_by("-starts_on", "pk")
    )


def stations_for(user, distribution):
    """The stations `user` may redeem at for this distribution (officials: all of its stations)."""
    from stations.services.registry import may_keep

    stations = list(distribution.stations.select_related("union").order_by("name"))
    if can(user, CHANGE, distribution):
        return stations
    return [s for s in stations if may_keep(user, s)]


@dataclass
class Redemption:
    grant: BenefitGrant
    masked_name: str
    card_number: str


def redeem(
    distribution: BenefitDistribution, token: str, by, station=None, now: datetime.datetime | None = None
) -> Redemption:
    """Redeem the grant of the person whose member card was scanned; ValidationError says why not."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    station_ids = _station_ids(distribution)
    if not may_redeem(by, distribution, station, station_ids):
        raise PermissionDenied(_("您不能为此发放核销（不在管理范围内，或不是该站点的管理员）"))
    if today < distribution.starts_on or today > distribution.ends_on:
        raise ValidationError(
            _("不在领取时间内：%(start)s 至 %(end)s")
            % {"start": distribution.starts_on.isoformat(), "end": distribution.ends_on.isoformat()}
        )
    if not _at_station_ok(station_ids, station):
        raise ValidationError(_("本次发放只能在指定站点领取"))
    check = verify_card(token, today=today)
    if not check.valid:
        raise ValidationError(check.reason)
    membership = Membership.objects.filter(card_number=check.card_number).select_related("person").first()
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("会员卡已失效：会籍不在册"))
    grant = BenefitGrant.objects.filter(distribution=distribution, person_id=membership.person_id).first()
    if grant is None:
        raise ValidationError(
            _("%(name)s 不在“%(title)s”的发放名单中")
            % {"name": check.masked_name, "title": distribution.title}
        )
    grant.distribution = distribution  # named in the history row: no read of it again
    with transaction.atomic():
        won = BenefitGrant.objects.filter(pk=grant.pk, redeemed_at__isnull=True).update(
            redeemed_at=now, redeemed_by=by, station=station, updated_at=now
        )
        if won:
            grant.redeemed_at, grant.redeemed_by, grant.station, grant.updated_at = now, by, station, now
            mark_saved(grant)  # as a read of the row would leave it: what a later save compares with
            record_action(
                grant,
                "redeemed",
                _("在%(where)s领取") % {"where": station.name if station else _("活动现场")},
                {"station": station.pk if station else None},
            )
    if not won:
        grant.refresh_from_db()
        raise ValidationError(already_message(grant), code="already")
    return Redemption(grant, check.masked_name, check.card_number)


def already_message(grant: BenefitGrant) -> str:
    where = grant.station.name if grant.station_id else _("活动现场")
    return _("已领取过：%(when)s 在%(where)s领取，不能重复领取") % {
        "when": timezone.localtime(grant.redeemed_at).strftime("%Y-%m-%d %H:%M"),
        "where": where,
    }


# ------------------------------------------------------------------ progress


def progress(distribution: BenefitDistribution) -> dict:
    counts = BenefitGrant.objects.filter(distribution=distribution).aggregate(
        listed=Count("pk"), redeemed=Count("pk", filter=Q(redeemed_at__isnull=False))
    )
    listed, redeemed = counts["listed"], counts["redeemed"]
    return {
        "listed": listed,
        "redeemed": redeemed,
        "left": listed - redeemed,
        "percent": round(redeemed * 100 / listed, 1) if listed else 0,
    }


def by_station(distribution: BenefitDistribution) -> list[dict]:
    return list(
        BenefitGrant.objects.filter(distribution=distribution, redeemed_at__isnull=False)
        .values("station__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "station__name")
    )


def my_grants(person: Person):
    return (
        BenefitGrant.objects.filter(person=person)
        .select_related("distribution", "station")
        .prefetch_related("distribution__stations")
        .order_by("-distribution__starts_on", "-pk")
    )
