import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, YesNoFilter
from orgs.models import Union

from ..choices import InspectionResult
from ..models import Checklist, Inspection

YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


def _subtree(queryset, lookup: str, value):
    root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(**{f"{lookup}__path__subtree": root}) if root else queryset.none()


class ChecklistFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/版本"))
    active = YesNoFilter(
        label=_("状态"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("现行")), ("false", _("草稿或已停用"))]),
    )
    within = IdFilter(method="in_subtree", label=_("制定工会编号（含下级）"))

    class Meta:
        model = Checklist
        fields = ["q", "active", "within"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(version__icontains=value))

    def in_subtree(self, queryset, name, value):
        return _subtree(queryset, "union", value)


class InspectionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("站点名称"))
    result = django_filters.ChoiceFilter(choices=InspectionResult.choices, label=_("结果"))
    overdue = YesNoFilter(
        method="overdue_follow_up", label=_("复查逾期"), widget=forms.Select(choices=YES_NO)
    )
    open_follow_up = YesNoFilter(method="open", label=_("待复查"), widget=forms.Select(choices=YES_NO))
    within = IdFilter(method="in_subtree", label=_("站点所属工会编号（含下级）"))
    station = IdFilter(field_name="station_id", label=_("站点编号"))
    checklist = IdFilter(field_name="checklist_id", label=_("标准编号"))
    since = django_filters.DateFilter(
        field_name="inspected_on",
        lookup_expr="gte",
        label=_("检查日期自"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="inspected_on",
        lookup_expr="lte",
        label=_("检查日期至"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Inspection
        fields = [
            "q",
            "result",
            "overdue",
            "open_follow_up",
            "within",
            "station",
            "checklist",
            "since",
            "until",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(station__name__icontains=value.strip())

    def in_subtree(self, queryset, name, value):
        return _subtree(queryset, "station__union", value)

    def overdue_follow_up(self, queryset, name, value):
        overdue = Q(follow_up_on__lt=timezone.localdate(), followed_up_at__isnull=True)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def open(self, queryset, name, value):
        pending = Q(follow_up_on__isnull=False, followed_up_at__isnull=True)
        return queryset.filter(pending) if value else queryset.exclude(pending)
