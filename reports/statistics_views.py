"""The organising statistics page and its API twin: one form of inputs, one set of figures."""

import datetime

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access
from core.api.viewsets import IsOfficial
from orgs.models import Union

from . import statistics


class PeriodForm(forms.Form):
    """Which subtree (within the official's scope) and which period (default: this year)."""

    union = forms.ModelChoiceField(label=_("工会"), queryset=Union.objects.none(), required=False)
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["union"].queryset = Union.objects.restrict(user).order_by("path")

    def clean(self):
        cleaned = super().clean()
        first, last = statistics.this_year()
        cleaned["start"] = cleaned.get("start") or first
        cleaned["end"] = cleaned.get("end") or last
        if cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("截止日期不能早于起始日期"))
        elif (cleaned["end"] - cleaned["start"]).days > 366 * 20:
            self.add_error("start", _("统计期间不能超过20年"))
        if not cleaned.get("union") and "union" not in self.errors:
            cleaned["union"] = default_union(self.user)
            if cleaned["union"] is None:
                self.add_error("union", _("请选择工会"))
        return cleaned


def default_union(user) -> Union | None:
    """The highest union the official's roles start from."""
    visible = Union.objects.restrict(user)
    if user.is_superuser:
        return visible.filter(parent__isnull=True).order_by("path").first()
    return visible.filter(pk__in=user.top_unions()).order_by("depth", "path").first()


@access.requires(access.OFFICIAL)
def statistics_page(request):
    data = request.GET.copy()
    # The defaults are shown in the form, not only applied: the page says what it counts.
    if not data.get("union"):
        default = default_union(request.user)
        data["union"] = default.pk if default else ""
    first, last = statistics.this_year()
    data.setdefault("start", first.isoformat())
    data.setdefault("end", last.isoformat())
    form = PeriodForm(data, user=request.user)
    figures = sentence = percents = None
    if form.is_valid():
        data = form.cleaned_data
        figures = statistics.figures(data["union"], data["start"], data["end"])
        sentence = statistics.sentence(figures)
        percents = {
            "share": statistics.percent(figures.new_form_share),
            "employers": statistics.percent(figures.coverage.employer_rate),
            "workers": statistics.percent(figures.coverage.worker_rate),
        }
    elif not Union.objects.restrict(request.user).exists():
        raise Http404
    return render(
        request,
        "reports/statistics.html",
        {"form": form, "figures": figures, "sentence": sentence, "percents": percents},
    )


class StatisticsQuery(serializers.Serializer):
    union = serializers.IntegerField(required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class StatisticsSerializer(serializers.Serializer):
    union = serializers.IntegerField(source="union.pk")
    union_name = serializers.CharField(source="union.name")
    start = serializers.DateField()
    end = serializers.DateField()
    unions_established = serializers.IntegerField()
    new_members = serializers.IntegerField()
    new_form_members = serializers.IntegerField()
    new_form_share = serializers.DecimalField(max_digits=4, decimal_places=3, allow_null=True)
    employers = serializers.IntegerField(source="coverage.employers")
    employers_covered = serializers.IntegerField(source="coverage.employers_covered")
    employer_coverage = serializers.DecimalField(
        source="coverage.employer_rate", max_digits=4, decimal_places=3, allow_null=True
    )
    workers = serializers.IntegerField(source="coverage.workers")
    workers_covered = serializers.IntegerField(source="coverage.workers_covered")
    worker_coverage = serializers.DecimalField(
        source="coverage.worker_rate", max_digits=4, decimal_places=3, allow_null=True
    )
    sentence = serializers.CharField()


class StatisticsView(APIView):
    """Organising figures for a union's subtree and a period (default: the caller's top union, this year).

    Query: `union` (id, within the caller's scope; another union is 404), `start`, `end` (YYYY-MM-DD).
    `sentence` phrases them in the seed's style: 今年新建工会44家，新入会员4000余名，其中…占比1/3.
    """

    access = access.OFFICIAL
    permission_classes = [IsOfficial]
    serializer_class = StatisticsSerializer

    def get(self, request):
        query = StatisticsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        if "union" in data:
            union = Union.objects.restrict(request.user).filter(pk=data["union"]).first()
            if union is None:
                raise Http404
            data["union"] = union
        form = PeriodForm(
            {
                key: value.isoformat() if isinstance(value, datetime.date) else value.pk
                for key, value in data.items()
            },
            user=request.user,
        )
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        cleaned = form.cleaned_data
        figures = statistics.figures(cleaned["union"], cleaned["start"], cleaned["end"])
        payload = StatisticsSerializer(
            {
                **figures.__dict__,
                "new_form_share": figures.new_form_share,
                "sentence": statistics.sentence(figures),
            }
        ).data
        return Response(payload)
