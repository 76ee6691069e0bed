import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter

from ..choices import RegionLevel, Sector, UnionKind, UnionStatus
from ..models import Region, Union


class UnionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    kind = django_filters.ChoiceFilter(choices=UnionKind.choices, label=_("类型"))
    status = django_filters.ChoiceFilter(choices=UnionStatus.choices, label=_("状态"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("行业"))
    region = django_filters.CharFilter(method="in_region", label=_("区划代码"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号"))

    class Meta:
        model = Union
        fields = ["q", "kind", "status", "sector", "region", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))

    def in_region(self, queryset, name, value):
        # Region codes nest by prefix once trailing zeros are dropped (330600 → 3306).
        prefix = value.rstrip("0") if len(value) <= 6 else value
        return queryset.filter(region__code__startswith=prefix)

    def in_subtree(self, queryset, name, value):
        root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(path__subtree=root) if root else queryset.none()


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("级别"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级代码"))

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))
