from core.forms import ScopedModelForm

from ..models import Partner


class PartnerForm(ScopedModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "union", "contact", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")
