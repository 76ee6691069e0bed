import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from orgs.models import Union

from ..choices import HotSpotSource
from ..models import HotSpot


class HotSpotFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))
    source = django_filters.ChoiceFilter(choices=HotSpotSource.choices, label=_("来源"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号（含下级）"))

    class Meta:
        model = HotSpot
        fields = ["q", "source", "within"]

    def in_subtree(self, queryset, name, value):
        root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(union__path__subtree=root) if root else queryset.none()
