from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access
from core.api.viewsets import ScopedViewSet

from ..filtersets import RoleFilterSet
from ..models import Role
from .serializers import MeSerializer, RoleSerializer


class RoleViewSet(ScopedViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = Role.objects.select_related("user", "union")
    serializer_class = RoleSerializer
    filterset_class = RoleFilterSet
    ordering_fields = ["id", "kind"]
    ordering = ["id"]


class MeView(APIView):
    """Who is signed in: what an app asks first after a sign-in or when it wakes with a stored
    session or token. Read from the signed-in user alone (no query beyond the session's and the
    user's), so it is also the cheapest authenticated read (bench/program_signups.py's baseline);
    roles are under /api/v1/roles/, a worker's own records under /api/v1/me/…"""

    access = access.SIGNED_IN

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.username,
                    "display_name": str(user),
                    "is_worker": user.is_worker,
                    "language": get_language(),
                }
            ).data
        )
