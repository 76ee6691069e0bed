"""Filters of employers, census rounds and census entries, shared by the console and the API."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, YesNoFilter

from ..choices import EmployerKind, Sector
from ..models import Brand, CensusEntry, CensusRound, Employer, Union
from ..services.employers import covered_q, due_without_union, region_prefix


def _subtree(queryset, field: str, value):
    root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(**{f"{field}__path__subtree": root}) if root else queryset.none()


class EmployerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    region = django_filters.CharFilter(method="in_region", label=_("区划代码"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("行业"))
    kind = django_filters.ChoiceFilter(choices=EmployerKind.choices, label=_("类型"))
    brand = django_filters.ModelChoiceFilter(queryset=Brand.objects.all(), label=_("品牌"))
    due_without_union = YesNoFilter(method="filter_due", label=_("应建未建"))
    covered = YesNoFilter(method="filter_covered", label=_("已覆盖"))
    within = IdFilter(method="in_subtree", label=_("属地工会编号"))

    class Meta:
        model = Employer
        fields = ["q", "region", "sector", "kind", "brand", "due_without_union", "covered", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(uscc__startswith=value.strip().upper()))

    def in_region(self, queryset, name, value):
        return queryset.filter(region__code__startswith=region_prefix(value.strip()))

    def filter_due(self, queryset, name, value):
        due = due_without_union(queryset)
        return due if value else queryset.exclude(pk__in=due.values("pk"))

    def filter_covered(self, queryset, name, value):
        return queryset.filter(covered_q()) if value else queryset.exclude(covered_q())

    def in_subtree(self, queryset, name, value):
        return _subtree(queryset, "area_union", value)


class CensusRoundFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("搜索"))
    within = IdFilter(method="in_subtree", label=_("组织工会编号"))
    taken_after = django_filters.DateFilter(field_name="taken_on", lookup_expr="gte", label=_("普查日期起"))
    taken_before = django_filters.DateFilter(field_name="taken_on", lookup_expr="lte", label=_("普查日期止"))

    class Meta:
        model = CensusRound
        fields = ["q", "within", "taken_after", "taken_before"]

    def in_subtree(self, queryset, name, value):
        return _subtree(queryset, "union", value)


class CensusEntryFilterSet(django_filters.FilterSet):
    census = IdFilter(field_name="census", label=_("普查编号"))
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    region = django_filters.CharFilter(method="in_region", label=_("区划代码"))
    sector = django_filters.ChoiceFilter(
        field_name="employer__sector", choices=Sector.choices, label=_("行业")
    )
    brand = django_filters.ModelChoiceFilter(
        field_name="employer__brand", queryset=Brand.objects.all(), label=_("品牌")
    )
    due_uncovered = YesNoFilter(method="filter_due", label=_("应建未建"))
    covered = YesNoFilter(field_name="union", lookup_expr="isnull", exclude=True, label=_("已覆盖"))

    class Meta:
        model = CensusEntry
        fields = ["census", "q", "region", "sector", "brand", "due_uncovered", "covered"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(employer__name__icontains=value) | Q(employer__uscc__startswith=value.strip().upper())
        )

    def in_region(self, queryset, name, value):
        return queryset.filter(employer__region__code__startswith=region_prefix(value.strip()))

    def filter_due(self, queryset, name, value):
        # Each round has its own threshold.
        due = Q(headcount__gte=F("census__threshold"), union__isnull=True)
        return queryset.filter(due) if value else queryset.exclude(due)
