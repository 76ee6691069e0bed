"""Printable join posters (A4 PDF) of a union, an employer site or a station, for officials in scope.

Here, in the top layer, because a station (the stations app) is above members in the layering.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from core import access
from members.services import posters
from orgs.models import Employer, Union
from stations.models import Station


def join_url(request, kind: str, pk: int) -> str:
    return request.build_absolute_uri(reverse("portal:join", args=[kind, posters.join_token(kind, pk)]))


@access.requires(access.SCOPED)
def poster(request, kind, pk):
    if kind == "u":
        obj = get_object_or_404(Union.objects.restrict(request.user), pk=pk)
        union_name, place = obj.name, ""
    elif kind == "e":
        obj = get_object_or_404(
            Employer.objects.restrict(request.user).select_related("union", "area_union"), pk=pk
        )
        union_name, place = str(obj.union or obj.area_union), obj.name
    elif kind == "s":
        obj = get_object_or_404(Station.objects.restrict(request.user).select_related("union"), pk=pk)
        union_name, place = obj.union.name, obj.name
    else:
        raise Http404
    response = HttpResponse(
        posters.poster_pdf(union_name, place, join_url(request, kind, obj.pk)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="join-poster-{kind}{obj.pk}.pdf"'
    return response
