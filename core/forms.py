from django import forms

from .scoping import VIEW, registry


class ScopedModelForm(forms.ModelForm):
    """A model form whose choice fields only offer what the user may see (or, per field, act on)."""

    # field name -> action required of its choices (default: view)
    choice_actions: dict[str, str] = {}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and queryset.model in registry:
                field.queryset = queryset.restrict(user, self.choice_actions.get(name, VIEW))
