"""Error pages: the API answers its errors in JSON like every other API answer, pages in HTML."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.exceptions import NotFound

from .api import API_PREFIX
from .nul import NulRefused


def bad_request(request, exception=None):
    """Our own refusals say what was wrong; anything else Django refuses (a bad Host header…) is not
    echoed back."""
    said = str(exception) if isinstance(exception, NulRefused) else None
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": said or _("请求无效。")}, status=400)
    if said:
        return HttpResponseBadRequest(said, content_type="text/plain; charset=utf-8")
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    """A path under /api/ that no endpoint answers (a mistyped step) gets DRF's JSON 404."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("服务器出错，请稍后再试。")}, status=500)
    return defaults.server_error(request)
