"""Console forms acting on registrations: reasons for a reorder, a move, a cancellation; check-in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import PersonLookupForm


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class ReorderForm(forms.Form):
    position = forms.IntegerField(label=_("调整到第几位"), min_value=1)
    reason = forms.CharField(label=_("调整原因"), max_length=200)


class MoveForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("改到场次"),
        queryset=None,
        empty_label=_("请选择"),
        error_messages={"invalid_choice": _("请选择本活动的其他场次")},
    )
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = registration.program.sessions.exclude(pk=registration.session_id)


class OnBehalfForm(PersonLookupForm):
    """Sign a worker up by their full ID number (or phone), found through the keyed hash."""


class CheckInForm(forms.Form):
    # Empty is for the service to refuse (tickets.check_in says what to do), as for the API.
    code = forms.CharField(label=_("票码"), max_length=2000, required=False)
