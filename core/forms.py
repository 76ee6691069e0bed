from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .ids import ID_RANGE
from .scoping import limit_choices
from .text import validate_shown_text


class IdsField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField that refuses a number past a database id's range as it refuses any
    unknown choice: Django sends every value to the database, where SQLite cannot hold an integer past
    64 bits (`employers=1e30` was a 500)."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk).strip()
            try:
                number = int(text)
            except ValueError:
                continue  # not a number ("--5" too): Django's own check refuses it
            if not ID_RANGE[0] <= number <= ID_RANGE[1]:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text[:30]}
                )
        return super()._check_values(value)


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.ManyToManyField):
        kwargs.setdefault("form_class", IdsField)
    elif isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
        # The browser's date picker (a phone's too) unless the form names a widget; its value is ISO,
        # which the picker needs to show a saved day (a text box showed nothing to pick from).
        kwargs.setdefault("widget", DATE_INPUT)
    field = model_field.formfield(**kwargs)
    if isinstance(field, forms.CharField):
        field.validators.append(validate_shown_text)
    return field


class _ScopedFormMetaclass(forms.models.ModelFormMetaclass):
    """Gives each subclass's Meta the many-to-many fields above (Django reads formfield_callback from
    the form's own Meta only)."""

    def __new__(mcs, name, bases, attrs):
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(_formfield)
        return super().__new__(mcs, name, bases, attrs)


class ScopedModelForm(forms.ModelForm, metaclass=_ScopedFormMetaclass):
    """A model form whose choice fields only offer what the user may use (see scoping.limit_choices)."""

    # field name -> action required of its choices (default: view)
    choice_actions: dict[str, str] = {}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        limit_choices(user, self._meta.model, self.instance, self.fields, self.choice_actions)
