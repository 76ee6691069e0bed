"""What the database says and takes in a bulk enrolment: who exists, card numbers, set-based writes.

One query per chunk answers who is already a person and a member (by keyed hash), or, for a file
larger than the people table, two statements read them all beforehand (Directory); the writers
put a chunk in with COPY (PostgreSQL) or executemany (SQLite), never a save per row.
"""

import datetime
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from ..choices import JoinChannel, MembershipStatus
from ..models import Membership, Person
from . import cards
from .import_rows import COPY_ESCAPES, NULL, GoodRow, RowError

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


PEOPLE_SQL = (
    "SELECT p.id_number_hash, p.id, m.union_id, u.name FROM members_person p "
    "LEFT JOIN members_membership m ON m.person_id = p.id AND m.status = 'active' "
    "LEFT JOIN orgs_union u ON u.id = m.union_id WHERE p.id_number_hash"
)
PHONES_SQL = "SELECT phone_hash, id_number_hash FROM members_person WHERE phone_hash"


def preload_max() -> int:
    return int(getattr(settings, "IMPORT_PRELOAD_MAX_PEOPLE", 200_000))


class Directory:
    """Every person's keyed hashes and active membership, read in two statements, for classify.

    For a file with more rows than there are people (a first enrolment, a district's yearly list
    into a young union), reading the whole table once costs a fraction of probing it with every
    row's hash chunk by chunk (10^5 rows: ~0.05 s against ~0.4 s a pass on PostgreSQL). Never for a
    table larger than the file or than IMPORT_PRELOAD_MAX_PEOPLE (memory): then `load` gives None and
    classify asks the database per chunk.
    """

    def __init__(self, people: dict, active: dict, phones: dict):
        self.people = people  # id hash -> person id
        self.active = active  # person id -> (union id, union name) of the active membership
        self.phones = phones  # phone hash -> id hash of its owner

    @classmethod
    def load(cls, file_rows: int, upto: int | None = None) -> "Directory | None":
        cap = min(file_rows, preload_max())
        extra = [upto] if upto is not None else []
        with connection.cursor() as cursor:
            # LIMIT cap + 1: a table larger than the cap is found out without reading it all.
            also = " AND p.id <= %s" if extra else ""
            cursor.execute(f"{PEOPLE_SQL} IS NOT NULL{also} LIMIT %s", [*extra, cap + 1])
            rows = cursor.fetchall()
            if len(rows) > cap:
                return None
            also = " AND id <= %s" if extra else ""
            cursor.execute(f"{PHONES_SQL} IS NOT NULL{also}", extra)
            phones = dict(cursor.fetchall())
        people = {id_hash: person_id for id_hash, person_id, _union, _name in rows}
        active = {pid: (union_id, name) for _h, pid, union_id, name in rows if union_id is not None}
        return cls(people, active, phones)

    @classmethod
    def ask(cls, rows: list[GoodRow], upto: int | None) -> "Directory":
        """The part of the directory that concerns `rows`: one query per kind."""
        people, active = {}, {}
        found = _matching(PEOPLE_SQL, [row.id_hash for row in rows], ("p.id", upto))
        for id_hash, person_id, union_id, union_name in found:
            people[id_hash] = person_id
            if union_id is not None:
                active[person_id] = (union_id, union_name)
        phones = dict(_matching(PHONES_SQL, [row.phone_hash for row in rows if row.phone_hash], ("id", upto)))
        return cls(people, active, phones)


def classify(
    good: list[GoodRow], union, seen: Seen | None, upto: int | None = None, directory: Directory | None = None
):
    """(new people, (existing person id, row) to enrol, rows already members here, errors).

    `seen`: the file's earlier rows, for duplicates within it (None: the rows are known to be distinct,
    as the staged rows the import reads are).

    `upto`: only people with an id up to it can match (those there before the import began; the
    file's own repeats are caught by `seen`). It keeps each lookup on the rows that were there:
    otherwise, as the import grows the table past what the planner's statistics know, it scans it.

    `directory`: every person, read beforehand (Directory.load); without it, one query per kind.
    """
    errors, rows = [], []
    if seen is None:
        rows = good
    else:
        for row in good:
            duplicate = seen.duplicate(row)
            if duplicate:
                errors.append(duplicate)
            else:
                rows.append(row)
    known = directory if directory is not None else Directory.ask(rows, upto)
    existing, active, phone_owner = known.people, known.active, known.phones
    new, enrol, already = [], [], []
    for row in rows:
        person_id = existing.get(row.id_hash)
        if row.phone_hash and row.phone_hash in phone_owner and phone_owner[row.phone_hash] != row.id_hash:
            errors.append(RowError(row.row, "phone", "phone_taken", row.phone_mask))
        elif person_id is None:
            new.append(row)
        elif person_id in active and active[person_id][0] == union.pk:
            already.append(row)
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
            Membership.objects.filter(card_number__range=cards.card_number_range(self.prefix))
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
    values: list = row.copy.split("\t")
    if "\\" in values[0]:
        values[0] = copy_unescape(values[0])
    if values[5] == NULL:
        values[5] = None
    return (*values, now, now)


def _membership_values(pid, union_id, card, day, reason, now) -> tuple:
    return (pid, union_id, MembershipStatus.ACTIVE, card, JoinChannel.COLLECTIVE, day, reason, now, now)


def bulk_min_rows() -> int:
    return int(getattr(settings, "IMPORT_BULK_MIN_ROWS", 20_000))


class SqliteWriter:
    """executemany; a person someone else created meanwhile is skipped by its hash (ON CONFLICT)."""

    bulk = False
    numbers_as_it_goes = True  # each chunk's people are inserted, then their ids read

    def begin(self, adding: int) -> None:
        pass

    def bulk_start(self) -> None:
        pass

    def bulk_finish(self) -> None:
        pass

    def people(self, chunks: Iterator[list[GoodRow]], count: int) -> list[int]:
        """Write the new people, chunk by chunk; their ids in order."""
        now = timezone.now()
        table = Person._meta.db_table
        sql = (
            f"INSERT INTO {table} ({', '.join(PERSON_COLUMNS)}) "  # noqa: S608 (our own column names)
            f"VALUES ({', '.join(['%s'] * len(PERSON_COLUMNS))}) ON CONFLICT DO NOTHING"
        )
        ids: list[int] = []
        for rows in chunks:
            if not rows:
                continue
            with connection.cursor() as cursor:
                cursor.executemany(sql, [_person_values(row, now) for row in rows])
            found = dict(
                _matching(
                    "SELECT id_number_hash, id FROM members_person WHERE id_number_hash",
                    [r.id_hash for r in rows],
                    ("id", None),
                )
            )
            ids.extend(found[row.id_hash] for row in rows)
        return ids

    def memberships(self, pids: list[int], union_id: int, numbers: "CardNumbers", day, reason: str) -> None:
        now = timezone.now()
        sql = (
            f"INSERT INTO {Membership._meta.db_table} ({', '.join(MEMBERSHIP_COLUMNS)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(MEMBERSHIP_COLUMNS))})"
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                sql, [_membership_values(pid, union_id, numbers.take(), day, reason, now) for pid in pids]
            )


class PostgresWriter:
    """COPY straight into the tables, with ids drawn from the sequence in one query per chunk.

    No ON CONFLICT: the rows were classified inside this transaction, so a conflict means another
    writer added the same person meanwhile; the import then fails whole and says so (nothing stays).
    COPY into a temporary table and INSERT … ON CONFLICT from it cost a third more on 10^6 rows.

    Bulk mode, for a batch at least as large as the people table already is (and at least
    IMPORT_BULK_MIN_ROWS): the two tables are locked (ACCESS EXCLUSIVE, for this transaction:
    nobody reads or writes people or memberships meanwhile; a lock not granted within
    LOCK_WAIT ends in the ordinary mode), their secondary indexes and unique constraints and the
    membership -> person foreign key are dropped once the rows are classified, and rebuilt, with the
    same names and definitions as read from the catalogue, after the last row: one sort per index
    and one join for the foreign key instead of 10^6 random index insertions and 10^6 key checks.
    The keys to unions and login accounts stay, though each row's deferred check costs (0.35 s a
    10^5 rows): dropping a key locks the table it points to (ACCESS EXCLUSIVE), and every request
    reads unions and accounts (tests/members/test_imports_speed.py holds the locks to the two tables).
    The rebuild checks uniqueness and the key again, so a violation still fails the whole import,
    and DDL is transactional: a failure anywhere leaves the tables, indexes and rows as before.
    """

    LOCK_WAIT = "10s"
    SORT_MEMORY = "256MB"  # for the index builds, this transaction only
    TABLES = ("members_person", "members_membership")

    def __init__(self):
        self.bulk = False
        self.indexes: list[str] = []  # CREATE INDEX statements to run again
        self.constraints: list[tuple[str, str, str]] = []  # (table, name, definition)

    @property
    def numbers_as_it_goes(self) -> bool:
        """people() may be given no count: in bulk mode the table lock keeps every other writer off
        the sequence, so ids are taken from it as the rows come and the sequence set after."""
        return self.bulk

    def begin(self, adding: int) -> None:
        """Decide the mode; in bulk mode take the locks now, before anything is read."""
        if adding < bulk_min_rows():
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Person._meta.db_table])
            (rows,) = cursor.fetchone()
            if rows < 0:  # never analysed
                cursor.execute(f"SELECT count(*) FROM {Person._meta.db_table}")  # noqa: S608
                (rows,) = cursor.fetchone()
            if adding < rows:
                return
            try:
                with transaction.atomic():
                    cursor.execute(f"SET LOCAL lock_timeout = '{self.LOCK_WAIT}'")
                    cursor.execute(f"LOCK TABLE {', '.join(self.TABLES)} IN ACCESS EXCLUSIVE MODE")
            except OperationalError:  # busy: the ordinary mode, which needs no table lock
                return
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
        self.bulk = True

    def bulk_start(self) -> None:
        """In bulk mode (once the rows are classified): drop what bulk_finish builds again."""
        if not self.bulk:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) "
                "AND (c.contype = 'u' OR (c.contype = 'f' AND c.conrelid = %s::regclass "
                "AND c.confrelid = %s::regclass)) ORDER BY c.contype, c.conname",
                [list(self.TABLES), Membership._meta.db_table, Person._meta.db_table],
            )
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "ORDER BY 1",
                [list(self.TABLES)],
            )
            indexes = cursor.fetchall()
            self.indexes = [definition for _name, definition in indexes]
            # A table with deferred key checks still queued (rows written earlier in a caller's
            # transaction) refuses ALTER TABLE: run them now, as bulk_finish does.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name, _definition in self.constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")

    def bulk_finish(self) -> None:
        if not self.bulk:
            return
        with connection.cursor() as cursor:
            # Deferred key checks still queued (the union's) would refuse an index build: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{self.SORT_MEMORY}'")
            for definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in reversed(self.constraints):  # the key (dropped first) last
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def people(self, chunks: Iterator[list[GoodRow]], count: int | None) -> list[int]:
        """COPY the new people, all chunks in one stream; their ids in order.

        The ids are drawn first (in bulk mode as one block: the table lock keeps every other writer
        off the sequence; with no count, from the next value on, the sequence set after the stream),
        so the COPY runs from the first chunk to the last while a thread of psycopg's
        (QueuedLibpqWriter) sends one chunk as the next is formatted here.
        """
        table = Person._meta.db_table
        with connection.cursor() as cursor:
            ids: Sequence[int] = ()
            if count is None:
                assert self.bulk, "ids drawn as the rows come need the table lock"
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
                (first,) = cursor.fetchone()
                ids = range(first, first + 2**62)
            elif count and self.bulk:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                    [table, table, count],
                )
                (last,) = cursor.fetchone()
                ids = range(last - count + 1, last + 1)
            elif count:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
            stamp = timezone.now().isoformat()
            tail = f"\t{stamp}\t{stamp}\n"
            sql = f"COPY {table} (id, {', '.join(PERSON_COLUMNS)}) FROM STDIN"
            at = 0
            with _copy(cursor, sql) as copy:
                for rows in chunks:
                    if rows:
                        # COPY's text format as the check prepared it (GoodRow.copy): adapting each
                        # value (write_row) cost more than the server's own work.
                        block = ids[at : at + len(rows)]
                        copy.write(
                            "".join(f"{pk}\t{row.copy}{tail}" for pk, row in zip(block, rows, strict=True))
                        )
                        at += len(rows)
            if count is None:
                if at:
                    sequence = "pg_get_serial_sequence(%s, 'id')"
                    cursor.execute(f"SELECT setval({sequence}, %s)", [table, ids[at - 1]])
                return list(ids[:at])
            if at != count:
                raise ValueError(f"{at} new people, {count} expected")
        return list(ids)

    def memberships(self, pids: list[int], union_id: int, numbers: "CardNumbers", day, reason: str) -> None:
        """COPY every membership in one stream, card numbers in order."""
        if not pids:
            return
        stamp = timezone.now().isoformat()
        middle = f"\t{union_id}\t{MembershipStatus.ACTIVE}\t"
        reason = reason.translate(COPY_ESCAPES)
        tail = f"\t{JoinChannel.COLLECTIVE}\t{day.isoformat()}\t{reason}\t{stamp}\t{stamp}\n"
        sql = f"COPY {Membership._meta.db_table} ({', '.join(MEMBERSHIP_COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, _copy(cursor, sql) as copy:
            for start in range(0, len(pids), 10_000):
                copy.write(
                    "".join(f"{pid}{middle}{numbers.take()}{tail}" for pid in pids[start : start + 10_000])
                )


@contextmanager
def _copy(cursor, sql: str):
    """COPY … FROM STDIN whose writes return at once: a thread sends them while the caller goes on."""
    raw = cursor.cursor
    with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
        yield copy


_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ESCAPED = re.compile(r"\\(.)")


def copy_unescape(value: str) -> str:
    """The text COPY_ESCAPES escaped."""
    return _ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), value)
