import copy

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


class FieldsBuiltOnce:
    """For a ModelSerializer on a hot path: its fields are built from the model once per class, and
    each instance gets a deep copy (what DRF does with declared fields), instead of DRF introspecting
    the model on every instance (~1 ms for a dozen fields, a tenth of a program sign-up's request).

    Only for serializers whose fields depend on the class alone (no get_fields override reading the
    request or the instance); per-instance changes to self.fields afterwards are fine.
    """

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)
