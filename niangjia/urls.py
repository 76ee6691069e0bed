from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from core import access
from core.admin_site import superuser_only
from core.views_health import health

superuser_only(admin.site)
set_language.access = access.PUBLIC

urlpatterns = [
    # The API first: apps call it far more often than people open pages, and the portal's 44
    # patterns (its prefix is empty) are tried before anything after them.
    path("api/v1/", include("niangjia.api_urls")),
    path("", include("portal.urls")),
    path("console/", include("reports.urls")),
    path("console/", include("orgs.urls")),
    path("console/", include("members.urls")),
    path("console/", include("stations.urls")),
    path("console/", include("programs.urls")),
    path("console/", include("rights.urls")),
    path("console/", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("django-admin/", admin.site.urls),
    path("healthz", health, name="health"),
]

handler400 = "core.views_errors.bad_request"
handler404 = "core.views_errors.not_found"
handler500 = "core.views_errors.server_error"
