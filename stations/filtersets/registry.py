import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, YesNoFilter
from orgs.models import Partner, Union

from ..choices import StationKind
from ..models import Amenity, Station
from ..services import hours as hours_service


def _partners(request):
    if request is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return Partner.objects.none()
    return Partner.objects.restrict(request.user).order_by("name")


class StationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/依托单位/地址"))
    kind = django_filters.ChoiceFilter(choices=StationKind.choices, label=_("类型"))
    partner = django_filters.ModelChoiceFilter(queryset=_partners, label=_("依托单位"))
    amenity = django_filters.ModelChoiceFilter(
        field_name="amenities",
        queryset=Amenity.objects.filter(active=True),
        to_field_name="code",
        label=_("设施服务"),
    )
    open = django_filters.ChoiceFilter(
        method="open_status",
        choices=[("now", _("此刻开放")), ("closed", _("此刻不开放"))],
        label=_("开放状态"),
    )
    active = YesNoFilter(
        label=_("状态"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("开放中")), ("false", _("已停用"))]),
    )
    within = IdFilter(method="in_subtree", label=_("所属工会编号（含下级）"))
    # Kept by stations.services.standard from the latest inspection.
    below_standard = YesNoFilter(
        label=_("统一标准"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("未达标")), ("false", _("达标或未检查"))]),
    )

    class Meta:
        model = Station
        fields = ["q", "kind", "partner", "amenity", "open", "active", "within", "below_standard"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(partner__name__icontains=value) | Q(address__icontains=value)
        )

    def in_subtree(self, queryset, name, value):
        root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(union__path__subtree=root) if root else queryset.none()

    def open_status(self, queryset, name, value):
        # Hours are a JSON week: decided in Python over (id, hours) of the rows in scope,
        # with the day's closures in one query.
        ids = hours_service.open_ids(queryset)
        return queryset.filter(pk__in=ids) if value == "now" else queryset.exclude(pk__in=ids)
