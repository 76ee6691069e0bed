from django.urls import reverse
from django.views import generic

from core.scoping import CHANGE
from core.views import (
    ConsoleCreateView,
    ConsoleDetailView,
    ConsoleFormMixin,
    ConsoleListView,
    ConsoleUpdateView,
)

from ..filtersets.organising import CoveragePlanFilterSet
from ..forms.plans import CoveragePlanForm, PlanTargetForm
from ..models import CoveragePlan, PlanTarget
from ..services import plans as services


class CoveragePlanListView(ConsoleListView):
    model = CoveragePlan
    filterset_class = CoveragePlanFilterSet
    columns = ["name", "union", "start_year", "end_year", "employer_goal", "worker_goal"]
    ordering_fields = ["name", "start_year", "end_year"]
    default_ordering = "-start_year"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("orgs:plan-add")
        return context


class CoveragePlanDetailView(ConsoleDetailView):
    model = CoveragePlan
    template_name = "orgs/plan_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        years = services.plan_years(plan)
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            year = None
        if year not in years:
            year = services.default_year(plan)
        progress = services.plan_progress(plan, year)
        context.update(
            years=years,
            year=year,
            progress=progress,
            window=services.year_window(year),
            targets=plan.targets.select_related("region").order_by("year", "region", "sector"),
        )
        return context


class CoveragePlanCreateView(ConsoleCreateView):
    model = CoveragePlan
    form_class = CoveragePlanForm

    def get_initial(self):
        return {"union": self.request.GET.get("union")}


class CoveragePlanUpdateView(ConsoleUpdateView):
    model = CoveragePlan
    form_class = CoveragePlanForm


class PlanTargetFormMixin:
    model = PlanTarget
    form_class = PlanTargetForm

    def save(self, form):
        return services.save_target(form.instance)

    def get_success_url(self):
        return self.object.plan.get_absolute_url()


class PlanTargetCreateView(PlanTargetFormMixin, ConsoleCreateView):
    def get_initial(self):
        return {"plan": self.request.GET.get("plan"), "year": self.request.GET.get("year")}


class PlanTargetUpdateView(PlanTargetFormMixin, ConsoleFormMixin, generic.UpdateView):
    """Not a ConsoleUpdateView: a target has no page of its own, it is edited from its plan's page."""

    action = CHANGE
