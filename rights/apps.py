from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def lawyer_duty_section(station, request):
    """The station page's "律师驻站" section: the next duty days of pro bono lawyers there."""
    from .services.legal import upcoming_duty_days

    days = upcoming_duty_days(station)
    if not days:
        return None
    return {
        "title": _("公益律师驻站"),
        "template": "rights/duty_station_section.html",
        "context": {"days": days},
        "order": 50,
    }


class RightsConfig(AppConfig):
    name = "rights"
    verbose_name = _("权益保障")

    def ready(self) -> None:
        from stations import sections

        sections.register(lawyer_duty_section)

        from django.db.models import Q
        from django.utils import timezone

        from core.counters import counter

        from .models import MutualAidEnrollment

        # People whose mutual-aid cover runs today, enrolled by the union's subtree.
        counter(
            _("医疗互助在保人数（含下级）"),
            lambda union: MutualAidEnrollment.objects.filter(
                Q(coverage_starts_on__lte=timezone.localdate())
                & Q(coverage_ends_on__gte=timezone.localdate()),
                union__path__subtree=union.path,
            ).count(),
        )
