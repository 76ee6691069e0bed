"""A materialised-path field whose subtree lookup is one indexed query on every engine."""

from django.db import models
from django.db.models import Lookup

# Paths are fixed-width base-36 segments, each closed by this separator, so
# "this node and all below it" is every path that starts with the node's path.
SEPARATOR = "."
SEGMENT_WIDTH = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def segment(number: int) -> str:
    """Encode a 1-based sibling number as a fixed-width base-36 segment."""
    if not 0 < number < len(ALPHABET) ** SEGMENT_WIDTH:
        raise ValueError("sibling number out of range")
    digits = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(SEGMENT_WIDTH, "0") + SEPARATOR


def segment_number(text: str) -> int:
    return int(text.rstrip(SEPARATOR), 36)


class PathField(models.CharField):
    """Materialised path of a tree node ("0001.0003.")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)


@PathField.register_lookup
class Subtree(Lookup):
    """`path__subtree=p`: the node at p and everything under it.

    PostgreSQL answers `LIKE 'p%'` from a varchar_pattern_ops index whatever the
    database collation; SQLite's LIKE is case-insensitive and skips the index, so
    there the same set is asked as the half-open range [p, p + 1), which its
    binary-collated index answers. Paths only hold [0-9A-Z.], so both agree.
    """

    lookup_name = "subtree"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = self.rhs
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{lhs} LIKE %s", [*lhs_params, escaped + "%"]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = self.rhs
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, *lhs_params, upper]
