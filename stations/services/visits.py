"""Rules about visits (到站打卡) and the services keepers record (服务记录).

A check-in needs no login and keeps no location. Double taps are counted once: the phone is
recognised by a random device id that lives in its own cookie (no phone number, no fingerprint),
and only a keyed digest of it is held, in the cache, for the ten-minute window; the database
never sees it. The cache is Redis when REDIS_URL is set, shared by every web process; the
embedded default's per-process memory cache is backed by a per-station cookie the page sets, so a
second tap from the same phone is refused whichever process answers it.
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import EARLIEST_DAY
from core.history import record_action
from core.scoping import CHANGE
from orgs.choices import EmploymentForm

from ..models import ServiceKind, ServiceRecord, Station, StationKeeper, Visit
from ..models.visits import MAX_SERVICE_COUNT
from . import registry

# Taps from one phone at one station within this window are one visit.
CHECKIN_WINDOW = datetime.timedelta(minutes=10)


def device_digest(device: str) -> str:
    """A keyed digest of the phone's random device id, so even the cache holds no usable id."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"checkin-device:{device}".encode(), hashlib.sha256
    ).hexdigest()[:32]


def clean_employment_form(value: str) -> str:
    """A known employment form code, or "" (not given); anything else is refused."""
    value = (value or "").strip()
    if value and value not in EmploymentForm.values:
        raise ValidationError(_("请选择有效的就业形态"), code="employment_form")
    return value


def check_in(
    station: Station, *, employment_form: str = "", person=None, device: str = "", at=None
) -> Visit | None:
    """Record one visit; None when this phone (or signed-in member) already checked in here within
    CHECKIN_WINDOW, so a double tap or a second scan counts once."""
    if not station.active:
        raise ValidationError(_("该站点已停用，二维码已失效"), code="inactive")
    employment_form = clean_employment_form(employment_form)
    at = at or timezone.now()
    if device:
        key = f"stations:checkin:{station.pk}:{device_digest(device)}"
        # add() is atomic: of two simultaneous taps only one finds the key free.
        if not cache.add(key, 1, timeout=int(CHECKIN_WINDOW.total_seconds())):
            return None
    with transaction.atomic():
        if person is not None and (
            Visit.objects.filter(station=station, person=person, at__gt=at - CHECKIN_WINDOW).exists()
        ):
            return None
        return Visit.objects.create(station=station, at=at, employment_form=employment_form, person=person)


def recent_visits(person, limit: int = 10):
    """A member's latest visits, for "我的"."""
    return Visit.objects.filter(person=person).select_related("station").order_by("-at", "-id")[:limit]


# --- services recorded by keepers -------------------------------------------------------------


def may_record(user, station: Station) -> bool:
    """A keeper assigned to the station (whose keeper role still covers it), or an official who may
    change stations in its union's subtree (admin, service)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if Station.objects.restrict(user, CHANGE).filter(pk=station.pk).exists():
        return True
    return StationKeeper.objects.filter(station=station, user=user).exists() and registry.may_keep(
        user, station
    )


def recordable_stations(user):
    """The stations `user` may record services for: assigned ones, and service officials' subtrees."""
    if not user.is_authenticated:
        return Station.objects.none()
    assigned = StationKeeper.objects.filter(user=user).values("station_id")
    officially = Station.objects.restrict(user, CHANGE).values("pk")
    return Station.objects.filter(Q(pk__in=assigned) | Q(pk__in=officially), active=True)


def _validate(station: Station, kind: ServiceKind, count, served_on, employment_form: str) -> None:
    errors = {}
    if not kind.active:
        errors["kind"] = _("该服务项目已停用")
    if count is None or int(count) < 1:
        errors["count"] = _("服务人次至少为 1")
    elif int(count) > MAX_SERVICE_COUNT:
        errors["count"] = _("一条记录的服务人次不能超过 %(n)s") % {"n": MAX_SERVICE_COUNT}
    if served_on is None:
        errors["served_on"] = _("请填写服务日期")
    elif served_on > timezone.localdate():
        errors["served_on"] = _("服务日期不能晚于今天")
    elif served_on < EARLIEST_DAY:  # before the system's first day (core.dates): a typo
        errors["served_on"] = _("服务日期不能早于 %(day)s") % {"day": EARLIEST_DAY.isoformat()}
    try:
        clean_employment_form(employment_form)
    except ValidationError as error:
        errors["employment_form"] = error.messages[0]
    if not station.active:
        errors["station"] = _("该站点已停用")
    if errors:
        raise ValidationError(errors)


def _refuse_unless_may_record(user, station: Station) -> None:
    if not may_record(user, station):
        raise ValidationError(
            {"station": _("您不是该站点的驿站管理员，也没有其所属工会的服务阵地权限")}, code="not_keeper"
        )


@transaction.atomic
def record_service(
    station: Station,
    kind: ServiceKind,
    count: int,
    by,
    served_on: datetime.date | None = None,
    employment_form: str = "",
    note: str = "",
) -> ServiceRecord:
    """Record `count` person-times of `kind` given at `station` on `served_on` (today by default)."""
    served_on = served_on or timezone.localdate()
    _refuse_unless_may_record(by, station)
    _validate(station, kind, count, served_on, employment_form)
    return ServiceRecord.objects.create(
        station=station,
        kind=kind,
        count=int(count),
        served_on=served_on,
        employment_form=employment_form or "",
        recorded_by=by,
        note=(note or "").strip(),
    )


def may_correct(user, record: ServiceRecord) -> bool:
    """Service officials correct any record in scope; a keeper only what was recorded today."""
    if Station.objects.restrict(user, CHANGE).filter(pk=record.station_id).exists():
        return True
    created_today = timezone.localtime(record.created_at).date() == timezone.localdate()
    return created_today and may_record(user, record.station)


@transaction.atomic
def correct_service(record: ServiceRecord, by, **changes) -> ServiceRecord:
    """Change a record's kind, count, date, employment form or note (the history keeps the before)."""
    if not may_correct(by, record):
        raise ValidationError(_("只能更正当天录入的服务记录"), code="too_late")
    allowed = {"kind", "count", "served_on", "employment_form", "note"}
    for name, value in changes.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(record, name, value)
    _validate(record.station, record.kind, record.count, record.served_on, record.employment_form)
    record.count = int(record.count)
    record.note = (record.note or "").strip()
    record.save()
    return record


@transaction.atomic
def delete_service(record: ServiceRecord, by) -> None:
    """Withdraw a record entered by mistake (same rule as a correction); the history says who and when."""
    if not may_correct(by, record):
        raise ValidationError(_("只能撤销当天录入的服务记录"), code="too_late")
    record_action(
        record.station,
        "service_deleted",
        _("撤销服务记录：%(kind)s ×%(count)d（%(date)s）")
        % {"kind": record.kind, "count": record.count, "date": record.served_on},
        {"record": record.pk},
    )
    record.delete()
