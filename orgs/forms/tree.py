from django import forms

from core.forms import ScopedModelForm

from ..models import Union


class UnionForm(ScopedModelForm):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].required = not self.user.is_superuser

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        error = self.instance.parent_error(parent, self.user)
        if error:
            raise forms.ValidationError(error)
        return parent
