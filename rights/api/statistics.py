"""API of rights statistics: GET /api/v1/rights/statistics/?union=&start=&end= (officials; another
union is 404; defaults: the caller's top union, this year)."""

import datetime

from django.http import Http404
from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access
from core.api.viewsets import IsOfficial
from orgs.forms.period import PeriodForm
from orgs.models import Union

from ..services import statistics


class QuerySerializer(serializers.Serializer):
    union = serializers.IntegerField(required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class CountSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


def _counts(items) -> list[dict]:
    return [{"value": v, "label": label, "count": n} for v, label, n in items]


class RightsStatisticsSerializer(serializers.Serializer):
    union = serializers.IntegerField()
    union_name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    consultations = serializers.IntegerField()
    by_category = CountSerializer(many=True)
    answered = serializers.IntegerField()
    median_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True)
    target_hours = serializers.IntegerField()
    within_target = serializers.IntegerField()
    within_share = serializers.DecimalField(max_digits=4, decimal_places=3, allow_null=True)
    cases = serializers.IntegerField()
    by_outcome = CountSerializer(many=True)
    recovered = serializers.DecimalField(max_digits=14, decimal_places=2)
    aid_files = serializers.IntegerField()
    aid_by_tier = CountSerializer(many=True)
    aid_by_status = CountSerializer(many=True)
    aid_payments = serializers.IntegerField()
    aid_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    benefits_listed = serializers.IntegerField()
    benefits_redeemed = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    premium = serializers.DecimalField(max_digits=14, decimal_places=2)
    claims = serializers.IntegerField()
    claims_approved = serializers.IntegerField()
    approved_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    claims_paid = serializers.IntegerField()
    paid_amount = serializers.DecimalField(max_digits=14, decimal_places=2)


def payload(f: statistics.Figures) -> dict:
    data = dict(f.__dict__)
    data.update(
        union=f.union.pk,
        union_name=f.union.name,
        within_share=f.within_share,
        by_category=_counts(f.by_category),
        by_outcome=_counts(f.by_outcome),
        aid_by_tier=_counts(f.aid_by_tier),
        aid_by_status=_counts(f.aid_by_status),
    )
    return RightsStatisticsSerializer(data).data


class RightsStatisticsView(APIView):
    """Rights figures for a union's subtree and a period (see rights.services.statistics for what each
    counts). Query: `union` (id in the caller's scope; another is 404), `start`, `end` (YYYY-MM-DD)."""

    access = access.OFFICIAL
    permission_classes = [IsOfficial]
    serializer_class = RightsStatisticsSerializer

    def get(self, request):
        query = QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        if "union" in data:
            union = Union.objects.restrict(request.user).filter(pk=data["union"]).first()
            if union is None:
                raise Http404
            data["union"] = union
        form = PeriodForm(
            {k: v.isoformat() if isinstance(v, datetime.date) else v.pk for k, v in data.items()},
            user=request.user,
        )
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        cleaned = form.cleaned_data
        return Response(payload(statistics.figures(cleaned["union"], cleaned["start"], cleaned["end"])))


def urls():
    return [path("rights/statistics/", RightsStatisticsView.as_view(), name="rights-statistics")]
