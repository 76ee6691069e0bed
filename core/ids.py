"""A database id as a request names it: in a path (`<id:pk>`), a query parameter or a form's hidden
field. It is a whole number of ASCII digits from 1 to 2**63 - 1 (a bigint), or it names nothing.

Two ways a looser reading failed with a 500: `str.isdigit()` is true for "²", which int() refuses,
and SQLite cannot compare a number past 64 bits with a column (Django guards a `pk=` lookup, not a
foreign key's `user_id=`), so `/console/stations/1/keepers/99999999999999999999/remove/` broke there.
"""

from django.urls import register_converter
from django.urls.converters import IntConverter

ID_RANGE = (1, 2**63 - 1)


def id_from(text) -> int | None:
    """The id `text` names, or None when it names none (not digits, out of range, missing)."""
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if ID_RANGE[0] <= number <= ID_RANGE[1] else None


class IdConverter(IntConverter):
    """`<id:pk>` in a URL pattern: an id (id_from), else the pattern does not match (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = id_from(value)
        if number is None:
            raise ValueError(value)  # the resolver's "no match"
        return number


def register_converters() -> None:
    register_converter(IdConverter, "id")
