"""`{% station_visits_summary station as summary %}`: a station's last 30 days, for its console page."""

import datetime

from django import template
from django.utils import timezone

from ..services import visit_stats

register = template.Library()


@register.simple_tag
def station_visits_summary(station) -> visit_stats.Figures:
    today = timezone.localdate()
    return visit_stats.station_figures(station, today - datetime.timedelta(days=29), today)
