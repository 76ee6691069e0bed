"""Console pages of employers: list with coverage filters, detail, create and edit."""

from django.urls import reverse

from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from ..choices import EmploymentForm
from ..filtersets.census import EmployerFilterSet
from ..forms.census import EmployerForm
from ..models import Employer
from ..services import save_employer


class EmployerListView(ConsoleListView):
    model = Employer
    filterset_class = EmployerFilterSet
    columns = ["name", "kind", "brand", "sector", "region", "headcount", "new_form_headcount", "union"]
    ordering_fields = ["name", "headcount", "new_form_headcount", "sector", "region"]
    default_ordering = "name"

    def get_queryset(self):
        return super().get_queryset().select_related("brand", "region", "union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("orgs:employer-add")
        return context


class EmployerDetailView(ConsoleDetailView):
    model = Employer
    template_name = "orgs/employer_detail.html"

    def get_queryset(self):
        related = ("brand", "platform", "region", "area_union", "union")
        return super().get_queryset().select_related(*related)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        employer = self.object
        labels = dict(EmploymentForm.choices)
        context["headcounts"] = [(labels.get(k, k), n) for k, n in employer.headcounts.items()]
        context["entries"] = employer.census_entries.select_related("census", "union").order_by(
            "-census__taken_on"
        )[:20]
        return context


class EmployerFormMixin:
    model = Employer
    form_class = EmployerForm

    def save(self, form):
        return save_employer(form.instance)


class EmployerCreateView(EmployerFormMixin, ConsoleCreateView):
    pass


class EmployerUpdateView(EmployerFormMixin, ConsoleUpdateView):
    pass
