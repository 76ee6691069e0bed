"""Bulk enrolment (批量入会) against django-import-export's bulk mode, a million-row file, and the ID check.

    python bench/bulk_enrolment.py [--db postgres|sqlite] [--rows 100000] [--big 1000000] [-n 2000]

In a scratch database (PostgreSQL `nj_bench_<random>`, dropped at the end even on
error; or a temporary SQLite file) migrated from scratch, with a small union tree and
1,000 people already members (some of the file's rows meet them):

1. The same 10^5-row CSV (GBK, as Chinese Excel saves it; 1% bad ID check characters,
   1% already members elsewhere, 1% already members here) is imported twice, from an
   empty set of new people each time: by our pipeline (upload encrypted, check every row
   and de-duplicate, import the valid rows in one transaction: people AND memberships
   with card numbers) and by django-import-export's `ModelResource` with `use_bulk=True`
   (validated and encrypted by the model's own setters in `before_save_instance`,
   de-duplicated by `import_id_fields = ["id_number_hash"]`, and each batch of people it
   creates gets its memberships in its `bulk_create`: the same job, done as its user would).
   Both figures are printed with their ratio (target >= 20x).
2. A 10^6-row CSV end to end on PostgreSQL: upload, check, import (target <= 60 s).
3. "Is this ID number already a member?": parse, keyed hash, one indexed query; p50/p99
   over N numbers (target <= 2 ms), beside a bare `SELECT 1`.

It is not a test: it measures, prints and cleans up.
"""

import argparse
import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _scratch import clean_up, scratch_database, scratch_environment

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
RATIO_TARGET, BIG_TARGET_S, LOOKUP_TARGET_MS = 20.0, 60.0, 2.0
HEAD = "姓名,身份证号,手机号,就业形态"
FORMS = ["快递员", "外卖配送员", "网约车司机", "货车司机", "家政服务员", "环卫工人", ""]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


# --------------------------------------------------------------------------- data


def id_number(i: int, region: str = "330621") -> str:
    """The i-th distinct valid number: one birth day per thousand, the order within it."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=i // 1000)
    first17 = f"{region}{birth:%Y%m%d}{i % 1000:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def spelled(i: int) -> str:
    """i in Chinese numerals, digit by digit (12 -> 一二): a name holds no digit (core.pii.name_problem)."""
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(i))


def make_csv(n: int, offset: int, members_here: list[str], members_elsewhere: list[str]) -> bytes:
    """n rows: mostly new people; every 100th a bad check character, an existing member here or elsewhere."""
    lines = [HEAD]
    for i in range(n):
        k = offset + i
        number, phone = id_number(k), f"15{k:09d}"
        if i % 100 == 17:
            number = number[:17] + ("0" if number[17] != "0" else "1")
        elif i % 100 == 53 and members_here:
            number, phone = members_here[(i // 100) % len(members_here)], ""
        elif i % 100 == 71 and members_elsewhere:
            number, phone = members_elsewhere[(i // 100) % len(members_elsewhere)], ""
        lines.append(f"职工{spelled(k % 9973)},{number},{phone},{FORMS[k % len(FORMS)]}")
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


# --------------------------------------------------------------------------- inside Django


def setup_district():
    from core.pii import check_character  # noqa: F401  (keys load once, before timing)
    from members.models import Membership, Person
    from orgs.models import Region, Union
    from tests import factories

    province = Region.objects.get_or_create(code="330000", defaults={"name": "浙江省", "level": "province"})[
        0
    ]
    county = Region.objects.get_or_create(
        code="330603", defaults={"name": "柯桥区", "level": "county", "parent": province}
    )[0]
    district = Union.objects.create(name="柯桥区总工会", kind="federation", region=county)
    here = Union.objects.create(name="快递行业工会", kind="industry", parent=district, region=county)
    elsewhere = Union.objects.create(
        name="华舍街道总工会", kind="town_federation", parent=district, region=county
    )
    user = factories.official("bench", "organisation", district)
    people, numbers = [], {"here": [], "elsewhere": []}
    for i in range(1000):
        number = id_number(9_000_000 + i, region="330602")
        person = Person(name=f"老会员{i}")
        person.set_id_number(number)
        people.append(person)
        numbers["here" if i % 2 else "elsewhere"].append(number)
    Person.objects.bulk_create(people)
    Membership.objects.bulk_create(
        Membership(person=p, union=here if i % 2 else elsewhere, card_number=f"OLD{i:07d}", channel="on_site")
        for i, p in enumerate(Person.objects.order_by("pk"))
    )
    return here, user, numbers


def forget_new_people(keep_below: int) -> None:
    """Back to the starting state between runs: the people (and memberships) a run added are deleted."""
    from django.db import connection

    from members.models import ImportBatch

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM members_membership WHERE person_id > %s", [keep_below])
        cursor.execute("DELETE FROM members_person WHERE id > %s", [keep_below])
    ImportBatch.objects.update(job=None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE members_person")
            cursor.execute("VACUUM ANALYZE members_membership")


def ours(union, user, data: bytes, name: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.services import imports

    started = time.perf_counter()
    batch = imports.upload(union, SimpleUploadedFile(name, data), user)
    checked = time.perf_counter()
    batch.refresh_from_db()
    assert batch.status == "checked", batch.message
    imports.decide(batch, True, user)
    batch.refresh_from_db()
    finished = time.perf_counter()
    assert batch.status == "done", batch.message
    return {
        "mode": batch.job.result.get("mode", ""),
        "seconds": finished - started,
        "check_seconds": checked - started,
        "import_seconds": finished - checked,
        "total": batch.total_rows,
        "valid": batch.valid_rows,
        "errors": batch.error_rows,
        "transfers": batch.transfer_rows,
        "imported": batch.imported_rows,
    }


def baseline(union, data: bytes) -> dict:
    """django-import-export, bulk mode: the configuration its documentation gives for large imports.

    People are validated and encrypted by the model's own setters, de-duplicated by their keyed hash
    (`import_id_fields`), and each batch of people it creates gets its memberships (channel 集体登记,
    card numbers of members.services.cards' form) in the same `bulk_create` step: the job ours does.
    """
    import tablib
    from django.utils import timezone
    from import_export import fields, resources

    from core import pii
    from members.models import Membership, Person
    from members.services import cards
    from members.services.imports import employment_forms

    forms = employment_forms()
    today = timezone.localdate()
    prefix = cards.card_number_prefix(union, today)
    first = int(cards.next_card_number(union, today)[len(prefix) :])
    digits = cards.CARD_SEQUENCE_DIGITS
    numbers = (f"{prefix}{n:0{digits}d}" for n in range(first, 10**digits))

    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        employment_form = fields.Field(attribute="employment_form", column_name="就业形态")
        id_number_hash = fields.Field(attribute="id_number_hash", column_name="id_number_hash")

        class Meta:
            model = Person
            fields = ("name", "employment_form", "id_number_hash")
            import_id_fields = ("id_number_hash",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True

        def before_import_row(self, row, **kwargs):
            # Validation (GB 11643) and the keyed hash that finds an existing person.
            parsed = pii.parse_id_number(row["身份证号"])
            row["id_number_hash"] = pii.lookup_hash("id", parsed.value)
            row["就业形态"] = forms.get(row["就业形态"] or "其他")

        def before_save_instance(self, instance, row, **kwargs):
            instance.set_id_number(row["身份证号"])
            if row["手机号"]:
                instance.set_phone(row["手机号"])

        def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
            people = list(self.create_instances)  # the batch, before super() clears it
            super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
            created = [person for person in people if person.pk]
            Membership.objects.bulk_create(
                [
                    Membership(
                        person=person,
                        union=union,
                        card_number=next(numbers),
                        channel="collective",
                        joined_on=today,
                        reason="django-import-export",
                    )
                    for person in created
                ],
                batch_size=batch_size,
            )

    started = time.perf_counter()
    dataset = tablib.Dataset().load(data.decode("gbk"), format="csv")
    # import_id_fields must be columns of the file: an empty one, filled per row by before_import_row.
    dataset.append_col([""] * len(dataset), header="id_number_hash")
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": len(dataset),
        "errors": len(result.row_errors()),
        "invalid": result.totals.get("invalid", 0),
        "base_errors": len(result.base_errors),
        "new": result.totals.get("new", 0),
        "updated": result.totals.get("update", 0),
    }


def lookups(numbers: list[str], n: int) -> dict:
    from django.db import connection

    from core import pii
    from members.models import Membership

    def member(raw: str) -> bool:
        key = pii.lookup_hash("id", pii.parse_id_number(raw).value)
        return Membership.objects.filter(person__id_number_hash=key, status="active").exists()

    def one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    for raw in numbers[:50]:
        member(raw)
    times, base, found = [], [], 0
    for raw in numbers[:n]:
        started = time.perf_counter()
        found += member(raw)
        times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        one()
        base.append((time.perf_counter() - started) * 1000)
    cuts, base_cuts = (statistics.quantiles(x, n=100, method="inclusive") for x in (times, base))
    plan = ""
    if connection.vendor == "postgresql":
        key = pii.lookup_hash("id", numbers[0])
        query = Membership.objects.filter(person__id_number_hash=key, status="active")
        plan = " / ".join(line.strip() for line in query.explain().splitlines())
    return {
        "p50": statistics.median(times),
        "p99": cuts[98],
        "base_p50": statistics.median(base),
        "base_p99": base_cuts[98],
        "found": found,
        "n": len(times),
        "plan": plan,
    }


def run_inside(out_path: str, rows: int, big: int, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from members.models import Membership, Person

    info: dict = {"vendor": connection.vendor, "load": os.getloadavg()}
    union, user, numbers = setup_district()
    keep = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    data = make_csv(rows, 0, numbers["here"], numbers["elsewhere"])
    info["file_mb"] = round(len(data) / 2**20, 1)

    info["baseline"] = baseline(union, data)
    info["baseline_people"] = Person.objects.count() - keep
    info["baseline_memberships"] = Membership.objects.filter(person_id__gt=keep).count()
    forget_new_people(keep)
    info["ours"] = ours(union, user, data, "名单-1e5.csv")
    info["ours_people"] = Person.objects.count() - keep
    info["ours_memberships"] = Membership.objects.filter(person_id__gt=keep).count()
    forget_new_people(keep)

    if big:
        data = make_csv(big, 0, numbers["here"], numbers["elsewhere"])
        info["big_file_mb"] = round(len(data) / 2**20, 1)
        info["big"] = ours(union, user, data, "名单-1e6.csv")
        info["big_people"] = Person.objects.count()
        info["big_memberships"] = Membership.objects.count()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE members_person")
                cursor.execute("ANALYZE members_membership")
    sample = [id_number(k) for k in range(0, max(big, rows), max(1, max(big, rows) // n))][:n]
    info["lookup"] = lookups(sample, n)
    Path(out_path).write_text(json.dumps(info))


# --------------------------------------------------------------------------- outside: scratch database


def environment(database_url: str, workdir: Path) -> dict:
    # Jobs run in-process: the figure is the work, not a worker's polling interval.
    return scratch_environment(
        database_url, workdir, NIANGJIA_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend"
    )


def report(info: dict, args) -> None:
    base, mine = info["baseline"], info["ours"]
    ratio = base["seconds"] / mine["seconds"]
    print(
        f"\n{info['vendor']}: {args.rows:,} rows, {info['file_mb']} MB GBK CSV; {os.cpu_count()} CPUs, "
        f"load average {info['load'][0]:.1f} at start, {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"  baseline django-import-export use_bulk: {base['seconds']:8.2f} s  "
        f"({base['rows'] / base['seconds']:,.0f} rows/s; {info['baseline_people']:,} people created, "
        f"{base['updated']:,} existing updated, {base['invalid']:,} invalid rows, "
        f"{base['errors'] + base['base_errors']:,} errors; {info['baseline_memberships']:,} memberships "
        "created in its bulk_create)"
    )
    print(
        f"  ours (upload + check + import):       {mine['seconds']:8.2f} s  "
        f"({mine['total'] / mine['seconds']:,.0f} rows/s; check {mine['check_seconds']:.2f} s, import "
        f"{mine['import_seconds']:.2f} s; {info['ours_people']:,} people and {info['ours_memberships']:,} "
        f"memberships created, {mine['errors']:,} errors, {mine['transfers']:,} transfer suggestions; "
        f"{mine['mode']} mode)"
    )
    verdict = "PASS" if ratio >= RATIO_TARGET else "FAIL"
    print(f"  ratio baseline/ours: {ratio:.1f}x (target >= {RATIO_TARGET:.0f}x) {verdict}")
    if "big" in info:
        big = info["big"]
        verdict = "PASS" if big["seconds"] <= BIG_TARGET_S else "FAIL"
        print(
            f"  {big['total']:,} rows ({info['big_file_mb']} MB) end to end: {big['seconds']:.1f} s "
            f"(check {big['check_seconds']:.1f} s, import {big['import_seconds']:.1f} s; "
            f"{big['imported']:,} imported, {big['errors']:,} errors; {big['mode']} mode) "
            f"target <= {BIG_TARGET_S:.0f} s {verdict}; "
            f"database now {info['big_people']:,} people, {info['big_memberships']:,} memberships"
        )
    look = info["lookup"]
    verdict = "PASS" if look["p99"] <= LOOKUP_TARGET_MS else "FAIL"
    print(
        f"  ID number -> active member? p50 {look['p50']:.3f} ms, p99 {look['p99']:.3f} ms over {look['n']} "
        f"numbers ({look['found']} members); baseline SELECT 1 p50 {look['base_p50']:.3f} ms, "
        f"p99 {look['base_p99']:.3f} ms; target p99 <= {LOOKUP_TARGET_MS} ms {verdict}"
    )
    if look["plan"]:
        print(f"  plan: {look['plan']}")


def run_engine(engine: str, args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"nj-bench-imports-{engine}-"))
    database_url, pg_name = scratch_database(engine, workdir)
    print(f"=== {engine}: scratch database {pg_name or database_url}", flush=True)
    try:
        env = environment(database_url, workdir)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        out = workdir / "out.json"
        big = args.big if engine == "postgres" else 0
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--inside",
                str(out),
                "--rows",
                str(args.rows),
                "--big",
                str(big),
                "-n",
                str(args.n),
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        report(json.loads(out.read_text()), args)
    finally:
        clean_up(pg_name=pg_name, workdir=workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="rows of the end-to-end file (PostgreSQL)")
    parser.add_argument("-n", type=int, default=2000, help="ID-number lookups measured")
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and VENV_PYTHON.exists():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # noqa: S606
    if args.inside:
        run_inside(args.inside, args.rows, args.big, args.n)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill still drops the database
    run_engine(args.db, args)


if __name__ == "__main__":
    main()
