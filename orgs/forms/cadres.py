from core.forms import ScopedModelForm

from ..models import CadreAssignment, CadreVisit
from ..services.cadres import assignments_open_to, employers_for_visits, officials_within, visit_errors


class CadreAssignmentForm(ScopedModelForm):
    class Meta:
        model = CadreAssignment
        fields = ["cadre", "union", "title", "starts_on", "ends_on", "goals", "goal_unions", "goal_members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = officials_within(self.user, self.instance.cadre_id)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")


class CadreVisitForm(ScopedModelForm):
    class Meta:
        model = CadreVisit
        fields = [
            "assignment",
            "visited_on",
            "employer",
            "summary",
            "outcome",
            "unions_established",
            "members_enrolled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The cadre adds visits to their own assignment, wherever it is; officials to those of their subtree.
        self.fields["assignment"].queryset = assignments_open_to(self.user)
        self.fields["employer"].queryset = employers_for_visits(self.user)

    def clean(self):
        cleaned = super().clean()
        probe = CadreVisit(assignment=cleaned.get("assignment"), visited_on=cleaned.get("visited_on"))
        for field, message in visit_errors(probe).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned
