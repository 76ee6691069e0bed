from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("服务与活动")

    def ready(self):
        from .services import reads  # noqa: F401 (its receivers forget the sessions it kept)
