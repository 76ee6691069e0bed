"""Bulk enrolment's fast paths give the same answers as the plain ones: the quote-free CSV split in
the workers, the row checks' own ID parser and keyed hash, the directory read beforehand, the worker
pool, and PostgreSQL's bulk mode (indexes and constraints dropped and rebuilt)."""

import csv
import io

import pytest
from django.db import connection

from core import pii
from members.models import Membership, Person
from members.services import imports
from members.services.import_files import open_sheet
from members.services.import_rows import _fast_id, _hasher, text_rows

from .. import factories
from .test_imports import _reject_card_number, card_number, csv_bytes, good_rows, report, upload

TRICKY = (
    "姓名,身份证号,手机号\r\n"
    "张三 , 110101199003070014 ,13800000000\r\n"
    "\r\n"
    ",,\r\n"
    " \r\n"
    "李四,110101199003070022\r\n"
    "王五,110101199003070030,13800000001,多出的列\r\n"
    "赵\t六,110101199003070049,\r\n"
    "末行无换行,110101199003070057,13800000002"
)


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_quote_free_csv_is_split_as_csv_reader_splits_it(size):
    sheet = open_sheet(TRICKY.encode(), "名单.csv")
    assert sheet.text is not None and sheet.headings == ["姓名", "身份证号", "手机号"]
    expected = [
        (line, [cell.strip() for cell in cells])
        for line, cells in (
            (reader.line_num, cells)
            for reader in [csv.reader(io.StringIO(TRICKY, newline=""))]
            for cells in reader
        )
        if any(cells) and line > 1
    ]
    split = [row for start, end, line in sheet.spans(size) for row in text_rows(sheet.text, start, end, line)]
    assert split == expected
    assert [number for number, _cells in split] == [2, 5, 6, 7, 8, 9]


def test_quotes_or_lone_carriage_returns_keep_the_csv_reader():
    assert open_sheet('姓名,身份证号\r\n"张,三",1\r\n'.encode(), "a.csv").text is None
    assert open_sheet("姓名,身份证号\r张三,1\r".encode(), "a.csv").text is None
    assert open_sheet("姓名,身份证号\n张三,1\n".encode(), "a.csv").text is not None


@pytest.fixture
def organiser(tree):
    return factories.official("organiser", "organisation", tree["town_a"])


@pytest.mark.parametrize("key", ["a-short-key", "k" * 64, "长" * 40])  # <, =, > a block
def test_the_row_hash_is_the_keyed_hash(settings, key):
    settings.PII_HMAC_KEY = key
    for kind in ("id", "phone"):
        digest = _hasher(kind)
        for value in ("110101199003070014", "13800000000", "", "X" * 200):
            assert digest(value) == pii.lookup_hash(kind, value)


def test_the_fast_id_parser_agrees_with_parse_id_number():
    import datetime
    import random

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    rng = random.Random(7)
    today = timezone.localdate()
    numbers = [factories.id_number() for _ in range(200)]
    numbers += [n[:17] + rng.choice("0123456789X") for n in numbers[:100]]  # some check characters wrong
    numbers += ["110101199002300011", "110101" + f"{today + datetime.timedelta(days=1):%Y%m%d}" + "0011"]
    numbers += ["990101199003070014", "11010119900307001x", "11010119900307001", "1101011990030700144"]
    agreed = 0
    for number in numbers:
        fast = _fast_id(number, today)
        try:
            slow = pii.parse_id_number(number)
        except ValidationError:
            assert fast is None, number
            continue
        if fast is not None:  # None only says "ask parse_id_number"
            assert fast == (slow.value, slow.birth_date.isoformat(), slow.gender, slow.region_code)
            agreed += 1
    assert agreed >= 200


@pytest.mark.parametrize("chunk", [3, 100])
@pytest.mark.parametrize("bulk", [False, True])
def test_the_directory_read_beforehand_classifies_as_the_queries_do(tree, organiser, settings, chunk, bulk):
    """A file larger than the people table classifies against every person read at once (and the import
    sorts and writes its rows in one pass); the same file against the per-chunk queries
    (IMPORT_PRELOAD_MAX_PEOPLE = 0, two passes) gives the same check and import, in PostgreSQL's
    bulk mode or not."""
    settings.IMPORT_BULK_MIN_ROWS = 0 if bulk else 10**9
    here = factories.member(tree["site_a"], "本会会员")
    elsewhere = factories.member(tree["site_b"], "外会会员")
    former = factories.member(tree["site_b"], "已退会")
    former.memberships.update(status="left")
    taken = factories.member(tree["site_b"], "占用手机号")
    rows = good_rows(12)
    rows[1][1] = here.decrypted("id_number")
    rows[4][1] = elsewhere.decrypted("id_number")
    rows[6][1] = former.decrypted("id_number")
    rows[8][2] = taken.decrypted("phone")
    rows[10][1] = rows[0][1]  # a duplicate within the file
    data = csv_bytes(rows)
    settings.IMPORT_CHUNK_ROWS = chunk
    fields = ("total_rows", "valid_rows", "error_rows", "transfer_rows")
    results = []
    for preload in (0, 10**6):
        settings.IMPORT_PRELOAD_MAX_PEOPLE = preload
        batch = upload(tree["site_a"], data, organiser)
        checked = ([getattr(batch, f) for f in fields], report(batch))
        imports.decide(batch, True, organiser)
        batch.refresh_from_db()
        result = dict(batch.job.result)
        result.pop("mode")  # bulk or not as the table's size estimate says; the same rows either way
        results.append((checked, batch.status, result))
        Membership.objects.filter(reason=f"批量入会 #{batch.pk}").delete()
        Person.objects.filter(memberships__isnull=True).exclude(pk=former.pk).delete()
    assert results[0] == results[1]
    (counts, _report), status, result = results[0]
    assert counts == [12, 8, 2, 1] and status == "done"
    assert (result["people"], result["enrolled"], result["already"]) == (7, 1, 1)


def mixed_rows(n: int) -> list[list[str]]:
    rows = good_rows(n)
    rows[3][1] = rows[3][1][:17] + ("0" if rows[3][1][17] != "0" else "1")  # check character
    rows[5][2] = "1380000"  # phone
    rows[7] = [*rows[7][:1], rows[2][1], *rows[7][2:]]  # duplicate of row 4's number
    return rows


def test_worker_pool_gives_the_same_check_as_one_process(tree, organiser, settings):
    data = csv_bytes(mixed_rows(40))
    settings.IMPORT_WORKERS = 1
    serial = upload(tree["site_a"], data, organiser)
    settings.IMPORT_WORKERS, settings.IMPORT_PARALLEL_MIN_BYTES, settings.IMPORT_CHUNK_ROWS = 2, 0, 7
    pooled = upload(tree["site_a"], data, organiser)
    fields = ("total_rows", "valid_rows", "error_rows", "transfer_rows", "status")
    assert (
        [getattr(pooled, f) for f in fields]
        == [getattr(serial, f) for f in fields]
        == [40, 37, 3, 0, "checked"]
    )
    assert report(pooled) == report(serial)
    imports.decide(pooled, True, organiser)
    pooled.refresh_from_db()
    assert (pooled.status, pooled.imported_rows) == ("done", 37)
    person = Person.objects.get(name="王〇")
    assert pii.decrypt(person.id_number_cipher) == data.decode().split("\r\n")[1].split(",")[1]


def catalogue() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid IN ('members_person'::regclass, 'members_membership'::regclass) "
            "UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('members_person', 'members_membership')"
        )
        return sorted(cursor.fetchall())


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk mode")


@postgres_only
@pytest.mark.parametrize("preload", [0, 10**6])  # two passes (ids drawn first), one pass (ids as they come)
def test_bulk_mode_rebuilds_every_index_and_constraint_as_it_was(tree, organiser, settings, preload):
    settings.IMPORT_BULK_MIN_ROWS = 0
    settings.IMPORT_PRELOAD_MAX_PEOPLE = preload
    before = catalogue()
    assert len(before) > 20
    batch = upload(tree["site_a"], csv_bytes(good_rows(30)), organiser)
    imports.decide(batch, True, organiser)
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows, batch.job.result["mode"]) == ("done", 30, "bulk")
    assert catalogue() == before
    cards = list(Membership.objects.filter(reason=f"批量入会 #{batch.pk}").order_by("person__pk"))
    assert [m.card_number for m in cards] == [card_number(n) for n in range(1, 31)]
    # The sequence was moved past the people numbered in the stream: the next person gets a new id.
    assert factories.member(tree["site_a"], "之后").pk > max(m.person_id for m in cards)
    # The rebuilt unique constraints hold: the same number again is refused by the database.
    with pytest.raises(Exception, match="members_person_one_id_number"):
        Person.objects.create(name="重复", id_number_hash=cards[0].person.id_number_hash)


@postgres_only
def test_bulk_mode_locks_no_table_but_people_and_memberships(tree, organiser, settings, monkeypatch):
    # Dropping a foreign key locks the table it points to: the keys to unions and login accounts stay,
    # or every request (they all read those tables) would wait for the import to commit.
    from members.services.import_db import PostgresWriter

    settings.IMPORT_BULK_MIN_ROWS = 0
    locked = []
    finish = PostgresWriter.bulk_finish

    def watched(writer):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = pg_backend_pid() AND l.mode = 'AccessExclusiveLock' AND c.relkind = 'r'"
            )
            locked.extend(name for (name,) in cursor.fetchall())
        finish(writer)

    monkeypatch.setattr(PostgresWriter, "bulk_finish", watched)
    batch = upload(tree["site_a"], csv_bytes(good_rows(30)), organiser)
    imports.decide(batch, True, organiser)
    batch.refresh_from_db()
    assert (batch.status, batch.job.result["mode"]) == ("done", "bulk")
    assert sorted(set(locked)) == ["members_membership", "members_person"]


@postgres_only
def test_bulk_mode_failure_leaves_rows_indexes_and_constraints_as_before(tree, organiser, settings):
    settings.IMPORT_BULK_MIN_ROWS = 0
    settings.IMPORT_CHUNK_ROWS = 4
    batch = upload(tree["site_a"], csv_bytes(good_rows(10)), organiser)
    before = (catalogue(), list(Person.objects.values()), list(Membership.objects.values()))
    _reject_card_number(card_number(7))
    imports.decide(batch, True, organiser)
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows) == ("failed", 0)
    assert (catalogue(), list(Person.objects.values()), list(Membership.objects.values())) == before


@postgres_only
def test_ordinary_mode_below_the_threshold(tree, organiser, settings):
    settings.IMPORT_BULK_MIN_ROWS = 1000
    batch = upload(tree["site_a"], csv_bytes(good_rows(5)), organiser)
    imports.decide(batch, True, organiser)
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows, batch.job.result["mode"]) == ("done", 5, "ordinary")
