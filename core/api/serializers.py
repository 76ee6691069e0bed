import copy
import threading

from rest_framework import serializers

from ..scoping import limit_choices
from ..text import validate_shown_text


class ScopedModelSerializer(serializers.ModelSerializer):
    """The API twin of core.forms.ScopedModelForm: relation fields offer only what the caller may use."""

    choice_actions: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            limit_choices(request.user, self.Meta.model, self.instance, self.fields, self.choice_actions)

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, serializers.CharField):  # as core.forms does for the console
            kwargs["validators"] = [*kwargs.get("validators", []), validate_shown_text]
        return field_class, kwargs


class FieldsBuiltOnce:
    """For a serializer on a hot path: its fields are built once per class (a ModelSerializer's from the
    model), and each instance gets its own copies, instead of DRF introspecting the model on every
    instance (~1 ms for a dozen fields, a tenth of a program sign-up's request) or deep-copying each
    declared field, which runs its __init__ again.

    A plain field is copied shallowly: binding it to the instance only assigns attributes
    (field_name, parent, source_attrs) on the copy, and the class's fields are never bound themselves,
    so nothing an instance sets reaches another. A deep copy, as DRF makes of declared fields, runs
    each field's __init__ again and cost half of a sign-up's response. A nested serializer is copied
    deeply: its own fields are bound to it.

    Only for serializers whose fields depend on the class alone (no get_fields override reading the
    request or the instance); per-instance changes to self.fields afterwards are fine.
    """

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return {
            name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
            for name, field in built.items()
        }

    @classmethod
    def represent(cls, instance) -> dict:
        """`instance` as `cls(instance).data` shows it, through one serializer per class and thread whose
        fields are bound once: copying and binding a dozen fields cost a sign-up's response ~100 µs,
        half of it. For output without context only (no request: the serializer is shared)."""
        kept = _represented.__dict__.setdefault("serializers", {})
        serializer = kept.get(cls)
        if serializer is None:
            serializer = kept[cls] = cls()
        return serializer.to_representation(instance)


_represented = threading.local()  # gunicorn's threads each keep their own
