from decimal import Decimal

from django import forms

from core.forms import ScopedModelForm
from core.scoping import CHANGE

from ..models import CoveragePlan, PlanTarget
from ..services.plans import regions_for, target_errors


class ShareField(forms.DecimalField):
    """A share (0–1) shown with its three stored decimals, whether it came as a float default or a Decimal."""

    def prepare_value(self, value):
        if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
            return Decimal(str(value)).quantize(Decimal("0.001"))
        return super().prepare_value(value)


class CoveragePlanForm(ScopedModelForm):
    class Meta:
        model = CoveragePlan
        fields = ["name", "union", "start_year", "end_year", "employer_goal", "worker_goal"]
        field_classes = {"employer_goal": ShareField, "worker_goal": ShareField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")


class PlanTargetForm(ScopedModelForm):
    choice_actions = {"plan": CHANGE}

    class Meta:
        model = PlanTarget
        field_classes = {"new_form_share": ShareField}
        fields = [
            "plan",
            "year",
            "region",
            "sector",
            "unions_to_establish",
            "members_to_enrol",
            "new_form_share",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(self.user)

    def clean(self):
        cleaned = super().clean()
        probe = PlanTarget(
            pk=self.instance.pk,
            plan=cleaned.get("plan"),
            year=cleaned.get("year"),
            region=cleaned.get("region"),
            sector=cleaned.get("sector") or "",
        )
        for field, message in target_errors(probe).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def validate_unique(self):
        # target_errors() already checked the one-target-per-cell rule, a NULL region included.
        pass
