from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


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
    if isinstance(exc, IntegrityError):
        # The database's own message may quote stored values; say only what conflicts.
        exc = exceptions.ValidationError({"non_field_errors": [_("与已有记录冲突，未保存。")]})
    return drf_exception_handler(exc, context)
