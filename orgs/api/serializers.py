from django.utils.translation import gettext as _
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
        # Re-hanging a union under itself or its own branch would cut it off the tree.
        if parent is not None and self.instance is not None and parent.is_within(self.instance):
            raise serializers.ValidationError(_("不能隶属于本工会或其下级工会"))
        return parent
