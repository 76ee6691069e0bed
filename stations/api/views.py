from django.db.models import Prefetch
from rest_framework import viewsets

from core.api.viewsets import IsOfficial, ScopedViewSet

from ..filtersets.registry import StationFilterSet
from ..models import Amenity, ServiceKind, Station
from ..services import hours as hours_service
from ..services import registry as services
from .serializers import AmenitySerializer, ServiceKindSerializer, StationSerializer


class StationViewSet(ScopedViewSet):
    """Service stations in the caller's scope; keepers see the stations assigned to them.

    Filters: `kind`, `partner`, `amenity` (a code), `open=now|closed`, `active`, `within` (a union id),
    `q`. Writes take `coordinate_system` with any coordinates; `amenities` as a list of codes."""

    # Stations close (active=false) rather than disappear: their history and, later, visits stay.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Station.objects.select_related("union", "partner").prefetch_related(
        Prefetch("amenities", queryset=Amenity.objects.order_by("order", "code")), "closures", "photos"
    )
    serializer_class = StationSerializer
    filterset_class = StationFilterSet
    ordering_fields = ["id", "name", "kind", "created_at"]
    ordering = ["name", "id"]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # "Open now" for the whole page with one query for the closures.
            self.open_flags = hours_service.open_flags(page)
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["open_flags"] = getattr(self, "open_flags", None)
        return context

    def create_instance(self, serializer):
        data = dict(serializer.validated_data)
        amenities = data.pop("amenities", None)
        # The response is rendered from serializer.instance.
        serializer.instance = services.save_station(Station(**data), amenities=amenities)
        return serializer.instance

    def update_instance(self, serializer):
        station = serializer.instance
        data = dict(serializer.validated_data)
        amenities = data.pop("amenities", None)
        for name, value in data.items():
            setattr(station, name, value)
        services.save_station(station, amenities=amenities)
        # Re-read the relations the response shows (the prefetched amenities are stale now).
        serializer.instance = Station.objects.prefetch_related("amenities", "closures", "photos").get(
            pk=station.pk
        )
        return serializer.instance


class AmenityViewSet(viewsets.ReadOnlyModelViewSet):
    """The managed list of amenities (设施服务): reference data any official may read."""

    access = "official"
    permission_classes = [IsOfficial]
    queryset = Amenity.objects.all()
    serializer_class = AmenitySerializer
    ordering = ["order", "code"]
    ordering_fields = ["order", "code", "name"]
    filterset_fields = ["active"]


class ServiceKindViewSet(viewsets.ReadOnlyModelViewSet):
    """The managed list of service kinds (服务项目): reference data any official may read."""

    access = "official"
    permission_classes = [IsOfficial]
    queryset = ServiceKind.objects.all()
    serializer_class = ServiceKindSerializer
    ordering = ["order", "code"]
    ordering_fields = ["order", "code", "name"]
    filterset_fields = ["active"]
