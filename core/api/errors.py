from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

JSON_ERROR = "JSON parse error - "
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def exception_handler(exc, context):
    # A write that lands outside the user's scope looks exactly like a missing object.
    request = context.get("request")
    if (
        isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied)
        and request
        and request.user.is_authenticated
    ):
        if getattr(context.get("view"), "access", "") == "scoped":
            exc = exceptions.NotFound()
    if isinstance(exc, Http404):  # get_object_or_404's message names the model in English
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith(JSON_ERROR):
        # DRF's text is not translated; the parser's own part says where (line, column).
        exc = exceptions.ParseError(_("请求内容不是有效的 JSON（%s）") % str(exc.detail)[len(JSON_ERROR) :])
    if isinstance(exc, exceptions.ValidationError) and _no_data(exc.detail):
        # DRF's words for a body of JSON null are hard-coded English.
        exc = exceptions.ValidationError({NON_FIELD: [_("没有提供数据：请求内容应为一个 JSON 对象")]})
    if isinstance(exc, IntegrityError):
        # The database's own message may quote stored values; say only what conflicts.
        exc = exceptions.ValidationError({"non_field_errors": [_("与已有记录冲突，未保存。")]})
    return drf_exception_handler(exc, context)


def _no_data(detail) -> bool:
    if not (isinstance(detail, dict) and list(detail) == [NON_FIELD] and len(detail[NON_FIELD]) == 1):
        return False
    (said,) = detail[NON_FIELD]
    return getattr(said, "code", None) == "null" and str(said) == "No data provided"


def refused(
    error: DjangoValidationError | DjangoPermissionDenied, fields: dict[str, str] | None = None
) -> exceptions.APIException:
    """A service's refusal as the API answers it: 403, per-field 400, or a 400 with a `detail`.
    `fields` renames the service's field names to the request's (the service's `reason` is the
    body's `note`), so a client finds the message under the name it sent."""
    if isinstance(error, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if hasattr(error, "error_dict"):
        fields = fields or {}
        return exceptions.ValidationError(
            {fields.get(k, k): [str(m) for m in v] for k, v in error.message_dict.items()}
        )
    return exceptions.ValidationError({"detail": " ".join(str(m) for m in error.messages)})
