"""The API's request parsers: DRF's, refusing NUL in any value (core.nul) with where it is."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from ..nul import nul_at


class _RefusingNul:
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        data = parsed.data if isinstance(parsed, parsers.DataAndFiles) else parsed
        where = nul_at(data)
        if where:
            said = _("请求内容的「%(where)s」含有空字符（U+0000），请求未处理。")
            raise ParseError(said % {"where": where})
        if where is not None:
            raise ParseError(_("请求内容含有空字符（U+0000），请求未处理。"))
        return parsed


class JSONParser(_RefusingNul, parsers.JSONParser):
    pass


class FormParser(_RefusingNul, parsers.FormParser):
    pass


class MultiPartParser(_RefusingNul, parsers.MultiPartParser):
    """Uploaded files' bytes are not looked at: only the form's values."""
