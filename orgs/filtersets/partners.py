import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter

from ..choices import PartnerKind
from ..models import Partner, Union


class PartnerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/联系人"))
    kind = django_filters.ChoiceFilter(choices=PartnerKind.choices, label=_("类型"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号（含下级）"))

    class Meta:
        model = Partner
        fields = ["q", "kind", "within"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(contact__icontains=value))

    def in_subtree(self, queryset, name, value):
        root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(union__path__subtree=root) if root else queryset.none()
