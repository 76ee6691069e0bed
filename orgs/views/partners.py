"""Partner organisations (合作单位) in the console: the hosts of stations and co-organisers of programs."""

from django.urls import reverse

from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from ..filtersets.partners import PartnerFilterSet
from ..forms.partners import PartnerForm
from ..models import Partner


class PartnerListView(ConsoleListView):
    model = Partner
    filterset_class = PartnerFilterSet
    columns = ["name", "kind", "union", "contact"]
    ordering_fields = ["name", "kind", "created_at", "id"]
    default_ordering = "name"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("orgs:partner-add")
        return context


class PartnerDetailView(ConsoleDetailView):
    model = Partner
    template_name = "orgs/partner_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union")


class PartnerCreateView(ConsoleCreateView):
    model = Partner
    form_class = PartnerForm

    def get_initial(self):
        return {"union": self.request.GET.get("union")}


class PartnerUpdateView(ConsoleUpdateView):
    model = Partner
    form_class = PartnerForm
