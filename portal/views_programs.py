"""Programs on the worker's H5: what is open for sign-up, a program's page (eligibility shown before
trying, the lottery's published seed), signing up, "我的报名" with tickets, offers and cancellation.

Every step calls programs.services; nothing here decides who may sign up or who gets a seat.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import access
from core.text import list_separator
from programs.choices import ProgramStatus, RegistrationStatus, SignUpMode
from programs.filtersets.catalogue import open_for_signup
from programs.models import Program, Registration, Session
from programs.services import eligibility, funnel, lottery
from programs.services import registrations as engine

from .views_join import _qr_svg

S = RegistrationStatus
# What a worker still holds (and so sees first in "我的报名").
CURRENT = (S.ENTERED, S.CONFIRMED, S.WAITLISTED, S.OFFERED)


def _person(request):
    user = request.user
    return user.person if user.is_authenticated and user.is_worker and hasattr(user, "person") else None


def _sessions(program):
    return program.sessions.filter(starts_at__gt=timezone.now()).annotate(
        waiting=Count("registrations", filter=Q(registrations__status=S.WAITLISTED)),
        entered=Count("registrations", filter=Q(registrations__status=S.ENTERED)),
    )


@access.requires(access.PUBLIC)
def program_list(request):
    """Programs open for sign-up now, soonest closing first, with the seats still free."""
    programs = (
        open_for_signup(Program.objects.all())
        .select_related("union")
        .annotate(
            capacity_total=Sum("sessions__capacity", filter=Q(sessions__starts_at__gt=timezone.now())),
            seated_total=Sum("sessions__seated", filter=Q(sessions__starts_at__gt=timezone.now())),
        )
        .order_by("signup_closes_at", "-id")
    )
    cards = []
    for program in programs[:100]:
        capacity, seated = program.capacity_total or 0, program.seated_total or 0
        cards.append({"program": program, "capacity": capacity, "free": max(0, capacity - seated)})
    return render(request, "portal/program_list.html", {"cards": cards})


@never_cache
@access.requires(access.PUBLIC)
def program_detail(request, pk):
    program = get_object_or_404(
        Program.objects.select_related("union", "series").exclude(status=ProgramStatus.DRAFT), pk=pk
    )
    funnel.record_view(program)
    person = _person(request)
    now = timezone.now()
    sessions = list(_sessions(program))
    mine = {}
    if person is not None:
        reasons = eligibility.reasons(program, person, now)
        for registration in Registration.objects.filter(program=program, person=person, status__in=CURRENT):
            mine[registration.session_id] = registration
    else:
        reasons = eligibility.window_reasons(program, now)
    for session in sessions:
        session.mine = mine.get(session.pk)
    is_lottery = program.mode == SignUpMode.LOTTERY
    context = {
        "program": program,
        "partners": program.partners.all(),
        "sessions": sessions,
        "person": person,
        "reasons": reasons,
        "conditions": conditions(program),
        "holding": bool(mine) and program.one_per == "program",
        "is_lottery": is_lottery,
    }
    if is_lottery and program.lottery_drawn_at:
        entries = lottery.published_entries(program)
        context["lottery"] = {
            "seed": program.lottery_seed,
            "algorithm": lottery.ALGORITHM,
            "drawn_at": program.lottery_drawn_at,
            "sessions": [(session, entries.get(session.pk, [])) for session in program.sessions.all()],
            "mine": Registration.objects.filter(program=program, person=person, draw_rank__isnull=False)
            .order_by("-id")
            .first()
            if person is not None
            else None,
        }
    return render(request, "portal/program_detail.html", context)


def conditions(program) -> list[str]:
    """The program's conditions in plain words, for a worker who has not signed in yet."""
    from orgs.choices import EmploymentForm

    lines = []
    if program.members_only:
        lines.append(_("工会会员"))
    if program.employment_forms:
        labels = dict(EmploymentForm.choices)
        forms = (str(labels.get(value, value)) for value in program.employment_forms)
        lines.append(list_separator().join(forms))
    if program.gender:
        lines.append(_("%s性职工") % program.get_gender_display())
    if program.min_age is not None and program.max_age is not None:
        lines.append(_("%(low)s–%(high)s 周岁") % {"low": program.min_age, "high": program.max_age})
    elif program.min_age is not None:
        lines.append(_("年满 %s 周岁") % program.min_age)
    elif program.max_age is not None:
        lines.append(_("不超过 %s 周岁") % program.max_age)
    regions = [region.name for region in program.regions.all()]
    if regions:
        lines.append(list_separator().join(regions))
    if program.once_per_year:
        lines.append(_("每年限享一次"))
    return lines


@access.requires(access.WORKER)
def sign_up(request, pk):
    session = get_object_or_404(Session.objects.select_related("program"), pk=pk)
    program = session.program
    if program.status == ProgramStatus.DRAFT:
        raise Http404
    if request.method != "POST":
        # Back from signing in: the worker lands on the program page and presses the button themselves.
        return redirect("portal:program", pk=program.pk)
    try:
        registration = engine.sign_up(session, request.user.person)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("portal:program", pk=program.pk)
    status = registration.status
    if status == S.CONFIRMED:
        messages.success(request, _("报名成功！请在“我的报名”出示报名票签到。"))
    elif status == S.WAITLISTED:
        place = engine.place(registration)
        messages.info(request, _("名额已满，您已进入候补第 %(n)s 位；有空位时会通知您确认。") % {"n": place})
    else:
        messages.info(request, _("已参与抽签，报名截止后公布结果。"))
    return redirect("portal:my-program", pk=registration.pk)


@never_cache
@access.requires(access.WORKER)
def my_programs(request):
    registrations = list(
        engine.with_place(Registration.objects.filter(person=request.user.person))
        .select_related("program", "session")
        .order_by("-signed_up_at", "-id")[:100]
    )
    current = [r for r in registrations if r.status in CURRENT or r.status == S.ATTENDED]
    past = [r for r in registrations if r not in current]
    return render(
        request, "portal/program_mine.html", {"current": current, "past": past, "now": timezone.now()}
    )


def _own(request, pk) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("program", "session", "person"), pk=pk, person__user=request.user
    )


@never_cache
@access.requires(access.WORKER)
def my_program(request, pk):
    """One registration: its status, the ticket QR while confirmed, the offer with its deadline."""
    registration = _own(request, pk)
    registration.place = engine.place(registration)
    token = engine.ticket_token(registration) if registration.status == S.CONFIRMED else ""
    return render(
        request,
        "portal/program_ticket.html",
        {
            "registration": registration,
            "token": token,
            "qr": mark_safe(_qr_svg(token)) if token else "",
            "can_cancel": registration.status in CURRENT,
        },
    )


ACTIONS = {
    "cancel": (engine.cancel, gettext_lazy("已取消报名")),
    "accept": (engine.accept_offer, gettext_lazy("已确认递补，报名成功！")),
    "decline": (engine.decline_offer, gettext_lazy("已放弃递补名额")),
    "leave": (engine.leave_waitlist, gettext_lazy("已退出候补")),
}


@require_POST
@access.requires(access.WORKER)
def registration_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    registration = _own(request, pk)
    step, done = ACTIONS[action]
    try:
        if action == "cancel":
            step(registration, by=request.user, reason=_("职工本人取消"))
        else:
            step(registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(done))
    return redirect("portal:my-program", pk=registration.pk)
