"""Partner organisations (合作单位) over the API, in the caller's scope."""

from core.api.serializers import ScopedModelSerializer
from core.api.viewsets import ScopedViewSet

from ..filtersets.partners import PartnerFilterSet
from ..models import Partner


class PartnerSerializer(ScopedModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "name", "kind", "union", "contact", "note", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class PartnerViewSet(ScopedViewSet):
    """Partners kept by the unions in the caller's scope; `within=<union id>` filters a subtree."""

    # A partner hosting stations is protected; partners are edited, not deleted.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Partner.objects.select_related("union")
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    ordering_fields = ["id", "name", "kind", "created_at"]
    ordering = ["name", "id"]
