from django.utils.translation import gettext_lazy as _


def superuser_only(site) -> None:
    """Django admin is a superuser's tool; officials work in the console, where scoping applies."""
    site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
    site.site_header = _("娘家 · 系统管理")
