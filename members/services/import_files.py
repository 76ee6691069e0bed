"""Reading enrolment files: the encrypted upload, its format and encoding, and its rows as text.

The upload holds raw ID numbers, so it is kept only as Fernet ciphertext (the PII keys) and read
back into memory when a step needs it. Every way a file can be unreadable ends in ImportFileError
with a message for the official, never in an exception page.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core import pii
from core.spreadsheets import formula_rows, spreadsheet_format, uncomputed, uncomputed_message


class ImportFileError(Exception):
    """A file that cannot be read as an enrolment list; str() is the message for the official."""


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 200 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 1_000_000))


def encrypt_file(data: bytes) -> bytes:
    return pii._fernet().encrypt(data)


def decrypt_file(token: bytes) -> bytes:
    return pii._fernet().decrypt(token)


@dataclass
class Sheet:
    """The file's header row and an iterator over (row number as shown in Excel, cells as text)."""

    file_format: str
    encoding: str
    headings: list[str]
    rows: Iterator[tuple[int, list[str]]]
    # Known up front for an xlsx (its dimension), else None.
    declared_rows: int | None = None
    # A CSV without quotes or lone CRs: its decoded text and where the rows begin, so workers can
    # split spans of it themselves (import_rows.text_rows) instead of being sent parsed cells.
    text: str | None = None
    body_start: int = 0

    def spans(self, size: int) -> list[tuple[int, int, int]]:
        """(start, end, number of the first line) of about `size` lines each, cut at line ends."""
        text, start, line = self.text or "", self.body_start, 2
        lines = text.count("\n", start) + 1
        average = max((len(text) - start) / lines, 1.0)
        spans = []
        while start < len(text):
            cut = text.find("\n", min(start + int(average * size), len(text) - 1))
            end = len(text) if cut < 0 else cut + 1
            spans.append((start, end, line))
            line += text.count("\n", start, end)
            start = end
        return spans


def detect_format(data: bytes, file_name: str) -> str:
    """ "xlsx" or "csv", as core.spreadsheets decides for every import; ImportFileError otherwise."""
    read_as = spreadsheet_format(data, file_name)
    if read_as == "xls":
        raise ImportFileError(_("不支持旧版.xls格式，请在Excel中另存为.xlsx或.csv后再上传"))
    if read_as == "broken":
        raise ImportFileError(_("文件已损坏或不完整，无法作为xlsx读取"))
    return read_as


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, else GB18030 (a superset of GBK: Chinese Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding), ("gbk" if encoding == "gb18030" else encoding)
        except UnicodeDecodeError as error:
            if error.reason == "unexpected end of data" and error.start >= len(data) - 4:
                raise ImportFileError(_("文件不完整（可能上传中断），请重新上传")) from None
    raise ImportFileError(_("无法识别文件编码，请保存为UTF-8或GBK编码的CSV，或xlsx"))


class ImpreciseNumber(str):
    """A cell Excel kept as a floating-point number of 16 digits or more: only 15 are exact, so the
    last digits are gone (an ID number typed into a column not formatted as text). Its text is the
    number as stored; import_rows refuses it as an ID number rather than guess."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        if abs(value) >= 1e15:
            return ImpreciseNumber(int(value))
        value = int(value)  # an ID or phone typed as a number
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    return str(value).strip()


def _csv_sheet(data: bytes) -> Sheet:
    text, encoding = decode_csv(data)
    if "\x00" in text:
        raise ImportFileError(_("文件不是文本格式的CSV，请检查是否选错了文件"))
    if not text.strip():
        raise ImportFileError(_("文件是空的"))
    # strict: a quote left open is an error at its row; read leniently, it swallowed every row after it
    # into one cell, and the check blamed the last line of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        headings = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise ImportFileError(_("文件是空的")) from None
    except csv.Error:
        raise ImportFileError(_("CSV格式错误，无法读取表头")) from None
    if not any(headings):
        raise ImportFileError(_("第一行应为表头（姓名、身份证号……）"))

    def rows():
        # Rows are numbered as Excel shows them, a record a row: a quoted line break stays in its row
        # (the reader's line count put every row after one a row too far down).
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                if any(cells):
                    yield number, [cell.strip() for cell in cells]
        except csv.Error:
            raise ImportFileError(
                _("CSV格式错误（第%(n)d行附近），请检查引号是否成对") % {"n": number + 1}
            ) from None

    sheet = Sheet("csv", encoding, headings, rows())
    if '"' not in text and text.count("\r") == text.count("\r\n"):
        newline = text.find("\n")
        sheet.text, sheet.body_start = text, (len(text) if newline < 0 else newline + 1)
    return sheet


def _xlsx_sheet(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        first = next(iterator, None)
        formulas = formula_rows(data, sheet.title)  # None without any formula (the usual case)
        if formulas is not None:
            next(formulas, None)  # the heading row
    except Exception:  # zipfile, XML and openpyxl errors alike: the file is not a readable workbook
        raise ImportFileError(_("文件已损坏或不完整，无法作为xlsx读取")) from None
    if first is None:
        raise ImportFileError(_("文件是空的"))
    headings = [_text(cell) for cell in first]
    declared = sheet.max_row - 1 if sheet.max_row else None

    def rows():
        number = 1
        try:
            for cells in iterator:
                number += 1
                in_formulas = next(formulas, ()) if formulas is not None else ()
                if in_formulas and (column := uncomputed(cells, in_formulas)) is not None:
                    raise ImportFileError(uncomputed_message(number, column))
                if any(cell not in (None, "") for cell in cells):
                    yield number, [_text(cell) for cell in cells]
        # SyntaxError: the sheet's XML does not parse (xml's ParseError), e.g. a control character in a cell.
        except (zipfile.BadZipFile, EOFError, KeyError, ValueError, OSError, SyntaxError):
            raise ImportFileError(_("文件已损坏或不完整，无法作为xlsx读取")) from None
        finally:
            book.close()

    return Sheet("xlsx", "", headings, rows(), declared)


def open_sheet(data: bytes, file_name: str) -> Sheet:
    if not data:
        raise ImportFileError(_("文件是空的"))
    file_format = detect_format(data, file_name)
    sheet = _xlsx_sheet(data) if file_format == "xlsx" else _csv_sheet(data)
    if sheet.declared_rows is not None and sheet.declared_rows > max_rows():
        raise too_many_rows()
    return sheet


def too_many_rows() -> ImportFileError:
    return ImportFileError(_("文件超过%(n)s行的上限，请拆分后分批上传") % {"n": f"{max_rows():,}"})


def limited(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The rows, stopping with a clear error past the configured row limit."""
    limit = max_rows()
    for count, row in enumerate(rows, 1):
        if count > limit:
            raise too_many_rows()
        yield row
