"""The FilterSet of hardship-aid files, for the console and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, YesNoFilter
from orgs.models import Union

from ..choices import AidStatus, AidTier
from ..models import AidCase
from ..services import aid as services

YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


def _subtree(queryset, lookup: str, value):
    root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(**{f"{lookup}__path__subtree": root}) if root else queryset.none()


class AidCaseFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AidStatus.choices, label=_("状态"))
    tier = django_filters.ChoiceFilter(choices=AidTier.choices, label=_("困难类别"))
    awaiting_me = YesNoFilter(method="for_me", label=_("待我审批"), widget=forms.Select(choices=YES_NO))
    due = YesNoFilter(
        method="review_due", label=_("待年度复核（30天内）"), widget=forms.Select(choices=YES_NO)
    )
    within = IdFilter(method="in_subtree", label=_("建档工会编号（含下级）"))

    class Meta:
        model = AidCase
        fields = ["status", "tier", "awaiting_me", "due", "within"]

    def for_me(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none() if value else queryset
        mine = services.awaiting_user(queryset, user)
        return mine if value else queryset.exclude(pk__in=mine.values("pk"))

    def review_due(self, queryset, name, value):
        due = services.due_for_review(queryset)
        return due if value else queryset.exclude(pk__in=due.values("pk"))

    def in_subtree(self, queryset, name, value):
        return _subtree(queryset, "union", value)
