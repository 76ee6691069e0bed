from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core import access, pii
from core.scoping import CHANGE, REVEAL, can
from core.views import ConsoleDetailView, ConsoleListView, pii_accesses

from .. import services
from ..filtersets import MembershipFilterSet, PersonFilterSet
from ..forms import PersonLookupForm
from ..models import PII_FIELDS, Membership, Person


@method_decorator(sensitive_post_parameters("number"), name="dispatch")  # kept out of error reports
class PersonListView(ConsoleListView):
    """People, filtered by GET (bookmarkable); an exact ID number or phone search is a POST."""

    model = Person
    filterset_class = PersonFilterSet
    template_name = "members/person_list.html"
    columns = ["name", "id_number_mask", "phone_mask", "gender", "employment_form", "created_at"]
    ordering_fields = ["name", "created_at", "id"]
    lookup_form = None

    def get(self, request, *args, **kwargs):
        if pii.looks_like_a_number(request.GET.get("q", "")):
            query = request.GET.copy()
            del query["q"]
            messages.warning(request, _("身份证号、手机号请在“精确查找”中输入，以免出现在网址中。"))
            return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = PersonLookupForm(request.POST)
        if form.is_valid():
            person = services.find_in_scope(request.user, form.cleaned_data["number"])
            if person is not None:
                return redirect(person)
            form.add_error("number", _("您的管理范围内没有此身份证号或手机号的职工"))
        self.lookup_form = form
        response = super().get(request, *args, **kwargs)
        # The page echoes what was typed; keep it out of caches.
        patch_cache_control(response, no_store=True)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lookup_form"] = self.lookup_form or PersonLookupForm()
        return context


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = can(self.request.user, CHANGE, self.object)
        return context
