from core.api.viewsets import ScopedViewSet

from ..filtersets import RoleFilterSet
from ..models import Role
from .serializers import RoleSerializer


class RoleViewSet(ScopedViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = Role.objects.select_related("user", "union")
    serializer_class = RoleSerializer
    filterset_class = RoleFilterSet
    ordering_fields = ["id", "kind"]
    ordering = ["id"]
