"""Bulk enrolment (集体登记): upload, column mapping, preview, check, then import the valid rows or nothing.

The file is checked in the background first (every row validated, de-duplicated within the
file and against the database by keyed hash), leaving counts and a masked error report; the
official then decides. The import reads the file again and writes everything in one
transaction, set-based (COPY on PostgreSQL, executemany on SQLite, one query per chunk to
find who exists), so a failure anywhere leaves the database as it was, and a second import
of the same rows finds every person already a member here and changes nothing.
"""

import hashlib
import io
import logging
import multiprocessing
import secrets
import tempfile
from collections import deque
from collections.abc import Iterator
from itertools import islice

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from core import jobs, pii
from core.history import record_action
from core.logging import redact
from core.scoping import ADD, CHANGE, can, owners_for
from core.spreadsheets import inert
from core.text import list_separator

from ..choices import EmploymentForm, ImportStatus
from ..models import ImportBatch, Person
from .import_db import (
    TRANSFER_CODE,
    CardNumbers,
    Directory,
    PostgresWriter,
    Seen,
    SqliteWriter,
    classify,
)
from .import_files import (
    ImportFileError,
    decrypt_file,
    encrypt_file,
    max_bytes,
    max_rows,
    open_sheet,
    too_many_rows,
)
from .import_rows import (
    Checked,
    GoodRow,
    RowError,
    checked_rows,
    mask_any,
    mask_id_like,
    mask_phone_like,
    prepare_rows,
    prepare_text,
    set_text,
)

log = logging.getLogger(__name__)

# Our field -> (label in the interface, required, headings that mean it).
FIELDS = {
    "name": (gettext_lazy("姓名"), True, ("姓名", "名字", "职工姓名", "会员姓名")),
    "id_number": (
        gettext_lazy("身份证号"),
        True,
        ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "证件号"),
    ),
    "phone": (gettext_lazy("手机号"), False, ("手机号", "手机号码", "手机", "联系电话", "电话", "联系方式")),
    "employment_form": (gettext_lazy("就业形态"), False, ("就业形态", "职业", "工种", "岗位", "从业类型")),
}
FORM_ALIASES = {
    "快递": EmploymentForm.COURIER,
    "快递小哥": EmploymentForm.COURIER,
    "外卖": EmploymentForm.DELIVERY_RIDER,
    "外卖骑手": EmploymentForm.DELIVERY_RIDER,
    "骑手": EmploymentForm.DELIVERY_RIDER,
    "网约车": EmploymentForm.RIDE_HAILING_DRIVER,
    "货车司机": EmploymentForm.TRUCK_DRIVER,
    "家政": EmploymentForm.DOMESTIC_WORKER,
    "护工": EmploymentForm.CARER,
    "保安": EmploymentForm.SECURITY_GUARD,
    "环卫": EmploymentForm.SANITATION_WORKER,
    "其他": EmploymentForm.OTHER,
}
MESSAGES = {
    "missing_column": gettext_lazy("缺少必填列“%(label)s”，请在列对应中选择"),
    "name_missing": gettext_lazy("姓名为空"),
    "name_too_long": gettext_lazy("姓名超过%(n)s个字"),
    "name_digits": gettext_lazy("姓名不能含数字：身份证号、手机号请填在各自的栏里"),
    "id_missing": gettext_lazy("身份证号为空"),
    "id_length": gettext_lazy("身份证号位数不对，应为18位"),
    "id_format": gettext_lazy("身份证号前17位应为数字，末位应为数字或X"),
    "id_region": gettext_lazy("身份证号前两位不是有效的省级行政区划代码"),
    "id_birth_date": gettext_lazy("身份证号中的出生日期不可能（不存在、晚于今天或早于1900年）"),
    "id_check": gettext_lazy("身份证号校验位错误"),
    "id_as_number": gettext_lazy(
        "身份证号被Excel存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写身份证号"
    ),
    "phone": gettext_lazy("手机号格式错误，应为11位中国大陆手机号"),
    "form_unknown": gettext_lazy("无法识别的就业形态"),
    "duplicate_id": gettext_lazy("与第%(n)s行身份证号重复"),
    "duplicate_phone": gettext_lazy("与第%(n)s行手机号重复"),
    "member_elsewhere": gettext_lazy("已是“%(union)s”的在册会员：请办理会员关系接转，而不是重复入会"),
    "phone_taken": gettext_lazy("手机号已登记在另一位职工名下"),
}
IMPORT_FAILED = gettext_lazy(
    "导入失败，数据库未做任何改动。名单中的数据可能在校验后发生了变化，请重新上传校验后再试。"
)
PREVIEW_ROWS = 10


class ImportError_(Exception):
    """A refused step (wrong state, nothing to import); str() is the message for the official."""


def chunk_rows() -> int:
    return int(getattr(settings, "IMPORT_CHUNK_ROWS", 10_000))


def workers() -> int:
    return int(getattr(settings, "IMPORT_WORKERS", 2))


def parallel_min_bytes() -> int:
    """Smaller files are checked in the calling process: forking costs more than it saves."""
    return int(getattr(settings, "IMPORT_PARALLEL_MIN_BYTES", 2 * 2**20))


def report_limit() -> int:
    return int(getattr(settings, "IMPORT_REPORT_MAX_ROWS", 100_000))


# ------------------------------------------------------------------ mapping and preview


def _plain_heading(heading: str) -> str:
    for junk in (" ", "\u3000", "*", "＊", ":", "：", "（必填）", "(必填)", "必填"):
        heading = heading.replace(junk, "")
    return heading


def guess_mapping(headings: list[str]) -> dict[str, str]:
    """Our field -> the file's heading, from the usual Chinese headings (exact first, then contained)."""
    mapping: dict[str, str] = {}
    plain = [(_plain_heading(h), h) for h in headings if h]
    for field, (_label, _required, aliases) in FIELDS.items():
        exact = next((h for p, h in plain if p in aliases and h not in mapping.values()), None)
        contained = next(
            (h for p, h in plain if any(a in p for a in aliases) and h not in mapping.values()), None
        )
        if exact or contained:
            mapping[field] = exact or contained
    return mapping


def column_indexes(headings: list[str], mapping: dict) -> tuple[dict[str, int | None], list[str]]:
    """(field -> column index, required fields without a column). A field mapped to a heading the file
    does not have, or has twice, is an ImportFileError naming it: read as "no column", an optional
    field's cells were dropped without a word, and of two columns the first was taken unseen."""
    indexes: dict[str, int | None] = {}
    missing = []
    for field, (label, required, _aliases) in FIELDS.items():
        heading = mapping.get(field) or ""
        places = [index for index, text in enumerate(headings) if heading and text == heading]
        if heading and not places:
            raise ImportFileError(
                _("“%(label)s”对应的列“%(heading)s”在文件中找不到，请重新选择列对应")
                % {"label": label, "heading": heading}
            )
        if len(places) > 1:
            raise ImportFileError(
                _(
                    "表头“%(heading)s”在文件中出现了%(n)d次（第%(columns)s列），无法确定“%(label)s”用哪一列，请改名或删除多余的列"
                )
                % {
                    "heading": heading,
                    "n": len(places),
                    "columns": list_separator().join(get_column_letter(index + 1) for index in places),
                    "label": label,
                }
            )
        indexes[field] = places[0] if places else None
        if indexes[field] is None and required:
            missing.append(field)
    return indexes, missing


def employment_forms() -> dict[str, str]:
    """Text in the file -> our choice value: the Chinese labels, the code values, a few common words."""
    with translation.override("zh-hans"):
        known = {str(label): value for value, label in EmploymentForm.choices}
    known.update({value: value for value in EmploymentForm.values})
    known.update({k: str(v) for k, v in FORM_ALIASES.items()})
    return known


def read_upload(batch: ImportBatch) -> bytes:
    if not batch.upload:
        raise ImportFileError(_("上传的文件已删除"))
    with batch.upload.open("rb") as handle:
        return decrypt_file(handle.read())


def preview(batch: ImportBatch) -> dict:
    """The headings and the first rows, masked, read from the file now (nothing of it is stored)."""
    sheet = open_sheet(read_upload(batch), batch.file_name)
    rows = []
    fields = {heading: field for field, heading in batch.mapping.items()}
    for number, cells in islice(sheet.rows, PREVIEW_ROWS):
        shown = []
        for index, heading in enumerate(sheet.headings):
            value = cells[index] if index < len(cells) else ""
            field = fields.get(heading)
            if field == "name":
                value = pii.mask_name(value)
            elif field == "id_number":
                value = mask_id_like(value)
            elif field == "phone":
                value = mask_phone_like(value)
            else:  # an unmapped column may hold numbers too
                value = mask_any(value)
            shown.append(value)
        rows.append((number, shown))
    return {"headings": sheet.headings, "rows": rows}


# ------------------------------------------------------------------ upload and decision


def may_import(user, union) -> bool:
    from orgs.models import Union

    return owners_for(user, ImportBatch, ADD, Union.objects.filter(pk=union.pk)).exists()


def upload(union, uploaded, by, mapping: dict | None = None) -> ImportBatch:
    """Store the file encrypted, guess the mapping, and start the check. Raises ImportFileError."""
    if not may_import(by, union):
        raise PermissionDenied
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes():
        raise ImportFileError(_("文件超过%(n)d MB的上限，请拆分后分批上传") % {"n": max_bytes() // 2**20})
    data = uploaded.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ImportFileError(_("文件超过%(n)d MB的上限，请拆分后分批上传") % {"n": max_bytes() // 2**20})
    name = (getattr(uploaded, "name", "") or "upload").rsplit("/", 1)[-1][-200:]
    sheet = open_sheet(data, name)  # refuses what cannot be read before anything is stored
    digest = hashlib.sha256(data).hexdigest()
    guessed = guess_mapping(sheet.headings)
    if mapping:
        guessed.update({k: v for k, v in mapping.items() if k in FIELDS})
    column_indexes(sheet.headings, {k: v for k, v in guessed.items() if v})  # a column absent or doubled
    with transaction.atomic():
        batch = ImportBatch(
            union=union,
            file_name=redact(name),  # shown in lists and job titles: an ID number in it stays masked
            file_sha256=digest,
            file_format=sheet.file_format,
            encoding=sheet.encoding,
            mapping={k: v for k, v in guessed.items() if v},
            created_by=by,
        )
        batch.message = repeat_notice(batch)
        # A random name: the file name may itself carry a person's name.
        batch.upload.save(f"{secrets.token_hex(16)}.bin", ContentFile(encrypt_file(data)), save=False)
        batch.save()
    return start_check(batch, by)


def repeat_notice(batch: ImportBatch) -> str:
    """Said when the same file (by SHA-256) was imported into this union before."""
    earlier = (
        ImportBatch.objects.filter(union=batch.union, file_sha256=batch.file_sha256, status=ImportStatus.DONE)
        .exclude(pk=batch.pk)
        .order_by("-created_at")
        .first()
    )
    if earlier is None:
        return ""
    stamp = timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M")
    return _("同一文件已于%(when)s导入过：已是本会会员的行不会重复导入。") % {"when": stamp}


def remap(batch: ImportBatch, mapping: dict, by) -> ImportBatch:
    """The official's column choice; the check runs again. A column the file lacks or has twice is an
    ImportFileError, and the batch keeps its mapping (and its file: a failed check forgets it)."""
    _writable(batch, by, {ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED})
    mapping = {k: v for k, v in mapping.items() if k in FIELDS and v}
    column_indexes(open_sheet(read_upload(batch), batch.file_name).headings, mapping)
    batch.mapping = mapping
    batch.save(update_fields=["mapping", "updated_at"])
    return start_check(batch, by)


def _writable(batch: ImportBatch, by, states) -> None:
    if not can(by, CHANGE, batch):
        raise PermissionDenied
    if batch.status not in states:
        raise ImportError_(
            _("此批次当前为“%(status)s”，不能进行此操作") % {"status": batch.get_status_display()}
        )


def start_check(batch: ImportBatch, by) -> ImportBatch:
    job = jobs.start(
        "import-check", _("校验：%(name)s") % {"name": batch.file_name}, by, check_task, batch.pk
    )
    ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.refresh_from_db()
    return batch


def decide(batch: ImportBatch, import_valid: bool, by) -> ImportBatch:
    """ "Import the valid rows" (in the background) or "import nothing" (the file is deleted at once)."""
    _writable(batch, by, {ImportStatus.CHECKED})
    if not import_valid:
        with transaction.atomic():
            _forget_file(batch)
            batch.status = ImportStatus.DISCARDED
            batch.save(update_fields=["status", "upload", "updated_at"])
            record_action(batch, "discarded", note=_("不导入"))
        return batch
    if batch.valid_rows == 0:
        raise ImportError_(_("没有可导入的有效行"))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.IMPORTING)
    job = jobs.start("import", _("导入：%(name)s") % {"name": batch.file_name}, by, import_task, batch.pk)
    ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.refresh_from_db()
    return batch


def _forget_file(batch: ImportBatch) -> None:
    if batch.upload:
        batch.upload.delete(save=False)
    remove_stage(stage_name(batch))


# ------------------------------------------------------------------ the pipeline


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _prepared(batch: ImportBatch, data: bytes, sized=None) -> Iterator[tuple[int, list[Checked], list]]:
    """(rows, valid rows, errors) per chunk in file order; big files are prepared by worker processes.

    A CSV without quotes is cut into spans of lines that each worker splits itself (it inherits the
    text at the fork); otherwise (xlsx, quoted CSV) the rows are read here and sent in chunks.
    """
    sheet = open_sheet(data, batch.file_name)
    if sized:
        # An xlsx declares its size; a CSV's lines are counted (a quoted line break may overcount).
        sized(sheet.declared_rows or max(data.count(b"\n"), 1))
    columns, missing = column_indexes(sheet.headings, batch.mapping)
    if missing:
        raise MissingColumns(missing)
    forms = employment_forms()
    if sheet.text is not None:
        work = prepare_text
        tasks = ((start, end, line, columns, forms) for start, end, line in sheet.spans(chunk_rows()))
    else:
        work = prepare_rows
        tasks = ((chunk, columns, forms) for chunk in _chunks(sheet.rows, chunk_rows()))
    set_text(sheet.text or "")
    limit, total = max_rows(), 0
    parallel = workers() >= 2 and len(data) >= parallel_min_bytes()
    try:
        for rows, good, errors in _run(work, tasks, parallel):
            total += rows
            if total > limit:
                raise too_many_rows()
            yield rows, checked_rows(good), errors
    finally:
        set_text("")


def _run(work, tasks, parallel: bool) -> Iterator:
    """work(task) for every task, in order; in a pool of forked processes when `parallel`."""
    if not parallel:
        for args in tasks:
            yield work(args)
        return
    # fork: the children inherit configured Django (keys, settings) and the text; no database.
    with multiprocessing.get_context("fork").Pool(workers()) as pool:
        pending: deque = deque()
        for args in tasks:
            pending.append(pool.apply_async(work, (args,)))
            if len(pending) > workers() * 2:  # bounded read-ahead: the file is not all in flight
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


class MissingColumns(Exception):
    def __init__(self, fields):
        super().__init__(fields)
        self.fields = fields


def message_for(error: RowError) -> str:
    template = MESSAGES[error.code]
    if error.code == "missing_column":
        return str(template) % {"label": FIELDS[error.field][0]}
    if error.code in ("duplicate_id", "duplicate_phone", "name_too_long"):
        return str(template) % {"n": error.params[0]}
    if error.code == TRANSFER_CODE:
        return str(template) % {"union": error.params[0]}
    return str(template)


def column_label(batch: ImportBatch, field: str) -> str:
    if not field:
        return ""
    heading = batch.mapping.get(field)
    return f"{heading}" if heading else str(FIELDS[field][0])


# ------------------------------------------------------------------ check


@task()
def check_task(job_id: int, batch_id: int) -> None:
    jobs.run(job_id, lambda job, progress: check(ImportBatch.objects.get(pk=batch_id), progress))


def check(batch: ImportBatch, progress=None) -> dict:
    """Validate every row and classify it against the database; counts and the error report on the batch."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.CHECKING)
    stage = _Stage(batch)
    try:
        total, valid, already, errors = _check_rows(batch, stage, progress)
    except MissingColumns as missing:
        stage.discard()
        errors = [RowError(1, field, "missing_column", "") for field in missing.fields]
        return _checked(batch, 0, 0, 0, errors, failed=True)
    except ImportFileError as error:
        stage.discard()
        return _failed(batch, str(error))
    except Exception as error:  # never leave the batch "checking" for ever
        stage.discard()
        log.warning("import batch %s: check failed: %s", batch.pk, type(error).__name__)
        return _failed(batch, _("校验失败：%(reason)s") % {"reason": type(error).__name__})
    if not total:
        stage.discard()
        return _failed(batch, _("文件中没有数据行：第一行是表头，名单从第二行起"))
    stage.keep()
    errors.sort(key=lambda e: e.row)
    return _checked(batch, total, valid, already, errors)


def _check_rows(batch: ImportBatch, stage: "_Stage", progress) -> tuple[int, int, int, list[RowError]]:
    """(rows, valid, already members here, errors); the valid rows go to `stage` for the import."""
    errors: list[RowError] = []
    total = valid = already = 0
    seen = Seen()
    known: list[Directory | None] = [None]

    def sized(rows: int) -> None:
        if progress:
            progress.total(rows)
        known[0] = Directory.load(rows)

    for rows, good, bad in _prepared(batch, read_upload(batch), sized=sized):
        errors.extend(bad)
        new, enrol, here, found = classify(good, batch.union, seen, directory=known[0])
        errors.extend(found)
        valid_rows = {row.row for row in new}
        valid_rows.update(row.row for _pid, row in enrol)
        stage.write(rows, len(here), [row for row in good if row.row in valid_rows])
        valid += len(new) + len(enrol)
        already += len(here)
        total += rows
        if progress:
            progress.advance(total)
    return total, valid, already, errors


class _Stage:
    """The valid rows as the check found them, kept for the import so it need not read, validate
    and encrypt the file again, nor look at the rows the check refused.

    Text: per chunk a line "#<rows in the chunk>\t<already members here>", then one tab-separated
    line per valid row (GoodRow's fields, the last one the person as COPY text). It
    holds what the database will hold (ciphertexts, keyed hashes, masks, names), never a raw number,
    and it is deleted with the upload. Named after the batch, so a new check replaces the last one's.
    """

    def __init__(self, batch: ImportBatch):
        self.name = stage_name(batch)
        self.file = tempfile.TemporaryFile()

    def write(self, rows: int, already: int, good: list[Checked]) -> None:
        lines = [f"#{rows}\t{already}"]
        lines.extend(row.line for row in good)
        lines.append("")
        self.file.write("\n".join(lines).encode())

    def keep(self) -> None:
        remove_stage(self.name)
        self.file.seek(0)
        saved = default_storage.save(self.name, File(self.file))
        self.file.close()
        assert saved == self.name, saved

    def discard(self) -> None:
        self.file.close()
        remove_stage(self.name)


def stage_name(batch: ImportBatch) -> str:
    return f"imports/stage-{batch.pk}.tsv"


def remove_stage(name: str) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)


def _staged(batch: ImportBatch, keys_only: bool = False) -> Iterator[tuple[int, int, list[GoodRow]]]:
    """(rows of the file in a chunk, of them already members here, its valid rows), as staged.

    `keys_only`: the rows with their number and hashes only (what classify needs), read faster.
    """
    with default_storage.open(stage_name(batch), "rb") as handle:
        lines = io.TextIOWrapper(handle, encoding="utf-8", newline="\n")
        rows, already, good = 0, 0, []
        for line in lines:
            if line[0] == "#":
                if rows:
                    yield rows, already, good
                rows, already = map(int, line[1:].split("\t"))
                good = []
            elif keys_only:
                fields = line.split("\t", 3)
                good.append(GoodRow(int(fields[0]), fields[1], fields[2], "", "", ""))
            else:
                fields = line[:-1].split("\t", 5)
                fields[0] = int(fields[0])
                good.append(GoodRow._make(fields))
        if rows:
            yield rows, already, good


def _checked(batch, total, valid, already, errors, *, failed=False) -> dict:
    transfers = sum(1 for e in errors if e.code == TRANSFER_CODE)
    batch.total_rows, batch.valid_rows, batch.transfer_rows = total, valid, transfers
    batch.error_rows = len({e.row for e in errors if e.code != TRANSFER_CODE})
    batch.status = ImportStatus.CHECKED
    summary = _(
        "共%(total)d行：可导入%(valid)d行，错误%(errors)d行，需接转%(transfers)d行，已是本会会员%(already)d行。"
    ) % {
        "total": total,
        "valid": valid,
        "errors": batch.error_rows,
        "transfers": transfers,
        "already": already,
    }
    notice = repeat_notice(batch)
    batch.message = f"{notice}\n{summary}" if notice else summary
    if failed:
        batch.message = "；".join(message_for(e) for e in errors)
    if batch.error_report:
        batch.error_report.delete(save=False)
    if errors:
        batch.error_report.save(
            f"errors-{batch.pk}.xlsx", ContentFile(error_report(batch, errors)), save=False
        )
    batch.save()
    return {
        "total": total,
        "valid": valid,
        "errors": batch.error_rows,
        "transfers": transfers,
        "already": already,
    }


def _failed(batch: ImportBatch, message: str) -> dict:
    batch.status, batch.message = ImportStatus.FAILED, message
    _forget_file(batch)
    batch.save()
    return {"error": message}


def error_report(batch: ImportBatch, errors: list[RowError]) -> bytes:
    """The row-level report: row number, column, the cell masked, what is wrong."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("错误报告"))
    sheet.append([_("行号"), _("列"), _("内容（已遮蔽）"), _("问题")])
    limit = report_limit()
    for error in errors[:limit]:
        sheet.append(
            inert(sheet, [error.row, column_label(batch, error.field), error.masked, message_for(error)])
        )
    if len(errors) > limit:
        sheet.append(["", "", "", _("……另有%(n)d条未列出") % {"n": len(errors) - limit}])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ import


@task()
def import_task(job_id: int, batch_id: int) -> None:
    jobs.run(job_id, lambda job, progress: run_import(ImportBatch.objects.get(pk=batch_id), progress))


def run_import(batch: ImportBatch, progress=None) -> dict:
    """All valid rows in one transaction; on any failure nothing stays and the batch says why."""
    try:
        if not default_storage.exists(stage_name(batch)):
            # The checked rows are gone (deleted, another server): check the file again to stage them.
            stage = _Stage(batch)
            try:
                _check_rows(batch, stage, progress)
            except BaseException:
                stage.discard()
                raise
            stage.keep()
        with transaction.atomic():
            counts = _import_rows(batch, progress)
            batch.imported_rows = counts["people"] + counts["enrolled"]
            batch.status = ImportStatus.DONE
            batch.message = _(
                "已导入%(n)d人（新建职工%(people)d人，已有职工入会%(enrolled)d人），跳过已是本会会员%(already)d人。"
            ) % {
                "n": batch.imported_rows,
                **counts,
            }
            _forget_file(batch)
            batch.save()
            record_action(batch, "imported", note=batch.message, data=counts)
        return counts
    except (ImportFileError, MissingColumns) as error:
        message = str(error) if isinstance(error, ImportFileError) else _("缺少必填列")
    except Exception as error:  # the database refused something: everything above was rolled back
        log.warning("import batch %s failed and was rolled back: %s", batch.pk, type(error).__name__)
        message = str(IMPORT_FAILED)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, message=message)
    batch.refresh_from_db()
    _forget_file(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(upload="")
    return {"error": message}


def _import_rows(batch: ImportBatch, progress) -> dict:
    """The staged rows sorted by who is who now (inside the transaction), then written: the new people
    in one stream, then every membership in another, card numbers in file order.

    With every person read beforehand (Directory) and a writer that numbers the new people as they
    come (bulk mode, SQLite), one pass over the staged rows sorts and writes them; otherwise a first
    pass (their keys only) sorts them and counts the new people, whose ids are drawn before the
    stream opens (no other statement may run while a COPY is open)."""
    union = batch.union
    today = timezone.localdate()
    writer = PostgresWriter() if connection.vendor == "postgresql" else SqliteWriter()
    writer.begin(batch.valid_rows)  # before any read: in bulk mode it locks the two tables first
    upto = Person.objects.aggregate(highest=Max("pk"))["highest"] or 0
    known = Directory.load(batch.valid_rows, upto)
    numbers = CardNumbers(union, today)
    tally = {"total": 0, "already": 0, "people": 0, "enrolled": 0}
    if progress:
        progress.total(max(batch.total_rows, 1))

    def sort(rows: int, staged_already: int, good: list[GoodRow]) -> tuple[dict[int, int], set[int]]:
        """({row: existing person to enrol}, {rows of new people}) of a chunk, counted in `tally`."""
        new, enrolling, here, _errors = classify(good, union, None, upto, known)
        tally["total"] += rows
        tally["already"] += staged_already + len(here)
        tally["people"] += len(new)
        tally["enrolled"] += len(enrolling)
        return {row.row: pid for pid, row in enrolling}, {row.row for row in new}

    fresh: int | None = None  # new people, when counted before the stream
    if known is not None and writer.numbers_as_it_goes:
        chunks = ((*sort(rows, already, good), good) for rows, already, good in _staged(batch))
    else:
        enrol: dict[int, int] = {}
        create: set[int] = set()
        for rows, already, good in _staged(batch, keys_only=True):
            enrolled, created_rows = sort(rows, already, good)
            enrol.update(enrolled)
            create.update(created_rows)
        fresh = tally["people"]
        chunks = ((enrol, create, good) for _rows, _already, good in _staged(batch))
    writer.bulk_start()
    order: list[int] = []  # per membership in file order: the enrolled person's id, or 0 for the next new one

    def new_people() -> Iterator[list[GoodRow]]:
        # Consumed while a COPY is open: no other statement (no progress) until it ends.
        for enrol, create, good in chunks:
            new = []
            for row in good:
                if row.row in enrol:
                    order.append(enrol[row.row])
                elif row.row in create:
                    order.append(0)
                    new.append(row)
            yield new

    created = iter(writer.people(new_people(), fresh))
    total = tally["total"]
    if progress:
        progress.advance(total // 2)
    members = [pid or next(created) for pid in order]
    reason = _("批量入会 #%(id)d") % {"id": batch.pk}
    writer.memberships(members, union.pk, numbers, today, reason)
    writer.bulk_finish()
    if progress:
        progress.advance(total)
    counts = {"people": tally["people"], "enrolled": tally["enrolled"], "already": tally["already"]}
    counts["skipped"] = total - counts["people"] - counts["enrolled"] - counts["already"]
    counts["mode"] = "bulk" if writer.bulk else "ordinary"
    return counts
