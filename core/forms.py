from django import forms

from .scoping import limit_choices


class ScopedModelForm(forms.ModelForm):
    """A model form whose choice fields only offer what the user may use (see scoping.limit_choices)."""

    # field name -> action required of its choices (default: view)
    choice_actions: dict[str, str] = {}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        limit_choices(user, self._meta.model, self.instance, self.fields, self.choice_actions)
