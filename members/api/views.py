from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core import access
from core.api.viewsets import IsOfficial, ScopedViewSet

from .. import services
from ..filtersets import MembershipFilterSet, PersonFilterSet
from ..models import Membership, Person
from .serializers import MembershipSerializer, PersonLookupSerializer, PersonSerializer


class PersonViewSet(ScopedViewSet):
    """People in the caller's scope, with masked personal data. Read-only here: joining is a service."""

    http_method_names = ["get", "head", "options"]
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["id", "name", "created_at"]
    ordering = ["-id"]


class PersonLookupView(generics.GenericAPIView):
    """A person in the caller's scope by full ID number or phone: a POST, so the number stays out of URLs."""

    access = access.SCOPED
    permission_classes = [IsOfficial]
    serializer_class = PersonLookupSerializer

    @extend_schema(
        request=PersonLookupSerializer,
        responses={200: PersonSerializer, 400: OpenApiResponse(), 404: OpenApiResponse()},
    )
    def post(self, request):
        lookup = self.get_serializer(data=request.data)
        lookup.is_valid(raise_exception=True)
        person = services.find_in_scope(request.user, lookup.validated_data["number"])
        if person is None:
            raise NotFound(_("您的管理范围内没有此身份证号或手机号的职工"))
        return Response(PersonSerializer(person).data)


class MembershipViewSet(ScopedViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = Membership.objects.select_related("person", "union")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering_fields = ["id", "joined_on", "card_number"]
    ordering = ["-joined_on", "-id"]
