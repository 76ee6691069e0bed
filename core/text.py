"""Small pieces of text in the request's language, for code that joins words itself."""

from django.utils.translation import pgettext


def list_separator() -> str:
    """「、」 in Chinese, ", " in English (templates: {% translate "、" context "list separator" %})."""
    return pgettext("list separator", "、")
