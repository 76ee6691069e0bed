"""The review queue of join requests, transfers between unions, and enrolment in person."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core import access
from core.scoping import CHANGE, can, owners_for
from core.views import ConsoleDetailView, ConsoleListView
from orgs.models import Union

from ..filtersets.joining import JoinRequestFilterSet, TransferFilterSet
from ..forms.joining import DecisionForm, EnrolForm
from ..models import JoinRequest, Membership, Transfer
from ..services import joining, transfers


class JoinRequestListView(ConsoleListView):
    model = JoinRequest
    filterset_class = JoinRequestFilterSet
    columns = ["person", "union", "channel", "employment_form", "status", "created_at"]
    ordering_fields = ["created_at", "status", "id"]
    default_ordering = "-created_at"

    def get_queryset(self):
        return super().get_queryset().select_related("person", "union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["extra_actions"] = [(reverse("members:enrol"), gettext_lazy("现场代为登记"))]
        return context


class JoinRequestDetailView(ConsoleDetailView):
    model = JoinRequest
    template_name = "members/join_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("person", "union", "employer", "brand", "consent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.object
        context.update(
            can_decide=request.open and can(self.request.user, CHANGE, request),
            transfer=Transfer.objects.filter(join_request=request).select_related("from_union").first(),
            form=DecisionForm(),
        )
        return context


JOIN_ACTIONS = {
    "approve": joining.approve,
    "reject": joining.reject,
    "ask": joining.ask_info,
}
JOIN_DONE = {
    "approve": gettext_lazy("已通过"),
    "reject": gettext_lazy("已作出不予通过的决定"),
    "ask": gettext_lazy("已请职工补充材料"),
}


def _act(request, obj, run, done: str):
    form = DecisionForm(request.POST)
    if not form.is_valid():  # too long: say so, decide nothing (the text was dropped before)
        messages.error(request, " ".join(form.errors["text"]))
        return redirect(obj)
    text = form.cleaned_data["text"]
    try:
        run(obj, request.user, text)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect(obj)


@require_POST
@access.requires(access.SCOPED)
def join_decide(request, pk, action):
    if action not in JOIN_ACTIONS:
        raise Http404
    obj = get_object_or_404(JoinRequest.objects.restrict(request.user, CHANGE), pk=pk)
    return _act(request, obj, JOIN_ACTIONS[action], JOIN_DONE[action])


class TransferListView(ConsoleListView):
    model = Transfer
    filterset_class = TransferFilterSet
    columns = ["membership", "from_union", "to_union", "status", "requested_at"]
    ordering_fields = ["requested_at", "status", "id"]
    default_ordering = "-requested_at"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("membership__person", "membership__union", "from_union", "to_union")
        )


class TransferDetailView(ConsoleDetailView):
    model = Transfer
    template_name = "members/transfer_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("membership__person", "from_union", "to_union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transfer, user = self.object, self.request.user
        context.update(
            can_release=transfer.status == "requested" and transfers.acts_for(user, transfer.from_union),
            can_accept=transfer.status == "released" and transfers.acts_for(user, transfer.to_union),
            can_refuse=transfer.status in ("requested", "released")
            and (
                transfers.acts_for(user, transfer.from_union) or transfers.acts_for(user, transfer.to_union)
            ),
            form=DecisionForm(),
        )
        return context


TRANSFER_ACTIONS = {
    "release": transfers.release,
    "accept": transfers.accept,
    "refuse": transfers.refuse,
}
TRANSFER_DONE = {
    "release": gettext_lazy("已办理转出"),
    "accept": gettext_lazy("已接收，会籍已转入"),
    "refuse": gettext_lazy("已作出不予办理的决定"),
}


@require_POST
@access.requires(access.SCOPED)
def transfer_act(request, pk, action):
    if action not in TRANSFER_ACTIONS:
        raise Http404
    obj = get_object_or_404(Transfer.objects.restrict(request.user, CHANGE), pk=pk)
    return _act(request, obj, TRANSFER_ACTIONS[action], TRANSFER_DONE[action])


MEMBERSHIP_ACTIONS = {"retain": transfers.retain, "leave": transfers.leave, "reinstate": transfers.reinstate}


@require_POST
@access.requires(access.SCOPED)
def membership_status(request, pk, action):
    """保留会籍 / 退会 / 恢复会籍, each with a reason."""
    if action not in MEMBERSHIP_ACTIONS:
        raise Http404
    obj = get_object_or_404(Membership.objects.restrict(request.user, CHANGE), pk=pk)
    return _act(request, obj, MEMBERSHIP_ACTIONS[action], _("会籍状态已更新"))


@sensitive_post_parameters("id_number", "phone")
@access.requires(access.SCOPED)
def enrol(request):
    """An official enrols a worker on their behalf, through the same joining service."""
    unions = owners_for(request.user, Membership, CHANGE, Union.objects.filter(status="active"))
    form = EnrolForm(request.POST or None, unions=unions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            join_request = joining.enrol(
                request.user,
                data["union"],
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                employment_form=data["employment_form"],
                channel=data["channel"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("已登记：%(status)s") % {"status": join_request.get_status_display()})
            return redirect(join_request)
    response = render(request, "members/enrol.html", {"form": form})
    response["Cache-Control"] = "no-store"
    return response
