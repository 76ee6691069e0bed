"""Filters of the organising lists (plans, chair assistants, establishing), shared by console and API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, YearFilter

from ..choices import EstablishmentStage, Sector, UnionKind, VisitOutcome
from ..models import CadreAssignment, CadreVisit, CoveragePlan, Establishment, PlanTarget, Union


def _in_subtree(queryset, field: str, value):
    root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(**{f"{field}__path__subtree": root}) if root else queryset.none()


class CoveragePlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("搜索"))
    year = YearFilter(method="covering_year", label=_("年度"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号"))

    class Meta:
        model = CoveragePlan
        fields = ["q", "year", "within"]

    def covering_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)

    def in_subtree(self, queryset, name, value):
        return _in_subtree(queryset, "union", value)


class PlanTargetFilterSet(django_filters.FilterSet):
    plan = IdFilter(field_name="plan", label=_("计划编号"))
    year = YearFilter(field_name="year", label=_("年度"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("行业"))
    region = django_filters.CharFilter(field_name="region__code", label=_("区划代码"))

    class Meta:
        model = PlanTarget
        fields = ["plan", "year", "sector", "region"]


class CadreAssignmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    active_on = django_filters.DateFilter(method="active", label=_("在派日期"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号"))

    class Meta:
        model = CadreAssignment
        fields = ["q", "active_on", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(cadre__display_name__icontains=value)
            | Q(cadre__username__icontains=value)
            | Q(union__name__icontains=value)
        )

    def active(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)

    def in_subtree(self, queryset, name, value):
        return _in_subtree(queryset, "union", value)


class CadreVisitFilterSet(django_filters.FilterSet):
    assignment = IdFilter(field_name="assignment", label=_("派驻编号"))
    outcome = django_filters.ChoiceFilter(choices=VisitOutcome.choices, label=_("成果"))
    after = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("起始日期"))
    before = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("截止日期"))

    class Meta:
        model = CadreVisit
        fields = ["assignment", "outcome", "after", "before"]


class EstablishmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="union__name", lookup_expr="icontains", label=_("搜索"))
    stage = django_filters.ChoiceFilter(choices=EstablishmentStage.choices, label=_("阶段"))
    kind = django_filters.ChoiceFilter(field_name="union__kind", choices=UnionKind.choices, label=_("类型"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号"))

    class Meta:
        model = Establishment
        fields = ["q", "stage", "kind", "within"]

    def in_subtree(self, queryset, name, value):
        return _in_subtree(queryset, "union", value)
