"""One FilterSet per model of legal consultations, for the console and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, YesNoFilter
from orgs.models import Union

from ..choices import ConsultationCategory, ConsultationStatus
from ..models import Consultation, DutyDay, Lawyer

YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]
UNANSWERED = (ConsultationStatus.SUBMITTED, ConsultationStatus.ASSIGNED)


def _subtree(queryset, lookup: str, value):
    root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(**{f"{lookup}__path__subtree": root}) if root else queryset.none()


class ConsultationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ConsultationStatus.choices, label=_("状态"))
    category = django_filters.ChoiceFilter(choices=ConsultationCategory.choices, label=_("类别"))
    overdue = YesNoFilter(method="is_overdue", label=_("超时未答复"), widget=forms.Select(choices=YES_NO))
    escalated = YesNoFilter(
        field_name="escalated_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("已上报"),
        widget=forms.Select(choices=YES_NO),
    )
    lawyer = IdFilter(field_name="lawyer_id", label=_("律师编号"))
    unassigned = YesNoFilter(
        field_name="lawyer", lookup_expr="isnull", label=_("未分配"), widget=forms.Select(choices=YES_NO)
    )
    within = IdFilter(method="in_subtree", label=_("受理工会编号（含下级）"))
    since = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__gte",
        label=_("提交日期自"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__lte",
        label=_("提交日期至"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Consultation
        fields = [
            "status",
            "category",
            "overdue",
            "escalated",
            "lawyer",
            "unassigned",
            "within",
            "since",
            "until",
        ]

    def is_overdue(self, queryset, name, value):
        late = Q(status__in=UNANSWERED, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)

    def in_subtree(self, queryset, name, value):
        return _subtree(queryset, "union", value)


class LawyerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("姓名/律所"))
    active = YesNoFilter(label=_("在岗"), widget=forms.Select(choices=YES_NO))
    category = django_filters.ChoiceFilter(
        choices=ConsultationCategory.choices, method="takes", label=_("擅长类别（含不限类别）")
    )
    within = IdFilter(method="in_subtree", label=_("服务工会编号（含下级）"))

    class Meta:
        model = Lawyer
        fields = ["q", "active", "category", "within"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(firm__icontains=value))

    def takes(self, queryset, name, value):
        # JSON containment is not on SQLite; the pool of a union is small, so filter by ids in Python.
        ids = [pk for pk, cats in queryset.values_list("pk", "categories") if not cats or value in cats]
        return queryset.filter(pk__in=ids)

    def in_subtree(self, queryset, name, value):
        return _subtree(queryset, "union", value)


class DutyDayFilterSet(django_filters.FilterSet):
    lawyer = IdFilter(field_name="lawyer_id", label=_("律师编号"))
    station = IdFilter(field_name="station_id", label=_("站点编号"))
    since = django_filters.DateFilter(
        field_name="day", lookup_expr="gte", label=_("日期自"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="day", lookup_expr="lte", label=_("日期至"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = DutyDay
        fields = ["lawyer", "station", "since", "until"]
