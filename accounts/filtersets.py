import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import YesNoFilter

from .choices import RoleKind
from .models import Role


class RoleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("用户/工会"))
    kind = django_filters.ChoiceFilter(choices=RoleKind.choices, label=_("角色"))
    active = YesNoFilter(label=_("有效"))

    class Meta:
        model = Role
        fields = ["q", "kind", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(user__username__icontains=value)
            | Q(user__display_name__icontains=value)
            | Q(union__name__icontains=value)
        )
