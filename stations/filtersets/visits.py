"""One FilterSet per model for the console lists and the API: visits and service records."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from orgs.choices import EmploymentForm
from orgs.models import Union

from ..models import ServiceKind, ServiceRecord, Visit


def _in_subtree(queryset, name, value):
    root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(station__union__path__subtree=root) if root else queryset.none()


class VisitFilterSet(django_filters.FilterSet):
    station = IdFilter(field_name="station_id", label=_("站点编号"))
    employment_form = django_filters.ChoiceFilter(choices=EmploymentForm.choices, label=_("就业形态"))
    after = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("开始日期"))
    before = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("结束日期"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号（含下级）"))

    class Meta:
        model = Visit
        fields = ["station", "employment_form", "after", "before", "within"]

    def in_subtree(self, queryset, name, value):
        return _in_subtree(queryset, name, value)


class ServiceRecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="station__name", lookup_expr="icontains", label=_("站点名称"))
    station = IdFilter(field_name="station_id", label=_("站点编号"))
    kind = django_filters.ModelChoiceFilter(queryset=ServiceKind.objects.all(), label=_("服务项目"))
    employment_form = django_filters.ChoiceFilter(choices=EmploymentForm.choices, label=_("就业形态"))
    after = django_filters.DateFilter(field_name="served_on", lookup_expr="gte", label=_("开始日期"))
    before = django_filters.DateFilter(field_name="served_on", lookup_expr="lte", label=_("结束日期"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号（含下级）"))

    class Meta:
        model = ServiceRecord
        fields = ["q", "station", "kind", "employment_form", "after", "before", "within"]

    def in_subtree(self, queryset, name, value):
        return _in_subtree(queryset, name, value)
