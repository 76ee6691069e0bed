from core.forms import ScopedModelForm

from .models import Union


class UnionForm(ScopedModelForm):
    # A new union can only hang under a union where the official may add.
    choice_actions = {"parent": "add"}

    class Meta:
        model = Union
        fields = [
            "name",
            "short_name",
            "kind",
            "parent",
            "region",
            "sector",
            "status",
            "established_on",
            "chair_name",
            "contact_name",
            "contact_phone",
            "address",
        ]
