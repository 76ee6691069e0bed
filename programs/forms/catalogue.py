"""Console forms for series, programs, sessions and expenses."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ScopedModelForm
from orgs.choices import EmploymentForm, RegionLevel

from ..models import Program, ProgramExpense, ProgramSeries, Session
from ..models.catalogue import MAX_CAPACITY
from ..services import catalogue

LOCAL = "%Y-%m-%dT%H:%M"


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL)


class SeriesForm(ScopedModelForm):
    class Meta:
        model = ProgramSeries
        fields = ["union", "name", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")

    def clean(self):
        cleaned = super().clean()
        for field, message in catalogue.series_problems(self.instance, union=cleaned.get("union")).items():
            self.add_error(field, message)
        return cleaned


class ProgramForm(ScopedModelForm):
    """A program with its co-organisers, eligibility, sign-up window and budget."""

    employment_forms = forms.MultipleChoiceField(
        label=_("限就业形态"),
        choices=EmploymentForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限"),
    )

    class Meta:
        model = Program
        fields = [
            "union",
            "series",
            "title",
            "kind",
            "summary",
            "description",
            "partners",
            "signup_opens_at",
            "signup_closes_at",
            "mode",
            "one_per",
            "offer_hours",
            "members_only",
            "employment_forms",
            "gender",
            "min_age",
            "max_age",
            "regions",
            "once_per_year",
            "budget",
            "unit_cost",
        ]
        widgets = {
            "signup_opens_at": _datetime_widget(),
            "signup_closes_at": _datetime_widget(),
            "partners": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("signup_opens_at", "signup_closes_at"):
            self.fields[name].input_formats = [
                LOCAL,
                "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S%z",
            ]
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")
        self.fields["series"].queryset = self.fields["series"].queryset.select_related("union")
        partners = self.fields["partners"]
        partners.queryset = partners.queryset.select_related("union").order_by("union__path", "name")
        partners.label_from_instance = lambda p: f"{p.name}（{p.union.name}）"
        regions = self.fields["regions"]
        regions.queryset = regions.queryset.filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWN]).order_by(
            "code"
        )
        regions.help_text = _("不选表示不限；按职工身份证的发证地区或会籍所在地区判断")
        self.fields["employment_forms"].initial = list(self.instance.employment_forms or [])

    def clean(self):
        cleaned = super().clean()
        problems = catalogue.program_problems(
            self.instance,
            union=cleaned.get("union"),
            series=cleaned.get("series"),
            partners=cleaned.get("partners") or [],
            mode=cleaned.get("mode"),
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return cleaned


class SessionForm(forms.ModelForm):
    """A session of a program; its capacity, once people hold seats, changes through the capacity form."""

    class Meta:
        model = Session
        fields = ["title", "place", "station", "starts_at", "ends_at", "capacity"]
        widgets = {"starts_at": _datetime_widget(), "ends_at": _datetime_widget()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [LOCAL, "%Y-%m-%d %H:%M"]
        station = self.fields["station"]
        station.queryset = station.queryset.restrict(user).order_by("name")
        if self.instance.pk:
            # Capacity moves through set_capacity (never below the seats taken), not this form.
            del self.fields["capacity"]


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("名额"), min_value=0, max_value=MAX_CAPACITY)


class ExpenseForm(forms.ModelForm):
    class Meta:
        model = ProgramExpense
        fields = ["spent_on", "amount", "note"]
        widgets = {"spent_on": forms.DateInput(attrs={"type": "date"})}
