from rest_framework import serializers

from ..models import Region, Union


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class UnionSerializer(serializers.ModelSerializer):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "parent" in self.fields:
            # Same rule as the console form: a new union hangs under one the caller may add to.
            self.fields["parent"].queryset = Union.objects.restrict(request.user, "add")

    def validate_parent(self, parent):
        error = (self.instance or Union()).parent_error(parent, self.context["request"].user)
        if error:
            raise serializers.ValidationError(error)
        return parent
