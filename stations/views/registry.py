from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.scoping import CHANGE
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from ..filtersets.registry import StationFilterSet
from ..forms.registry import KeeperAssignForm, StationForm
from ..models import Station, StationKeeper
from ..services import registry as services


class StationListView(ConsoleListView):
    model = Station
    filterset_class = StationFilterSet
    columns = ["name", "kind", "union", "partner", "address", "active"]
    ordering_fields = ["name", "kind", "created_at", "id"]
    default_ordering = "name"

    def get_queryset(self):
        return super().get_queryset().select_related("union", "partner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("stations:station-add")
        return context


class StationDetailView(ConsoleDetailView):
    model = Station
    template_name = "stations/station_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union", "region", "partner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        station = self.object
        context["keepers"] = StationKeeper.objects.filter(station=station).select_related("user")
        if context["can_change"]:
            context["assign_form"] = KeeperAssignForm(station=station)
        return context


class StationFormMixin:
    model = Station
    form_class = StationForm

    def save(self, form):
        return services.save_station(form.instance)


class StationCreateView(StationFormMixin, ConsoleCreateView):
    def get_initial(self):
        return {"union": self.request.GET.get("union")}


class StationUpdateView(StationFormMixin, ConsoleUpdateView):
    pass


def _changeable(request, pk) -> Station:
    # Another union's station, or one the user may only see, is simply not found.
    return get_object_or_404(Station.objects.restrict(request.user, CHANGE).select_related("union"), pk=pk)


@require_POST
@access.requires(access.SCOPED)
def keeper_assign(request, pk):
    station = _changeable(request, pk)
    form = KeeperAssignForm(request.POST, station=station)
    if not form.is_valid():
        messages.error(request, _("请选择有驿站管理员角色的用户"))
        return redirect(station)
    user = form.cleaned_data["user"]
    try:
        services.assign_keeper(station, user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已指派 %(user)s") % {"user": user})
    return redirect(station)


@require_POST
@access.requires(access.SCOPED)
def keeper_unassign(request, pk, user_pk):
    station = _changeable(request, pk)
    link = get_object_or_404(StationKeeper.objects.select_related("user"), station=station, user_id=user_pk)
    services.unassign_keeper(station, link.user)
    messages.success(request, _("已取消 %(user)s 的管理") % {"user": link.user})
    return redirect(station)
