"""Error pages: the API answers its errors in JSON like every other API answer, pages in HTML."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.exceptions import NotFound

API_PREFIX = "/api/"


def not_found(request, exception=None):
    """A path under /api/ that no endpoint answers (a mistyped step) gets DRF's JSON 404."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("服务器出错，请稍后再试。")}, status=500)
    return defaults.server_error(request)
