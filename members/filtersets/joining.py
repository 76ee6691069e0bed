import django_filters
from django.utils.translation import gettext_lazy as _

from ..choices import EmploymentForm, JoinChannel, JoinStatus, TransferStatus
from ..models import JoinRequest, Transfer


class JoinRequestFilterSet(django_filters.FilterSet):
    """The review queue: by status first (待审核, 待补充材料…), then channel and employment form."""

    q = django_filters.CharFilter(field_name="person__name", lookup_expr="startswith", label=_("姓名"))
    status = django_filters.ChoiceFilter(choices=JoinStatus.choices, label=_("状态"))
    channel = django_filters.ChoiceFilter(choices=JoinChannel.choices, label=_("入会渠道"))
    employment_form = django_filters.ChoiceFilter(choices=EmploymentForm.choices, label=_("就业形态"))
    submitted_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("提交日期起")
    )

    class Meta:
        model = JoinRequest
        fields = ["q", "status", "channel", "employment_form", "submitted_after"]


class TransferFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="membership__person__name", lookup_expr="startswith", label=_("姓名")
    )
    status = django_filters.ChoiceFilter(choices=TransferStatus.choices, label=_("状态"))

    class Meta:
        model = Transfer
        fields = ["q", "status"]
