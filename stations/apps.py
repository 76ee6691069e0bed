from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("服务站点")

    def ready(self) -> None:
        from core.counters import counter

        from .models import Station

        counter(
            _("服务站点（含下级）"),
            lambda union: Station.objects.filter(union__path__subtree=union.path, active=True).count(),
        )
