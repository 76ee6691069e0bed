from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from core import access
from core.scoping import ADD
from core.views import (
    ConsoleCreateView,
    ConsoleDetailView,
    ConsoleFormMixin,
    ConsoleListView,
    ConsoleUpdateView,
)

from ..filtersets.organising import CadreAssignmentFilterSet
from ..forms.cadres import CadreAssignmentForm, CadreVisitForm
from ..models import CadreAssignment, CadreVisit
from ..services import cadres as services


class CadreAssignmentListView(ConsoleListView):
    model = CadreAssignment
    filterset_class = CadreAssignmentFilterSet
    columns = ["cadre", "union", "title", "starts_on", "ends_on", "goal_unions", "goal_members"]
    ordering_fields = ["starts_on", "ends_on"]
    default_ordering = "-starts_on"

    def get_queryset(self):
        return super().get_queryset().select_related("cadre", "union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("orgs:cadre-add")
        context["extra_actions"] = [(reverse("orgs:cadre-results"), _("派驻成效"))]
        return context


class CadreAssignmentDetailView(ConsoleDetailView):
    model = CadreAssignment
    template_name = "orgs/cadre_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("cadre", "union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assignment = self.object
        visits = CadreVisit.objects.restrict(self.request.user).filter(assignment=assignment)
        context["visits"] = visits.select_related("employer")
        context["result"] = next(
            iter(services.results_by_cadre(CadreAssignment.objects.filter(pk=assignment.pk))), None
        )
        context["can_add_visit"] = (
            services.assignments_open_to(self.request.user).filter(pk=assignment.pk).exists()
        )
        return context


class CadreAssignmentCreateView(ConsoleFormMixin, generic.CreateView):
    """Not a plain ConsoleCreateView: assigning is a workflow step, recorded by the service."""

    model = CadreAssignment
    form_class = CadreAssignmentForm
    action = ADD

    def get_queryset(self):
        return self.model.objects.none()

    def get_initial(self):
        return {"union": self.request.GET.get("union")}

    def save(self, form):
        return services.assign_cadre(form.instance, self.request.user)


class CadreAssignmentUpdateView(ConsoleUpdateView):
    model = CadreAssignment
    form_class = CadreAssignmentForm


class CadreVisitFormMixin:
    model = CadreVisit
    form_class = CadreVisitForm

    def save(self, form):
        return services.save_visit(form.instance)

    def get_success_url(self):
        return self.object.assignment.get_absolute_url()


class CadreVisitCreateView(CadreVisitFormMixin, ConsoleCreateView):
    def get_initial(self):
        return {"assignment": self.request.GET.get("assignment")}


class CadreVisitUpdateView(CadreVisitFormMixin, ConsoleUpdateView):
    pass


@access.requires(access.SCOPED)
def cadre_results(request):
    """Results per cadre and per town: visits' unions and members against the assignments' goals."""
    assignments = CadreAssignment.objects.restrict(request.user)
    filterset = CadreAssignmentFilterSet(request.GET or None, queryset=assignments, request=request)
    if filterset.is_bound and filterset.is_valid():
        assignments = filterset.qs
    return render(
        request,
        "orgs/cadre_results.html",
        {
            "filterset": filterset,
            "by_cadre": services.results_by_cadre(assignments),
            "by_town": services.results_by_town(assignments),
        },
    )
