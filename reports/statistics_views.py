"""The organising statistics page and its API twin: one form of inputs, one set of figures."""

import datetime

from django.http import Http404
from django.shortcuts import render
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access
from core.api.viewsets import IsOfficial
from orgs.forms.period import PeriodForm
from orgs.models import Union

from . import statistics


@access.requires(access.OFFICIAL)
def statistics_page(request):
    form = PeriodForm.for_page(request)
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
