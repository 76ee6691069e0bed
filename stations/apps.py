from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("服务站点")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import Role
        from core.counters import counter

        from .models import Station
        from .services import registry as services

        # Roles are revoked (active=False), not deleted; a revoked keeper's uncovered stations are released.
        post_save.connect(services.on_role_saved, sender=Role, dispatch_uid="stations-keeper-role-saved")

        counter(
            _("服务站点（含下级）"),
            lambda union: Station.objects.filter(union__path__subtree=union.path, active=True).count(),
        )
        # Kept by services.standard from each station's latest inspection.
        counter(
            _("未达标站点（含下级）"),
            lambda union: Station.objects.filter(
                union__path__subtree=union.path, active=True, below_standard=True
            ).count(),
        )
