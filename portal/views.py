"""The worker's H5: home, sign-in by phone code, and "我的"."""

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import services as accounts
from accounts.backends import USER_BACKEND
from core import access
from core.models import Notification
from members import services as members
from members.choices import ConsentChannel, ConsentPurpose
from members.models import Consent

from .forms import CodeForm, PhoneForm


def _client_ip(request) -> str:
    """The address the per-IP code limit counts; behind a proxy, every request would come from the proxy."""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def _safe_next(request) -> str:
    """The `next` page after sign-in, only if it is on this site (no open redirect)."""
    target = request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if allowed else ""


@access.requires(access.PUBLIC)
def home(request):
    return render(request, "portal/home.html")


@access.requires(access.PUBLIC)
def privacy(request):
    return render(request, "portal/privacy.html", {"version": members.CONSENT_TEXT_VERSION})


@sensitive_post_parameters("phone", "code")  # kept out of error reports
@access.requires(access.PUBLIC)
def login_view(request):
    """Step 1: the phone number, a code is sent. Step 2: the code and consent."""
    if request.user.is_authenticated and request.user.is_worker:
        return redirect("portal:me")
    code_form = None
    phone_form = PhoneForm(request.POST or None)
    if request.method == "POST" and "code" in request.POST:
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            phone = code_form.cleaned_data["phone"]
            if accounts.verify_code(phone, code_form.cleaned_data["code"]):
                person = members.worker_for_phone(phone)
                members.give_consent(person, ConsentPurpose.ACCOUNT, ConsentChannel.H5)
                login(request, person.user, backend=USER_BACKEND)
                return redirect(_safe_next(request) or "portal:me")
            code_form.add_error("code", _("验证码不正确或已过期"))
    elif request.method == "POST" and phone_form.is_valid():
        try:
            accounts.issue_code(phone_form.cleaned_data["phone"], _client_ip(request))
        except accounts.RateLimited as limited:
            phone_form.add_error("phone", str(limited))
        else:
            code_form = CodeForm(initial={"phone": phone_form.cleaned_data["phone"]})
    return render(request, "portal/login.html", {"phone_form": phone_form, "code_form": code_form})


@access.requires(access.WORKER)
def me(request):
    person = request.user.person
    consents = list(person.consents.all())
    current = {c.purpose: c for c in consents if c.active}
    return render(
        request,
        "portal/me.html",
        {
            "person": person,
            # Every purpose with its consent, so giving and withdrawing sit side by side.
            "purposes": [(value, label, current.get(value)) for value, label in ConsentPurpose.choices],
            "consents": consents,
            "messages_": Notification.objects.filter(user=request.user)[:20],
            "memberships": person.memberships.select_related("union"),
        },
    )


@require_POST
@access.requires(access.WORKER)
def give_consent(request, purpose):
    if purpose not in ConsentPurpose.values or purpose == ConsentPurpose.ACCOUNT:
        # The account's consent is given at sign-in, with the notice in front of the worker.
        raise Http404
    members.give_consent(request.user.person, purpose, ConsentChannel.H5)
    return redirect("portal:me")


@require_POST
@access.requires(access.WORKER)
def withdraw_consent(request, pk):
    consent = get_object_or_404(Consent, pk=pk, person__user=request.user)
    members.withdraw_consent(consent)
    if consent.purpose == ConsentPurpose.ACCOUNT:
        # Without consent to the account's processing there is no account session.
        logout(request)
        return redirect("portal:home")
    return redirect("portal:me")


@require_POST
@access.requires(access.PUBLIC)
def logout_view(request):
    logout(request)
    return redirect("portal:home")
