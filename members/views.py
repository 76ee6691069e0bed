from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from core import access
from core.scoping import REVEAL, can
from core.views import ConsoleDetailView, ConsoleListView, pii_accesses

from . import services
from .filtersets import MembershipFilterSet, PersonFilterSet
from .models import PII_FIELDS, Membership, Person


class PersonListView(ConsoleListView):
    model = Person
    filterset_class = PersonFilterSet
    columns = ["name", "id_number_mask", "phone_mask", "gender", "employment_form", "created_at"]
    ordering_fields = ["name", "created_at", "id"]


class PersonDetailView(ConsoleDetailView):
    model = Person
    template_name = "members/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person, user = self.object, self.request.user
        context.update(
            memberships=Membership.objects.restrict(user).filter(person=person).select_related("union"),
            consents=person.consents.all(),
            can_reveal=can(user, REVEAL, person),
            accesses=pii_accesses(person)[:50],
        )
        return context


@require_POST
@access.requires(access.SCOPED)
def reveal(request, pk, field):
    """Shows one masked value after the official confirmed; logged in the access log."""
    person = get_object_or_404(Person.objects.restrict(request.user), pk=pk)
    if field not in PII_FIELDS:
        raise Http404
    try:
        value = services.reveal(person, field, request.user, request.POST.get("reason", ""))
    except PermissionDenied:
        raise Http404 from None
    response = render(request, "members/_revealed.html", {"value": value})
    response["Cache-Control"] = "no-store"
    return response


class MembershipListView(ConsoleListView):
    model = Membership
    filterset_class = MembershipFilterSet
    columns = ["card_number", "person", "union", "status", "channel", "joined_on"]
    ordering_fields = ["joined_on", "card_number", "id"]
    default_ordering = "-joined_on"

    def get_queryset(self):
        return super().get_queryset().select_related("person", "union")


class MembershipDetailView(ConsoleDetailView):
    model = Membership
    template_name = "members/membership_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("person", "union")
