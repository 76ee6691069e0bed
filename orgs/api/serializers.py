from rest_framework import serializers

from core.api.serializers import ScopedModelSerializer

from ..models import Region, Union


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


def _fields_of(union: Union | None) -> dict:
    """What a partial update leaves as it was (the name check reads name, parent and status)."""
    if union is None:
        return {}
    return {"name": union.name, "parent": union.parent, "status": union.status}


class UnionSerializer(ScopedModelSerializer):
    """A node of the union tree; `path` and `depth` follow from `parent` and cannot be written."""

    class Meta:
        model = Union
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "parent",
            "path",
            "depth",
            "region",
            "sector",
            "status",
            "established_on",
            "chair_name",
            "contact_name",
            "contact_phone",
            "address",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["path", "depth", "created_at", "updated_at"]

    def validate(self, attrs):
        union = Union(**{**_fields_of(self.instance), **attrs})
        union.pk = getattr(self.instance, "pk", None)
        error = union.namesake_error()
        if error:
            raise serializers.ValidationError({"name": error})
        return attrs

    def validate_parent(self, parent):
        error = (self.instance or Union()).parent_error(parent, self.context["request"].user)
        if error:
            raise serializers.ValidationError(error)
        return parent
