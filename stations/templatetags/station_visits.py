"""`{% station_visits_summary station as summary %}`: a station's last 30 days, for its console page."""

import datetime

from django import template
from django.utils import timezone

from ..services import visit_stats
from ..services import visits as services

register = template.Library()


@register.simple_tag(takes_context=True)
def station_visits_summary(context, station) -> visit_stats.Figures:
    today = timezone.localdate()
    figures = visit_stats.station_figures(station, today - datetime.timedelta(days=29), today)
    request = context.get("request")
    # Keepers and service officials get the link to the phone page where services are recorded.
    figures.may_record = request is not None and services.may_record(request.user, station)
    return figures
