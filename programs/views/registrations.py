"""Console pages acting on registrations: a registration's page and its steps, signing a worker up on
their behalf, and the staff's check-in page. Every step calls programs.services.registrations."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core import access
from core.scoping import CHANGE
from core.steps import step
from core.views import ConsoleDetailView
from members import services as members

from ..choices import RegistrationChannel, RegistrationStatus
from ..forms.registrations import CancelForm, CheckInForm, MoveForm, OnBehalfForm, ReorderForm
from ..models import Registration
from ..services import registrations as engine
from .catalogue import SessionDetailView, changeable_session


class RegistrationDetailView(ConsoleDetailView):
    model = Registration
    template_name = "programs/registration_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("program", "session", "person", "created_by", "checked_in_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registration = self.object
        if context["can_change"]:
            active = registration.status in (
                RegistrationStatus.ENTERED,
                RegistrationStatus.CONFIRMED,
                RegistrationStatus.WAITLISTED,
                RegistrationStatus.OFFERED,
            )
            context["cancel_form"] = CancelForm() if active else None
            context["reorder_form"] = (
                ReorderForm(initial={"position": registration.position})
                if registration.status == RegistrationStatus.WAITLISTED
                else None
            )
            context["move_form"] = MoveForm(registration=registration) if active else None
        return context


def _changeable(request, pk) -> Registration:
    queryset = Registration.objects.restrict(request.user, CHANGE).select_related("program", "session")
    return get_object_or_404(queryset, pk=pk)


@require_POST
@access.requires(access.SCOPED)
def registration_cancel(request, pk):
    registration = _changeable(request, pk)
    return step(
        request,
        registration,
        CancelForm(request.POST),
        lambda data: engine.cancel(registration, by=request.user, reason=data["reason"]),
        _("已取消报名"),
    )


@require_POST
@access.requires(access.SCOPED)
def registration_reorder(request, pk):
    registration = _changeable(request, pk)
    return step(
        request,
        registration,
        ReorderForm(request.POST),
        lambda data: engine.reorder(registration, data["position"], by=request.user, reason=data["reason"]),
        _("已调整候补顺序"),
    )


@require_POST
@access.requires(access.SCOPED)
def registration_move(request, pk):
    registration = _changeable(request, pk)
    return step(
        request,
        registration,
        MoveForm(request.POST, registration=registration),
        lambda data: engine.move(registration, data["session"], by=request.user, reason=data["reason"]),
        lambda data: _("已改到“%s”") % data["session"],
    )


@never_cache
@sensitive_post_parameters("number")  # kept out of error reports
@require_POST
@access.requires(access.SCOPED)
def sign_up_on_behalf(request, pk):
    """An official signs a worker up: the worker is found by the keyed hash of their ID number or phone,
    only among the people the official may see; the number typed is never shown back."""
    session = changeable_session(request, pk)
    typed = OnBehalfForm(request.POST)
    problems = []
    if not typed.is_valid():
        problems = typed.errors.get("number", [])
    else:
        person = members.find_in_scope(request.user, typed.cleaned_data["number"])
        if person is None:
            problems = [_("您的管理范围内没有此身份证号或手机号的职工")]
        else:
            try:
                registration = engine.sign_up(
                    session, person, by=request.user, channel=RegistrationChannel.OFFICIAL
                )
            except ValidationError as error:
                problems = [
                    _("%(name)s：%(reason)s")
                    % {"name": person.masked_name, "reason": " ".join(error.messages)}
                ]
            else:
                messages.success(
                    request,
                    _("已为 %(name)s 报名：%(status)s")
                    % {"name": person.masked_name, "status": registration.get_status_display()},
                )
                return redirect(session)
    # A fresh form carries the problems: the number typed is never rendered back.
    response = _render_session(request, session, problems)
    patch_cache_control(response, no_store=True)
    return response


def _render_session(request, session, problems):
    view = SessionDetailView()
    view.setup(request, pk=session.pk)
    view.object = view.get_object()
    context = view.get_context_data(object=view.object, on_behalf_problems=problems)
    return render(request, view.template_name, context, status=200)


@never_cache
@sensitive_post_parameters("code")
@access.requires(access.SCOPED)
def check_in_page(request, pk):
    """Staff check workers in at a session: scanning the ticket (or member card) QR, or typing the code."""
    session = changeable_session(request, pk)
    result = error = None
    form = CheckInForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            result = engine.check_in(form.cleaned_data["code"].strip(), by=request.user, session=session)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    elif form.is_bound:  # longer than any code: the page shows the one error line
        error = " ".join(form.errors["code"])
    return render(
        request,
        "programs/check_in.html",
        {
            "session": session,
            "program": session.program,
            "result": result,
            "error": error,
            "attended": session.registrations.filter(status=RegistrationStatus.ATTENDED).count(),
        },
    )
