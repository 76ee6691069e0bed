"""Joining from a poster (扫码入会), the worker's progress and card in "我的", and the card check page.

The poster's link names its union, employer site or station only by a signed token. The form posts
the ID number and phone in the body; nothing personal goes into a URL.
"""

import re

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import services as accounts
from accounts.backends import USER_BACKEND
from core import access, pii
from members import services as members
from members.choices import ConsentChannel, ConsentPurpose, JoinChannel, MembershipStatus
from members.models import JoinRequest
from members.services import cards, joining, posters
from orgs.choices import UnionStatus
from orgs.models import Employer, Union
from stations.models import Station

from .forms_join import JoinForm, ReplyForm
from .views import _client_ip


def _target(kind: str, token: str) -> dict:
    """What a poster's token names: the union / employer / station and how the request is routed."""
    pk = posters.read_join_token(kind, token)
    if pk is None:
        raise Http404
    if kind == "u":
        union = get_object_or_404(Union, pk=pk, status=UnionStatus.ACTIVE)
        employers = Employer.objects.filter(union=union) | Employer.objects.filter(area_union=union)
        return {"route": {"union": union}, "title": union.name, "employers": employers.distinct()}
    if kind == "e":
        employer = get_object_or_404(Employer.objects.select_related("union", "area_union", "brand"), pk=pk)
        return {"route": {"employer": employer}, "title": employer.name, "fixed_employer": employer}
    station = get_object_or_404(Station.objects.select_related("union"), pk=pk, active=True)
    return {
        "route": {"area_union": station.union},
        "title": station.name,
        "employers": Employer.objects.filter(area_union=station.union),
        "source": station.name,
    }


def _signed_in_worker(request):
    user = request.user
    return user.person if user.is_authenticated and user.is_worker and hasattr(user, "person") else None


@never_cache
@sensitive_post_parameters("id_number", "phone", "code")  # kept out of error reports
@access.requires(access.PUBLIC)
def join(request, kind, token):
    target = _target(kind, token)
    worker = _signed_in_worker(request)
    options = {
        "employers": target.get("employers"),
        "fixed_employer": target.get("fixed_employer"),
        "signed_in": worker is not None,
    }
    if request.method == "POST" and "send_code" in request.POST:
        # Only the phone is judged now; what else was typed is shown again as it was, without errors.
        phone_error = ""
        try:
            accounts.issue_code(pii.normalise_phone(request.POST.get("phone", "")), _client_ip(request))
        except ValidationError as error:
            phone_error = error.messages[0]
        except accounts.RateLimited as limited:
            phone_error = str(limited)
        typed = {
            key: request.POST.get(key, "")
            for key in ("name", "id_number", "phone", "employment_form", "brand", "employer")
        }
        form = JoinForm(initial=typed, **options)
        return _render_join(request, target, form, code_sent=not phone_error, phone_error=phone_error)
    form = JoinForm(request.POST or None, initial={"name": worker.name if worker else ""}, **options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if worker is None:
            if not data.get("code"):
                form.add_error("code", _("请先获取并填写短信验证码"))
            elif not accounts.verify_code(data["phone"], data["code"]):
                form.add_error("code", _("验证码不正确或已过期"))
        if not form.errors:
            join_request = _submit(request, target, form, worker)
            if join_request is not None:
                request.session["join_request"] = join_request.pk
                return redirect("portal:join-done")
    return _render_join(request, target, form)


def _submit(request, target, form, worker):
    data = form.cleaned_data
    employer = target.get("fixed_employer") or data.get("employer")
    route = dict(target["route"])
    if employer is not None and "area_union" in route:
        # A station's worker who names their site is routed by the site.
        route = {"employer": employer}
    elif employer is not None and "union" in route:
        route["employer"] = employer
    try:
        join_request = joining.submit(
            name=data["name"],
            id_number=data["id_number"],
            phone=worker.decrypted("phone") if worker else data["phone"],
            employment_form=data["employment_form"],
            channel=JoinChannel.QR,
            brand=data.get("brand"),
            source=target.get("source", target["title"]),
            phone_verified=True,
            person=worker,
            **route,
        )
    except ValidationError as error:
        form.add_error(None, error.messages[0])
        return None
    if worker is None and data.get("account"):
        person = members.worker_for_phone(data["phone"])
        members.give_consent(person, ConsentPurpose.ACCOUNT, ConsentChannel.H5)
        login(request, person.user, backend=USER_BACKEND)
    return join_request


def _render_join(request, target, form, code_sent=False, phone_error=""):
    return render(
        request,
        "portal/join.html",
        {
            "form": form,
            "title": target["title"],
            "code_sent": code_sent,
            "phone_error": phone_error,
            "version": members.CONSENT_TEXT_VERSION,
        },
    )


@access.requires(access.PUBLIC)
def join_done(request):
    pk = request.session.get("join_request")
    join_request = JoinRequest.objects.select_related("union").filter(pk=pk).first() if pk else None
    if join_request is None:
        return redirect("portal:home")
    return render(request, "portal/join_done.html", {"join_request": join_request})


@access.requires(access.WORKER)
def my_joins(request):
    person = request.user.person
    return render(
        request, "portal/my_joins.html", {"requests": joining.progress(person), "reply_form": ReplyForm()}
    )


@require_POST
@access.requires(access.WORKER)
def join_reply(request, pk):
    join_request = get_object_or_404(JoinRequest, pk=pk, person__user=request.user)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            joining.reply(join_request, request.user.person, form.cleaned_data["text"])
            messages.success(request, _("已提交补充说明"))
        except ValidationError as error:
            messages.error(request, error.messages[0])
    else:
        messages.error(request, _("请填写补充说明"))
    return redirect("portal:my-joins")


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg[svg.index("<svg") :]
    # The library writes millimetres: the size goes in CSS pixels, large enough for a keeper's camera.
    svg = re.sub(r'\swidth="[^"]*"', "", svg, count=1)
    svg = re.sub(r'\sheight="[^"]*"', "", svg, count=1)
    # Its size on the page is the stylesheet's (figure.qr); the attributes serve a page without it.
    return svg.replace("<svg", '<svg width="240" height="240"', 1)


@never_cache
@access.requires(access.WORKER)
def card(request):
    """The electronic card, with a freshly signed code each time it is opened (so a stale one expires)."""
    membership = (
        request.user.person.memberships.filter(status=MembershipStatus.ACTIVE)
        .select_related("union", "person")
        .first()
    )
    token = cards.sign_card(membership) if membership else ""
    return render(
        request,
        "portal/card.html",
        {
            "membership": membership,
            "token": token,
            "qr": mark_safe(_qr_svg(token)) if token else "",
            "check": cards.verify_card(token) if token else None,
        },
    )


@never_cache
@sensitive_post_parameters("code")
@access.requires(access.OFFICIAL)
def check(request):
    """Keepers and event staff check a card: by camera where the browser can, or by the code typed in."""
    result = status = None
    code = request.POST.get("code", "") if request.method == "POST" else ""
    if code:
        result = cards.verify_card(code)
        if result.valid:
            status = cards.current_status(result)
    return render(
        request,
        "portal/check.html",
        {"result": result, "status": status, "active": MembershipStatus.ACTIVE},
    )
