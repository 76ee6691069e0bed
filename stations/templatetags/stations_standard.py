"""The unified standard's block on a station's page (`stations/_standard_summary.html`)."""

from django import template

from core.scoping import CHANGE, VIEW

from ..models import Inspection, Station
from ..services import standard as services

register = template.Library()


@register.simple_tag(takes_context=True)
def standard_summary(context, station: Station) -> dict:
    """What the station's page shows of the standard, as the signed-in user may see it."""
    user = context["request"].user
    inspections = Inspection.objects.restrict(user, VIEW).filter(station=station)
    latest = inspections.select_related("checklist", "inspector").order_by("-inspected_on", "-pk").first()
    return {
        "latest": latest,
        "failing": list(services.failing_scores(latest)) if latest else [],
        "overdue": bool(latest and services.is_overdue(latest)),
        "count": inspections.count(),
        "checklist": services.checklist_for(station),
        "can_inspect": Station.objects.restrict(user, CHANGE).filter(pk=station.pk).exists(),
    }
