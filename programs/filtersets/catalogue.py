import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, YesNoFilter
from orgs.models import Union

from ..choices import ProgramKind, ProgramStatus
from ..models import Program, ProgramSeries


def _in_subtree(queryset, value, field="union"):
    root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(**{f"{field}__path__subtree": root}) if root else queryset.none()


def open_for_signup(queryset, at=None):
    """Published programs whose sign-up window contains `at` (an open end counts as open)."""
    at = at or timezone.now()
    return queryset.filter(status=ProgramStatus.PUBLISHED).filter(
        Q(signup_opens_at__isnull=True) | Q(signup_opens_at__lte=at),
        Q(signup_closes_at__isnull=True) | Q(signup_closes_at__gt=at),
    )


class SeriesFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号（含下级）"))

    class Meta:
        model = ProgramSeries
        fields = ["q", "within"]

    def in_subtree(self, queryset, name, value):
        return _in_subtree(queryset, value)


class ProgramFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/简介"))
    kind = django_filters.ChoiceFilter(choices=ProgramKind.choices, label=_("类型"))
    status = django_filters.ChoiceFilter(choices=ProgramStatus.choices, label=_("状态"))
    within = IdFilter(method="in_subtree", label=_("主办工会编号（含下级）"))
    open = YesNoFilter(
        method="open_now",
        label=_("报名中"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("正在报名")), ("false", _("不在报名期"))]),
    )

    class Meta:
        model = Program
        fields = ["q", "kind", "status", "within", "open"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))

    def in_subtree(self, queryset, name, value):
        return _in_subtree(queryset, value)

    def open_now(self, queryset, name, value):
        if value is None:
            return queryset
        opened = open_for_signup(queryset)
        return opened if value else queryset.exclude(pk__in=opened.values("pk"))
