from core.api.viewsets import ScopedViewSet

from ..filtersets.registry import StationFilterSet
from ..models import Station
from ..services import registry as services
from .serializers import StationSerializer


class StationViewSet(ScopedViewSet):
    """Service stations in the caller's scope; keepers see the stations assigned to them."""

    # Stations close (active=false) rather than disappear: their history and, later, visits stay.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Station.objects.select_related("union")
    serializer_class = StationSerializer
    filterset_class = StationFilterSet
    ordering_fields = ["id", "name", "kind", "created_at"]
    ordering = ["name", "id"]

    def create_instance(self, serializer):
        # The response is rendered from serializer.instance.
        serializer.instance = services.save_station(Station(**serializer.validated_data))
        return serializer.instance

    def update_instance(self, serializer):
        station = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(station, name, value)
        return services.save_station(station)
