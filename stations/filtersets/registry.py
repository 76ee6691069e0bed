import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.models import Union

from ..choices import StationKind
from ..models import Station


class StationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/依托单位/地址"))
    kind = django_filters.ChoiceFilter(choices=StationKind.choices, label=_("类型"))
    active = django_filters.BooleanFilter(
        label=_("状态"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("开放中")), ("false", _("已停用"))]),
    )
    within = django_filters.NumberFilter(method="in_subtree", label=_("所属工会编号（含下级）"))

    class Meta:
        model = Station
        fields = ["q", "kind", "active", "within"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(partner__name__icontains=value) | Q(address__icontains=value)
        )

    def in_subtree(self, queryset, name, value):
        root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(union__path__subtree=root) if root else queryset.none()
