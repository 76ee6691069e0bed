from core.api.viewsets import ScopedViewSet

from ..filtersets import MembershipFilterSet, PersonFilterSet
from ..models import Membership, Person
from .serializers import MembershipSerializer, PersonSerializer


class PersonViewSet(ScopedViewSet):
    """People in the caller's scope, with masked personal data. Read-only here: joining is a service."""

    http_method_names = ["get", "head", "options"]
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["id", "name", "created_at"]
    ordering = ["-id"]


class MembershipViewSet(ScopedViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = Membership.objects.select_related("person", "union")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering_fields = ["id", "joined_on", "card_number"]
    ordering = ["-joined_on", "-id"]
