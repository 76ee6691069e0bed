from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from . import history  # noqa: F401  (connects the change-recording signals)
        from .ids import register_converters

        register_converters()  # before any URLconf is read: every id in a path is `<id:…>`
