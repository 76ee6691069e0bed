from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ScopedModelForm
from orgs.choices import RegionLevel

from ..models import Station
from ..services import registry as services


class StationForm(ScopedModelForm):
    class Meta:
        model = Station
        fields = [
            "name",
            "kind",
            "union",
            "partner",
            "address",
            "region",
            "latitude",
            "longitude",
            "phone",
            "opening_note",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")
        self.fields["region"].queryset = self.fields["region"].queryset.filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWN]
        )


class KeeperAssignForm(forms.Form):
    """Pick a keeper among the users whose keeper role covers the station."""

    user = forms.ModelChoiceField(queryset=None, label=_("驿站管理员"), empty_label=_("请选择"))

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = services.keeper_candidates(station)
