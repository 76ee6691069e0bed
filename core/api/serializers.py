from rest_framework import serializers

from ..scoping import limit_choices


class ScopedModelSerializer(serializers.ModelSerializer):
    """The API twin of core.forms.ScopedModelForm: relation fields offer only what the caller may use."""

    choice_actions: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            limit_choices(request.user, self.Meta.model, self.instance, self.fields, self.choice_actions)
