"""Forms of visits and services: the statistics period, and a keeper's service record."""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.choices import EmploymentForm
from orgs.models import Union

from ..models import ServiceKind, ServiceRecord
from ..services import visit_stats
from ..services import visits as services


class PeriodForm(forms.Form):
    """A date range (this month by default) and, for the scope page, a union whose subtree to count."""

    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    union = forms.ModelChoiceField(
        queryset=Union.objects.none(),
        label=_("工会（含下级）"),
        required=False,
        empty_label=_("我管理的全部"),
    )

    def __init__(self, *args, unions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unions is None:
            del self.fields["union"]
        else:
            self.fields["union"].queryset = unions

    def clean(self):
        data = super().clean()
        first, last = visit_stats.default_period()
        start, end = data.get("start") or first, data.get("end") or last
        for name, message in visit_stats.period_problems(start, end).items():
            self.add_error(name, message)
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The dates asked for while they are valid, whatever the union (one the official may not see
        counts their own scope over those dates, not over this month); else this month so far."""
        if self.is_bound and not self.errors.keys() & {"start", "end", NON_FIELD_ERRORS}:
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return visit_stats.default_period()


class ServiceRecordForm(forms.ModelForm):
    """A keeper records services given; the station comes from the page, the rules from the service."""

    class Meta:
        model = ServiceRecord
        fields = ["kind", "count", "served_on", "employment_form", "note"]
        widgets = {
            "served_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "count": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = ServiceKind.objects.filter(active=True)
        self.fields["kind"].empty_label = _("请选择服务项目")
        self.fields["employment_form"].choices = [("", _("不区分")), *list(EmploymentForm.choices)]
        self.fields["served_on"].initial = timezone.localdate
        self.fields["count"].initial = 1

    def clean_served_on(self):
        served_on = self.cleaned_data["served_on"]
        if served_on and served_on > timezone.localdate():
            raise forms.ValidationError(_("服务日期不能晚于今天"))
        return served_on

    def clean_employment_form(self):
        try:
            return services.clean_employment_form(self.cleaned_data.get("employment_form", ""))
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages[0]) from None
