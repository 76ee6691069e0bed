"""FilterSets of mass benefits (distributions and their grants), for the console and the API."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, YesNoFilter
from orgs.models import Union

from ..choices import BenefitKind
from ..models import BenefitDistribution, BenefitGrant

YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class DistributionFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=BenefitKind.choices, label=_("类型"))
    running = YesNoFilter(method="is_running", label=_("正在领取"), widget=forms.Select(choices=YES_NO))
    within = IdFilter(method="in_subtree", label=_("发放工会编号（含下级）"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("名称"))

    class Meta:
        model = BenefitDistribution
        fields = ["kind", "running", "within", "q"]

    def is_running(self, queryset, name, value):
        today = timezone.localdate()
        running = queryset.filter(starts_on__lte=today, ends_on__gte=today)
        return running if value else queryset.exclude(pk__in=running.values("pk"))

    def in_subtree(self, queryset, name, value):
        root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(union__path__subtree=root) if root else queryset.none()


class GrantFilterSet(django_filters.FilterSet):
    distribution = IdFilter(field_name="distribution_id", label=_("发放编号"))
    redeemed = YesNoFilter(
        field_name="redeemed_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("已领取"),
        widget=forms.Select(choices=YES_NO),
    )
    station = IdFilter(field_name="station_id", label=_("领取站点编号"))

    class Meta:
        model = BenefitGrant
        fields = ["distribution", "redeemed", "station"]
