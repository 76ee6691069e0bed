from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from core.api.serializers import ScopedModelSerializer

from ..models import Station

FIELDS = [
    "id",
    "name",
    "kind",
    "union",
    "partner",
    "address",
    "region",
    "latitude",
    "longitude",
    "phone",
    "opening_note",
    "active",
    "created_at",
    "updated_at",
]


class StationSerializer(ScopedModelSerializer):
    """A station; `latitude`/`longitude` are WGS-84 decimal degrees."""

    class Meta:
        model = Station
        fields = FIELDS
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        # The model's own rules (coordinates together, unique name in a union) answer 400, not 500.
        probe = Station(**self._current())
        # An update probes the existing row, so its own primary key is not a clash.
        probe._state.adding = self.instance is None
        for name, value in attrs.items():
            setattr(probe, name, value)
        try:
            probe.full_clean(validate_unique=True, validate_constraints=True)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None
        return attrs

    def _current(self) -> dict:
        if not isinstance(self.instance, Station):
            return {}
        return {
            field.attname: getattr(self.instance, field.attname) for field in Station._meta.concrete_fields
        }
