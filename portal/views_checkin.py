"""Check-in at a station by scanning its poster (扫码打卡), its printable poster, and the keeper's
phone pages (驿站管理员：登记服务、更正当天记录).

The poster's link names the station only by a signed token (members.services.posters). The page
needs no login. The phone keeps two cookies of its own: a random device id (only so that a double
tap or a second scan within ten minutes counts once) and the employment form code the worker
picked, so the next scan is one tap. Nothing personal is in either, and no location is asked for.
"""

import datetime
import secrets

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core import access
from core.scoping import VIEW
from members.services import posters
from orgs.choices import EmploymentForm
from stations.forms.visits import ServiceRecordForm
from stations.models import ServiceRecord, Station, Visit
from stations.services import visits as services

DEVICE_COOKIE = "nj_device"
FORM_COOKIE = "nj_employment_form"
# Two years: the phone is asked its employment form once, not at every scan.
COOKIE_AGE = 2 * 365 * 24 * 3600
# The page's own stamp: a tap must follow a scan by at most this long, or it is refused as stale.
PAGE_SALT = "niangjia.portal.checkin.page"
PAGE_MAX_AGE = 30 * 60
WINDOW = int(services.CHECKIN_WINDOW.total_seconds())


def _last_cookie(station: Station) -> str:
    return f"nj_checkin_{station.pk}"


def _station(token: str) -> tuple[Station | None, str]:
    """The station a poster names, or None and why the code is refused."""
    pk = posters.read_checkin_token(token)
    if pk is None:
        return None, _("二维码无效：请扫描驿站张贴的打卡二维码。")
    station = Station.objects.select_related("union").filter(pk=pk).first()
    if station is None or not station.active:
        return None, _("该站点已停用，此打卡二维码已失效。")
    return station, ""


def _person(request):
    user = request.user
    if user.is_authenticated and user.is_worker and hasattr(user, "person"):
        return user.person
    return None


def _remembered_form(request) -> str:
    value = request.COOKIES.get(FORM_COOKIE, "")
    return value if value in EmploymentForm.values else ""


def _checked_in_at(request, station: Station):
    """When this phone last checked in here, if within the window (from the per-station cookie)."""
    try:
        value = request.get_signed_cookie(_last_cookie(station), salt=PAGE_SALT, max_age=WINDOW)
    except (KeyError, signing.BadSignature):
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


def _set_cookie(response, request, name, value, max_age):
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="Lax", secure=request.is_secure()
    )


@never_cache
@access.requires(access.PUBLIC)
def checkin(request, token):
    station, refused = _station(token)
    if station is None:
        return render(request, "portal/checkin_invalid.html", {"reason": refused}, status=404)
    person = _person(request)
    remembered = _remembered_form(request) or (person.employment_form if person else "")
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    if len(device) != 22:
        device = secrets.token_urlsafe(16)
    status, error = 200, ""
    if request.method == "POST":
        chosen = request.POST.get("employment_form", remembered)
        try:
            signer = signing.TimestampSigner(salt=PAGE_SALT)
            fresh = signer.unsign(request.POST.get("stamp", ""), max_age=PAGE_MAX_AGE) == str(station.pk)
        except signing.SignatureExpired:
            fresh, error = False, _("页面打开太久已过期，请重新扫码或再点一次“打卡”。")
        except signing.BadSignature:
            fresh, error = False, _("打卡页面无效，请重新扫描驿站的打卡二维码。")
        if not fresh and not error:
            # Signed by us, but for another station's page.
            error = _("打卡页面无效，请重新扫描驿站的打卡二维码。")
        if fresh and chosen not in EmploymentForm.values:
            error = _("请选择您的就业形态")
        if error:
            status = 400
        else:
            response = redirect("portal:checkin", token=token)
            visit = None
            if _checked_in_at(request, station) is None:
                try:
                    visit = services.check_in(station, employment_form=chosen, person=person, device=device)
                except ValidationError as exc:
                    return render(
                        request, "portal/checkin_invalid.html", {"reason": exc.messages[0]}, status=410
                    )
            if visit is None:
                messages.info(request, _("10 分钟内已打过卡，本次不重复计数。"))
            else:
                messages.success(request, _("打卡成功，欢迎来到%(station)s！") % {"station": station.name})
                response.set_signed_cookie(
                    _last_cookie(station),
                    timezone.now().isoformat(),
                    salt=PAGE_SALT,
                    max_age=WINDOW,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
            _set_cookie(response, request, FORM_COOKIE, chosen, COOKIE_AGE)
            _set_cookie(response, request, DEVICE_COOKIE, device, COOKIE_AGE)
            return response
    response = render(
        request,
        "portal/checkin.html",
        {
            "station": station,
            "stamp": signing.TimestampSigner(salt=PAGE_SALT).sign(str(station.pk)),
            "forms": EmploymentForm.choices,
            "remembered": remembered,
            "remembered_label": EmploymentForm(remembered).label if remembered else "",
            "checked_in_at": _checked_in_at(request, station),
            "signed_in": person is not None,
            "error": error,
        },
        status=status,
    )
    _set_cookie(response, request, DEVICE_COOKIE, device, COOKIE_AGE)
    return response


@access.requires(access.SCOPED)
def checkin_poster(request, pk):
    """The station's A4 check-in poster (扫码打卡), for officials who may see the station."""
    station = get_object_or_404(Station.objects.restrict(request.user, VIEW).select_related("union"), pk=pk)
    url = request.build_absolute_uri(reverse("portal:checkin", args=[posters.checkin_token(station.pk)]))
    pdf = posters.poster_pdf(station.name, station.union.name, url, purpose="checkin")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="checkin-poster-s{station.pk}.pdf"'
    return response


# --- the keeper's phone pages -----------------------------------------------------------------


def _keepable(request):
    """The stations this user may see and record for (assigned keepers; service officials)."""
    return Station.objects.restrict(request.user, VIEW).filter(
        pk__in=services.recordable_stations(request.user).values("pk")
    )


@access.requires(access.OFFICIAL)
def keeper_home(request):
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()
    stations = _keepable(request).select_related("union").order_by("name")
    if query:
        stations = stations.filter(name__icontains=query)
    stations = list(stations[:50])
    ids = [station.pk for station in stations]
    visited = dict(
        Visit.objects.filter(station__in=ids, at__gte=_midnight(today))
        .order_by()
        .values_list("station")
        .annotate(n=Count("id"))
    )
    served = dict(
        ServiceRecord.objects.filter(station__in=ids, served_on=today)
        .order_by()
        .values_list("station")
        .annotate(n=Sum("count"))
    )
    rows = [(station, visited.get(station.pk, 0), served.get(station.pk, 0)) for station in stations]
    return render(request, "portal/keeper.html", {"rows": rows, "q": query, "today": today})


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _todays_records(station):
    today = timezone.localdate()
    return (
        ServiceRecord.objects.filter(station=station)
        .filter(Q(served_on=today) | Q(created_at__gte=_midnight(today)))
        .select_related("kind", "recorded_by")
        .order_by("-created_at", "-id")
    )


@access.requires(access.OFFICIAL)
def keeper_station(request, pk):
    station = get_object_or_404(_keepable(request).select_related("union"), pk=pk)
    form = ServiceRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_service(
                station,
                data["kind"],
                data["count"],
                request.user,
                served_on=data["served_on"],
                employment_form=data["employment_form"],
                note=data["note"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("已登记：%(kind)s %(count)d 人次") % {"kind": data["kind"], "count": data["count"]}
            )
            return redirect("portal:keeper-station", pk=station.pk)
    records = [(record, services.may_correct(request.user, record)) for record in _todays_records(station)]
    return render(
        request, "portal/keeper_station.html", {"station": station, "form": form, "records": records}
    )


@access.requires(access.OFFICIAL)
def keeper_record(request, pk):
    record = get_object_or_404(
        ServiceRecord.objects.filter(station__in=_keepable(request).values("pk")).select_related(
            "station", "kind"
        ),
        pk=pk,
    )
    station = record.station
    if not services.may_correct(request.user, record):
        messages.error(request, _("只能更正当天录入的服务记录"))
        return redirect("portal:keeper-station", pk=station.pk)
    if request.method == "POST" and "delete" in request.POST:
        services.delete_service(record, request.user)
        messages.success(request, _("已撤销该条服务记录"))
        return redirect("portal:keeper-station", pk=station.pk)
    before = {
        name: getattr(record, name) for name in ("kind", "count", "served_on", "employment_form", "note")
    }
    form = ServiceRecordForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in before}
        # The form wrote its values onto the instance; the service applies and validates them again.
        for name, value in before.items():
            setattr(record, name, value)
        try:
            services.correct_service(record, request.user, **changes)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已更正"))
            return redirect("portal:keeper-station", pk=station.pk)
    return render(request, "portal/keeper_record.html", {"station": station, "record": record, "form": form})
