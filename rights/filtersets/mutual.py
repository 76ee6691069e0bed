"""One FilterSet per model of mutual medical aid, for the console and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, YearFilter
from orgs.models import Union

from ..choices import ClaimStatus
from ..models import MutualAidClaim, MutualAidEnrollment, MutualAidPlan

DATE = {"type": "date"}


def _subtree(queryset, lookup: str, value):
    root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(**{f"{lookup}__path__subtree": root}) if root else queryset.none()


class PlanFilterSet(django_filters.FilterSet):
    year = YearFilter(label=_("年度"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))

    class Meta:
        model = MutualAidPlan
        fields = ["year", "q"]


class EnrollmentFilterSet(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("计划编号"))
    batch = django_filters.CharFilter(lookup_expr="icontains", label=_("批次"))
    within = IdFilter(method="in_subtree", label=_("参保工会编号（含下级）"))
    since = django_filters.DateFilter(
        field_name="enrolled_on", lookup_expr="gte", label=_("参保日期自"), widget=forms.DateInput(attrs=DATE)
    )
    until = django_filters.DateFilter(
        field_name="enrolled_on", lookup_expr="lte", label=_("参保日期至"), widget=forms.DateInput(attrs=DATE)
    )

    class Meta:
        model = MutualAidEnrollment
        fields = ["plan", "batch", "within", "since", "until"]

    def in_subtree(self, queryset, name, value):
        return _subtree(queryset, "union", value)


class ClaimFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices, label=_("状态"))
    plan = IdFilter(field_name="enrollment__plan_id", label=_("计划编号"))
    within = IdFilter(method="in_subtree", label=_("参保工会编号（含下级）"))
    since = django_filters.DateFilter(
        field_name="submitted_on",
        lookup_expr="gte",
        label=_("提交日期自"),
        widget=forms.DateInput(attrs=DATE),
    )
    until = django_filters.DateFilter(
        field_name="submitted_on",
        lookup_expr="lte",
        label=_("提交日期至"),
        widget=forms.DateInput(attrs=DATE),
    )

    class Meta:
        model = MutualAidClaim
        fields = ["status", "plan", "within", "since", "until"]

    def in_subtree(self, queryset, name, value):
        return _subtree(queryset, "enrollment__union", value)
