import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import pii

from ..choices import EmploymentForm, Gender, JoinChannel, MembershipStatus
from ..models import Membership, Person


def _name_only(value: str) -> None:
    if pii.looks_like_a_number(value):
        raise ValidationError(
            _("身份证号、手机号请用“精确查找”（POST /api/v1/people/lookup/），以免出现在网址中")
        )


class PersonFilterSet(django_filters.FilterSet):
    # Name only: ID numbers and phones are searched by POST (members.views), never put in a URL.
    q = django_filters.CharFilter(
        method="search",
        label=_("姓名"),
        widget=forms.TextInput(attrs={"pattern": r"[^0-9]*", "title": _("身份证号、手机号请用“精确查找”")}),
        validators=[_name_only],
    )
    employment_form = django_filters.ChoiceFilter(choices=EmploymentForm.choices, label=_("就业形态"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("性别"))

    class Meta:
        model = Person
        fields = ["q", "employment_form", "gender"]

    def search(self, queryset, name, value):
        return queryset.filter(name__startswith=value.strip())


class MembershipFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("姓名/卡号"))
    status = django_filters.ChoiceFilter(choices=MembershipStatus.choices, label=_("会籍状态"))
    channel = django_filters.ChoiceFilter(choices=JoinChannel.choices, label=_("入会渠道"))
    employment_form = django_filters.ChoiceFilter(
        field_name="person__employment_form", choices=EmploymentForm.choices, label=_("就业形态")
    )
    joined_after = django_filters.DateFilter(field_name="joined_on", lookup_expr="gte", label=_("入会日期起"))
    joined_before = django_filters.DateFilter(
        field_name="joined_on", lookup_expr="lte", label=_("入会日期止")
    )

    class Meta:
        model = Membership
        fields = ["q", "status", "channel", "employment_form", "joined_after", "joined_before"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(person__name__startswith=value.strip()) | Q(card_number=value.strip()))
