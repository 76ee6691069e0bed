"""What the database says and takes in a bulk enrolment: who exists, card numbers, set-based writes.

One query per chunk answers who is already a person and a member (by keyed hash); the writers
put a chunk in with COPY (PostgreSQL) or executemany (SQLite), never a save per row.
"""

import datetime

from django.db import connection
from django.utils import timezone

from ..choices import JoinChannel, MembershipStatus
from ..models import Membership, Person
from . import cards
from .import_rows import GoodRow, RowError

TRANSFER_CODE = "member_elsewhere"


class Seen:
    """Where each ID number and phone first appeared in the file (64-bit keys keep 10^6 rows small)."""

    def __init__(self):
        self.ids: dict[int, int] = {}
        self.phones: dict[int, int] = {}

    def duplicate(self, row: GoodRow) -> RowError | None:
        key = int(row.id_hash[:16], 16)
        first = self.ids.setdefault(key, row.row)
        if first != row.row:
            return RowError(row.row, "id_number", "duplicate_id", row.id_mask, (first,))
        if row.phone_hash:
            key = int(row.phone_hash[:16], 16)
            first = self.phones.setdefault(key, row.row)
            if first != row.row:
                return RowError(row.row, "phone", "duplicate_phone", row.phone_mask, (first,))
        return None


def classify(good: list[GoodRow], union, seen: Seen, upto: int | None = None):
    """(new people, (existing person id, row) to enrol, already members here, errors): one query per kind.

    `upto`: only people with an id up to it can match (those there before the import began; the
    file's own repeats are caught by `seen`). It keeps each lookup on the rows that were there:
    otherwise, as the import grows the table past what the planner's statistics know, it scans it.
    """
    errors, rows = [], []
    for row in good:
        duplicate = seen.duplicate(row)
        if duplicate:
            errors.append(duplicate)
        else:
            rows.append(row)
    existing, active = {}, {}
    for id_hash, person_id, union_id, union_name in _matching(
        "SELECT p.id_number_hash, p.id, m.union_id, u.name FROM members_person p "
        "LEFT JOIN members_membership m ON m.person_id = p.id AND m.status = 'active' "
        "LEFT JOIN orgs_union u ON u.id = m.union_id WHERE p.id_number_hash",
        [row.id_hash for row in rows],
        ("p.id", upto),
    ):
        existing[id_hash] = person_id
        if union_id is not None:
            active[person_id] = (union_id, union_name)
    phone_owner = dict(
        _matching(
            "SELECT phone_hash, id_number_hash FROM members_person WHERE phone_hash",
            [row.phone_hash for row in rows if row.phone_hash],
            ("id", upto),
        )
    )
    new, enrol, already = [], [], 0
    for row in rows:
        person_id = existing.get(row.id_hash)
        if row.phone_hash and row.phone_hash in phone_owner and phone_owner[row.phone_hash] != row.id_hash:
            errors.append(RowError(row.row, "phone", "phone_taken", row.phone_mask))
        elif person_id is None:
            new.append(row)
        elif person_id in active and active[person_id][0] == union.pk:
            already += 1
        elif person_id in active:
            errors.append(RowError(row.row, "id_number", TRANSFER_CODE, row.id_mask, (active[person_id][1],)))
        else:
            enrol.append((person_id, row))
    return new, enrol, already, errors


def _matching(select: str, values: list[str], upto: tuple[str, int | None]) -> list[tuple]:
    """`select` ending in a column, for rows whose column is one of `values`: one query per chunk.

    PostgreSQL gets the values as one array parameter (10^4 separate placeholders cost more to
    build than the indexed lookup itself); SQLite's IN list is cut to its variable limit.
    `upto` = (id column, highest id to consider, or None for all).
    """
    if not values:
        return []
    column, highest = upto
    also, extra = (f" AND {column} <= %s", [highest]) if highest is not None else ("", [])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The values are hex digests: one array literal, instead of adapting 10^4 list items.
            cursor.execute(f"{select} = ANY(%s::text[]){also}", ["{" + ",".join(values) + "}", *extra])
            return cursor.fetchall()
        found = []
        for start in range(0, len(values), 5000):
            part = values[start : start + 5000]
            cursor.execute(f"{select} IN ({', '.join(['%s'] * len(part))}){also}", [*part, *extra])
            found.extend(cursor.fetchall())
        return found


class CardNumbers:
    """Card numbers of the form members.services.cards gives one at a time, handed out in a run.

    The region row is locked for the transaction, so a concurrent import in the same region waits;
    a concurrent single join that picks the same number retries (cards.create_membership).
    """

    def __init__(self, union, day: datetime.date):
        from orgs.models import Region

        if union.region_id:
            list(Region.objects.select_for_update().filter(pk=union.region_id))
        self.prefix = cards.card_number_prefix(union, day)
        digits = cards.CARD_SEQUENCE_DIGITS
        last = (
            Membership.objects.filter(
                card_number__gte=self.prefix + "0" * digits, card_number__lte=self.prefix + "9" * digits
            )
            .order_by("-card_number")
            .values_list("card_number", flat=True)
            .first()
        )
        tail = last[len(self.prefix) :] if last else ""
        self.next = int(tail) + 1 if tail.isdigit() and len(tail) == digits else 1
        self.digits = digits

    def take(self) -> str:
        number = f"{self.prefix}{self.next:0{self.digits}d}"
        self.next += 1
        return number


PERSON_COLUMNS = (
    "name",
    "id_number_cipher",
    "id_number_hash",
    "id_number_mask",
    "phone_cipher",
    "phone_hash",
    "phone_mask",
    "birth_date",
    "gender",
    "id_region_code",
    "employment_form",
    "created_at",
    "updated_at",
)
MEMBERSHIP_COLUMNS = (
    "person_id",
    "union_id",
    "status",
    "card_number",
    "channel",
    "joined_on",
    "reason",
    "created_at",
    "updated_at",
)


def _person_values(row: GoodRow, now) -> tuple:
    return (
        row.name,
        row.id_cipher,
        row.id_hash,
        row.id_mask,
        row.phone_cipher,
        row.phone_hash,
        row.phone_mask,
        row.birth_date,
        row.gender,
        row.region_code,
        row.employment_form,
        now,
        now,
    )


def _membership_values(pid, union_id, card, day, reason, now) -> tuple:
    return (pid, union_id, MembershipStatus.ACTIVE, card, JoinChannel.COLLECTIVE, day, reason, now, now)


class SqliteWriter:
    """executemany; a person someone else created meanwhile is skipped by its hash (ON CONFLICT)."""

    def people(self, rows: list[GoodRow]) -> dict[str, int]:
        now = timezone.now()
        table = Person._meta.db_table
        sql = (
            f"INSERT INTO {table} ({', '.join(PERSON_COLUMNS)}) "  # noqa: S608 (our own column names)
            f"VALUES ({', '.join(['%s'] * len(PERSON_COLUMNS))}) ON CONFLICT DO NOTHING"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, [_person_values(row, now) for row in rows])
        return dict(
            _matching(
                "SELECT id_number_hash, id FROM members_person WHERE id_number_hash",
                [r.id_hash for r in rows],
                ("id", None),
            )
        )

    def memberships(self, rows: list[tuple]) -> None:
        now = timezone.now()
        sql = (
            f"INSERT INTO {Membership._meta.db_table} ({', '.join(MEMBERSHIP_COLUMNS)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(MEMBERSHIP_COLUMNS))})"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, [_membership_values(*row, now) for row in rows])


class PostgresWriter:
    """COPY straight into the table, with ids drawn from its sequence in one query per chunk.

    No ON CONFLICT: the rows were classified inside this transaction, so a conflict means another
    writer added the same person meanwhile; the import then fails whole and says so (nothing stays).
    COPY into a temporary table and INSERT … ON CONFLICT from it cost a third more on 10^6 rows.
    """

    def people(self, rows: list[GoodRow]) -> dict[str, int]:
        stamp = timezone.now().isoformat()
        table = Person._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            # COPY's text format written directly: adapting each value (write_row) cost more than the
            # server's own work. Only the name is free text; every other value is ours (hex, base64,
            # digits, masks, codes, ISO dates) and holds no tab, newline or backslash.
            lines = [
                "\t".join(
                    (
                        str(pk),
                        row.name.translate(_COPY_ESCAPES),
                        row.id_cipher,
                        row.id_hash,
                        row.id_mask,
                        row.phone_cipher,
                        row.phone_hash or "\\N",
                        row.phone_mask,
                        row.birth_date,
                        row.gender,
                        row.region_code,
                        row.employment_form,
                        stamp,
                        stamp,
                    )
                )
                for pk, row in zip(ids, rows, strict=True)
            ]
            with cursor.cursor.copy(f"COPY {table} (id, {', '.join(PERSON_COLUMNS)}) FROM STDIN") as copy:
                copy.write("\n".join(lines) + "\n")
        return {row.id_hash: pk for pk, row in zip(ids, rows, strict=True)}

    def memberships(self, rows: list[tuple]) -> None:
        stamp = timezone.now().isoformat()
        columns = ", ".join(MEMBERSHIP_COLUMNS)
        fixed = f"{MembershipStatus.ACTIVE}\t{{}}\t{JoinChannel.COLLECTIVE}"
        lines = [
            f"{pid}\t{union_id}\t{fixed.format(card)}\t{day.isoformat()}\t{reason.translate(_COPY_ESCAPES)}"
            f"\t{stamp}\t{stamp}"
            for pid, union_id, card, day, reason in rows
        ]
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {Membership._meta.db_table} ({columns}) FROM STDIN") as copy:
                copy.write("\n".join(lines) + "\n")


# One pass per value (translate), so an escape it writes is never escaped again.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
