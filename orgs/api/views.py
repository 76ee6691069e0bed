from rest_framework import viewsets

from core.api.viewsets import IsOfficial, ScopedViewSet

from ..filtersets import RegionFilterSet, UnionFilterSet
from ..models import Region, Union
from .serializers import RegionSerializer, UnionSerializer


class UnionViewSet(ScopedViewSet):
    """The union tree; `within=<id>` filters a subtree."""

    queryset = Union.objects.select_related("region")
    serializer_class = UnionSerializer
    filterset_class = UnionFilterSet
    ordering_fields = ["path", "name", "established_on"]
    ordering = ["path"]
    search_fields = []


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """GB/T 2260 regions: reference data any official may read."""

    access = "official"
    permission_classes = [IsOfficial]
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name"]
    ordering = ["code"]
