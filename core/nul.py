"""The NUL character (U+0000) is refused wherever a request can carry it.

PostgreSQL cannot hold it in text (`DataError: text fields cannot contain NUL bytes`), so any value with
one that reached a query, a lookup by code or id, a search, a choice by slug, failed with a 500. Django's
and DRF's text fields refuse it already; the rest (paths, query parameters, the API's related fields and
JSON values) is refused here, before anything reads it, with where it was.
"""

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

from .api import API_PREFIX

NUL = "\x00"


class NulRefused(BadRequest):
    """A path, query parameter or form value with NUL: answered 400 with this message
    (core.views_errors)."""


def refuse_in_request(request) -> None:
    """Raise NulRefused when the request's path, a query parameter or a page's form value holds NUL
    (the API's bodies: core.api.parsers; files are not looked at)."""
    if NUL in request.path_info:
        raise NulRefused(_("地址含有空字符（U+0000），请求未处理。"))
    query = request.META.get("QUERY_STRING", "")
    if ("%00" in query or NUL in query) and (where := nul_at(request.GET)) is not None:
        raise NulRefused(_("查询参数「%(where)s」含有空字符（U+0000），请求未处理。") % {"where": where})
    if _page_form(request) and (where := nul_at(request.POST)) is not None:
        raise NulRefused(_("表单的「%(where)s」含有空字符（U+0000），请求未处理。") % {"where": where})


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _page_form(request) -> bool:
    # A page's form is read here as CSRF's check reads it anyway; the API's bodies are its parsers'.
    return request.content_type in FORMS and not request.path_info.startswith(API_PREFIX)


def nul_at(data, where: str = "") -> str | None:
    """Where in parsed request data (a QueryDict, or JSON's dicts and lists) the first NUL is, as
    `field`, `field[0].name` ("" for the data itself, a NUL in a name shown as \\0); None when there
    is none."""
    if isinstance(data, str):
        return where if NUL in data else None
    if hasattr(data, "lists"):  # a QueryDict: a field's values are its own, whichever holds it
        data = {key: "".join(values) for key, values in data.lists()}
    if isinstance(data, dict):
        for key, value in data.items():
            inside = f"{where}.{key}" if where else str(key)
            if NUL in str(key):
                return inside.replace(NUL, "\\0")
            if (found := nul_at(value, inside)) is not None:
                return found
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            if (found := nul_at(value, f"{where}[{index}]")) is not None:
                return found
    return None
