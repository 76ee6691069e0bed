from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import limits
from core.forms import IdsField
from core.scoping import ADD, owners_for

from ..choices import EstablishmentDocumentKind, Sector, UnionKind
from ..models import Employer, Region, Union
from ..services import establishment as services
from ..services.cadres import officials_within
from ..services.establishment import document_error
from ..services.plans import regions_for

FOUNDED_KINDS = [
    (kind, label)
    for kind, label in UnionKind.choices
    if kind in (UnionKind.GRASSROOTS, UnionKind.JOINT, UnionKind.INDUSTRY, UnionKind.NEW_ECONOMY)
]


class DateInput(forms.DateInput):
    input_type = "date"


class EstablishmentStartForm(forms.Form):
    """A new union to set up: where it hangs in the tree, who answers for it, which employers it covers."""

    name = forms.CharField(label=_("工会名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=FOUNDED_KINDS)
    parent = forms.ModelChoiceField(label=_("上级工会"), queryset=Union.objects.none())
    region = forms.ModelChoiceField(label=_("行政区划"), queryset=Region.objects.none())
    sector = forms.ChoiceField(label=_("行业"), choices=Sector.choices, initial=Sector.MIXED)
    responsible = forms.ModelChoiceField(label=_("负责干部"), queryset=None, required=False)
    employers = IdsField(
        label=_("覆盖单位"),
        queryset=Employer.objects.none(),
        required=False,
        help_text=_("行业工会、联合工会可覆盖多家单位"),
    )
    preparation_on = forms.DateField(label=_("筹备开始日期"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=limits.NOTE
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["parent"].queryset = owners_for(user, Union, ADD, Union.objects.order_by("path"))
        self.fields["region"].queryset = regions_for(user)
        self.fields["responsible"].queryset = officials_within(user)
        self.fields["employers"].queryset = Employer.objects.restrict(user).order_by("name")

    def start(self):
        """Start the establishment the form describes, for the console and the API alike."""
        data = self.cleaned_data
        union = Union(
            name=data["name"],
            kind=data["kind"],
            parent=data["parent"],
            region=data["region"],
            sector=data["sector"],
        )
        return services.start(
            union=union,
            by=self.user,
            employers=data["employers"],
            responsible=data["responsible"],
            preparation_on=data["preparation_on"],
            note=data["note"],
        )


class StepForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class ApproveForm(StepForm):
    reference = forms.CharField(label=_("批复文号"), max_length=100)


class AbandonForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("终止原因"), max_length=500)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=EstablishmentDocumentKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    file = forms.FileField(label=_("文件"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        error = document_error(upload)
        if error:
            raise forms.ValidationError(error)
        return upload
