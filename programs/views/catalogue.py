"""Console pages for what is offered: series, programs with their sessions, funnel, budget and lottery."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.scoping import ADD, CHANGE, VIEW, check_write, owners_for
from core.steps import form_errors, refused, step
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView
from orgs.models import Union

from ..choices import RegistrationStatus, SignUpMode
from ..filtersets.catalogue import ProgramFilterSet, SeriesFilterSet, open_for_signup
from ..forms.catalogue import CapacityForm, ExpenseForm, ProgramForm, SeriesForm, SessionForm
from ..models import Program, ProgramExpense, ProgramSeries, Registration, Session
from ..services import catalogue, lottery
from ..services import funnel as funnel_service
from ..services import registrations as engine

# --- series -------------------------------------------------------------------------------------------


class SeriesListView(ConsoleListView):
    model = ProgramSeries
    filterset_class = SeriesFilterSet
    columns = ["name", "union", "created_at"]
    ordering_fields = ["name", "created_at", "id"]
    default_ordering = "name"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("programs:series-add")
        return context


class SeriesDetailView(ConsoleDetailView):
    model = ProgramSeries
    template_name = "programs/series_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["programs"] = Program.objects.restrict(self.request.user).filter(series=self.object)
        return context


class SeriesCreateView(ConsoleCreateView):
    model = ProgramSeries
    form_class = SeriesForm


class SeriesUpdateView(ConsoleUpdateView):
    model = ProgramSeries
    form_class = SeriesForm


# --- programs -----------------------------------------------------------------------------------------


class ProgramListView(ConsoleListView):
    model = Program
    filterset_class = ProgramFilterSet
    columns = ["title", "kind", "union", "status", "mode", "signup_opens_at", "signup_closes_at", "open_now"]
    ordering_fields = ["title", "signup_opens_at", "signup_closes_at", "created_at", "id"]
    default_ordering = "-signup_opens_at"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def paginate_queryset(self, queryset, page_size):
        result = super().paginate_queryset(queryset, page_size)
        page = [program.pk for program in result[2]]
        self.open_ids = set(open_for_signup(Program.objects.filter(pk__in=page)).values_list("pk", flat=True))
        return result

    def heading(self, column):
        if column == "open_now":
            return _("报名中")
        return super().heading(column)

    def cell(self, obj, column):
        if column == "open_now":
            return obj.pk in getattr(self, "open_ids", set())
        return super().cell(obj, column)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("programs:program-add")
        context["extra_actions"] = [(reverse("programs:series-list"), _("活动系列"))]
        return context


def sessions_with_counts(queryset):
    """Sessions with how many wait, are offered a seat, entered a lottery and attended."""
    return queryset.annotate(
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
        offered=Count("registrations", filter=Q(registrations__status=RegistrationStatus.OFFERED)),
        entered=Count("registrations", filter=Q(registrations__status=RegistrationStatus.ENTERED)),
        attended=Count("registrations", filter=Q(registrations__status=RegistrationStatus.ATTENDED)),
        no_shows=Count("registrations", filter=Q(registrations__status=RegistrationStatus.NO_SHOW)),
    ).select_related("station")


def bars(row: dict, top: int) -> list[dict]:
    """The funnel's steps as bars scaled to the first step (views, or sign-ups when nothing was viewed)."""
    steps = [
        ("views", _("浏览")),
        ("signups", _("报名")),
        ("confirmed", _("确认")),
        ("attended", _("签到")),
    ]
    shown = []
    for key, label in steps:
        if key not in row:
            continue
        value = row[key] or 0
        shown.append({"label": label, "value": value, "percent": round(100 * value / top) if top else 0})
    return shown


class ProgramDetailView(ConsoleDetailView):
    model = Program
    template_name = "programs/program_detail.html"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("union", "series").prefetch_related("partners", "regions")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        program, user = self.object, self.request.user
        sessions = list(sessions_with_counts(program.sessions.all()))
        figures = funnel_service.funnel(program)
        top = max(figures.get("views") or 0, figures.get("signups") or 0)
        session_rows = {row.get("session"): row for row in figures.get("sessions", [])}
        for session in sessions:
            row = session_rows.get(session.pk, {})
            session.bars = bars(row, row.get("signups") or 0) if row.get("signups") else []
            session.funnel_label = row.get("label", str(session))
        context.update(
            sessions=sessions,
            figures=figures,
            funnel_bars=bars(figures, top),
            spending=funnel_service.spending(program),
            expenses=program.expenses.select_related("recorded_by"),
            can_spend=may_spend(user, program),
            is_lottery=program.mode == SignUpMode.LOTTERY,
            algorithm=lottery.ALGORITHM,
            eligibility=_eligibility_lines(program),
        )
        if context["can_change"]:
            context["session_form"] = SessionForm(user=user, prefix="session")
            context["capacity_form"] = CapacityForm()
        if context["can_spend"]:  # finance records expenses without changing the program
            context["expense_form"] = ExpenseForm()
        return context


def _eligibility_lines(program) -> list[str]:
    """The program's conditions as a reader says them (the rules themselves are in services.eligibility)."""
    from orgs.choices import EmploymentForm

    lines = []
    if program.members_only:
        lines.append(_("仅限工会会员"))
    if program.employment_forms:
        labels = dict(EmploymentForm.choices)
        lines.append(_("限就业形态：%s") % "、".join(str(labels.get(v, v)) for v in program.employment_forms))
    if program.gender:
        lines.append(_("限性别：%s") % program.get_gender_display())
    if program.min_age is not None or program.max_age is not None:
        lines.append(
            _("年龄：%(low)s–%(high)s 岁")
            % {"low": program.min_age if program.min_age is not None else "", "high": program.max_age or ""}
        )
    regions = list(program.regions.all())
    if regions:
        lines.append(_("限地区：%s") % "、".join(region.name for region in regions))
    if program.once_per_year:
        lines.append(_("每年限享一次"))
    return lines


class ProgramFormMixin:
    model = Program
    form_class = ProgramForm
    template_name = "programs/program_form.html"


class ProgramCreateView(ProgramFormMixin, ConsoleCreateView):
    def get_initial(self):
        return {"union": self.request.GET.get("union"), "series": self.request.GET.get("series")}


class ProgramUpdateView(ProgramFormMixin, ConsoleUpdateView):
    pass


def changeable_program(request, pk) -> Program:
    # Another union's program, or one the user may only see, is simply not found.
    return get_object_or_404(Program.objects.restrict(request.user, CHANGE), pk=pk)


def changeable_session(request, pk) -> Session:
    return get_object_or_404(Session.objects.restrict(request.user, CHANGE).select_related("program"), pk=pk)


# Which status each step leads from.
@require_POST
@access.requires(access.SCOPED)
def program_status(request, pk, step):
    program = changeable_program(request, pk)
    try:
        catalogue.change_status(program, step)
    except ValidationError as error:
        refused(request, error)
        return redirect(program)
    messages.success(request, _("已%s") % catalogue.STEPS[step][2])
    return redirect(program)


@require_POST
@access.requires(access.SCOPED)
def session_add(request, pk):
    program = changeable_program(request, pk)
    form = SessionForm(request.POST, user=request.user, prefix="session", instance=Session(program=program))
    if form.is_valid():
        form.save()
        messages.success(request, _("已添加场次"))
    else:
        messages.error(request, form_errors(form))
    return redirect(program)


class SessionDetailView(ConsoleDetailView):
    """A session's registrations (masked names, status filter, waitlist order) and its tools."""

    model = Session
    template_name = "programs/session_detail.html"
    page_size = 50

    def get_queryset(self):
        return sessions_with_counts(super().get_queryset().select_related("program", "program__union"))

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        from ..forms.registrations import OnBehalfForm

        context = super().get_context_data(**kwargs)
        session = self.object
        # The people only to roles that see them (finance and audit see a program's figures, not who
        # signed up); the counts by status are figures, for everyone who sees the session.
        listed = Registration.objects.restrict(self.request.user, VIEW).filter(session=session)
        registrations = listed.select_related("person").order_by("status", "position", "signed_up_at", "id")
        status = self.request.GET.get("status", "")
        if status in RegistrationStatus.values:
            registrations = registrations.filter(status=status)
        counts = dict(
            session.registrations.values_list("status").annotate(n=Count("id")).values_list("status", "n")
        )
        page = Paginator(registrations, self.page_size).get_page(self.request.GET.get("page"))
        context.update(
            program=session.program,
            page=page,
            status=status,
            statuses=[(value, label, counts.get(value, 0)) for value, label in RegistrationStatus.choices],
            total=sum(counts.values()),
            people_hidden=bool(counts) and not listed.exists(),
        )
        if context["can_change"]:
            context["capacity_form"] = CapacityForm(initial={"capacity": session.capacity})
            context["ended"] = session.ends_at <= timezone.now()
            context["on_behalf_form"] = OnBehalfForm()
            context["on_behalf_problems"] = kwargs.get("on_behalf_problems", [])
        return context


class SessionUpdateView(ConsoleUpdateView):
    model = Session
    form_class = SessionForm

    def get_success_url(self):
        return self.object.get_absolute_url()


@require_POST
@access.requires(access.SCOPED)
def session_capacity(request, pk):
    session = changeable_session(request, pk)
    return step(
        request,
        (request.POST.get("back") == "program" and session.program) or session,
        CapacityForm(request.POST),
        lambda data: engine.set_capacity(session, data["capacity"], by=request.user),
        lambda data: _("名额已调整为 %d") % data["capacity"],
    )


def may_spend(user, program) -> bool:
    """Service and finance officials over the program's union record its expenses."""
    return owners_for(user, ProgramExpense, ADD, Union.objects.filter(pk=program.union_id)).exists()


@require_POST
@access.requires(access.SCOPED)
def session_no_shows(request, pk):
    """After the session: who held a ticket and did not come is recorded as a no-show."""
    session = changeable_session(request, pk)
    try:
        missed = engine.mark_no_shows(session)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("已登记未到场 %d 人") % missed)
    return redirect(session)


@require_POST
@access.requires(access.SCOPED)
def expense_add(request, pk):
    program = get_object_or_404(Program.objects.restrict(request.user), pk=pk)
    if not may_spend(request.user, program):
        raise Http404
    form = ExpenseForm(request.POST, instance=ProgramExpense(program=program, recorded_by=request.user))
    if form.is_valid():
        with transaction.atomic():
            expense = form.save()
            check_write(request.user, ADD, expense)
        messages.success(request, _("已记录支出"))
    else:
        messages.error(request, form_errors(form))
    return redirect(program)


@require_POST
@access.requires(access.SCOPED)
def lottery_draw(request, pk):
    program = changeable_program(request, pk)
    try:
        result = engine.draw_lottery(program, by=request.user)
    except ValidationError as error:
        refused(request, error)
    else:
        sessions = result["sessions"].values()
        messages.success(
            request,
            _("已抽签：中签 %(winners)d 人，按抽签顺序候补 %(waitlisted)d 人")
            % {
                "winners": sum(row["confirmed"] for row in sessions),
                "waitlisted": sum(row["waitlisted"] for row in sessions),
            },
        )
    return redirect(program)
