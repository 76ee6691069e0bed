"""Spreadsheets officials fill in: templates with dropdowns, reading xlsx or csv, error reports.

Shared by the imports (census files in orgs, stations): each app lists its columns and the values
its coded columns offer; reading and the template's mechanics live here once.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
LIST_SHEET = "lists"
WHOLE = re.compile(r"[+-]?\d{1,9}")


class FileError(Exception):
    """The file as a whole cannot be read: its message says why, for the official to act on."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    number: bool = False


@dataclass
class Problem:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str
    message: str


def build_template(
    sheet_title: str,
    cols: list[Column],
    lists: dict[str, list[str]],
    help_lines: list[str],
    *,
    last_row: int = MAX_ROWS + 1,
    rows: list[list] | None = None,
) -> bytes:
    """An xlsx with the data sheet (optionally pre-filled `rows`), a hidden sheet of lists behind the
    dropdowns (`lists` keyed by column key), and a help sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    sheet.append([c.header + ("*" if c.required else "") for c in cols])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE9D9")
    for i, col in enumerate(cols, 1):
        cell = sheet.cell(row=1, column=i)
        cell.font = bold
        if col.required:
            cell.fill = fill
        sheet.column_dimensions[get_column_letter(i)].width = max(10, len(col.header) * 2 + 4)
    sheet.freeze_panes = "A2"
    for row in rows or []:
        sheet.append(inert(sheet, row))

    list_sheet = book.create_sheet(LIST_SHEET)
    list_sheet.sheet_state = "hidden"
    position = {c.key: i for i, c in enumerate(cols, 1)}
    for n, (key, options) in enumerate(lists.items(), 1):
        letter = get_column_letter(n)
        list_sheet.cell(row=1, column=n, value=key)
        for r, option in enumerate(options, 2):
            list_sheet.cell(row=r, column=n, value=option)
        if not options:
            continue
        targets = [k for k in position if k == key or k.startswith(f"{key}:")]
        rule = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(LIST_SHEET)}!${letter}$2:${letter}${len(options) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("请从下拉列表中选择"),
            error=_("该值不在可选列表中"),
        )
        for target in targets:
            column = get_column_letter(position[target])
            rule.add(f"{column}2:{column}{last_row}")
        sheet.add_data_validation(rule)
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        error=_("请填写不小于0的整数"),
    )
    for i, col in enumerate(cols, 1):
        if col.number:
            letter = get_column_letter(i)
            counts.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(counts)

    help_sheet = book.create_sheet(_("填写说明"))
    for line in help_lines:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ZIP_MAGIC = b"PK\x03\x04"  # every xlsx is a zip
OLD_XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003's binary format


def spreadsheet_format(content: bytes, file_name: str) -> str:
    """How to read an upload, by its bytes before its name: "xlsx" for a zip, "xls" for the old binary
    format (not read: the caller says so), "broken" for an .xlsx-named file that is neither a zip nor
    text, else "csv" — text given the .xlsx name (a CSV renamed) is read as the CSV it is. What other
    names a caller accepts is its own rule."""
    if content.startswith(ZIP_MAGIC):
        return "xlsx"
    if content.startswith(OLD_XLS_MAGIC):
        return "xls"
    if file_name.lower().endswith((".xlsx", ".xlsm")) and not _is_text(content):
        return "broken"
    return "csv"


def _decoded(content: bytes) -> str | None:
    # Chinese Excel saves CSV as GBK; GB 18030 is its superset and decodes it too.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _is_text(content: bytes) -> bool:
    decoded = _decoded(content)
    return decoded is not None and "\x00" not in decoded


def read_rows(
    content: bytes, file_name: str, sheet_name: str | None = None, *, max_rows: int = MAX_ROWS
) -> tuple[list[str], list[tuple[int, list]]]:
    """(header, [(spreadsheet row number, cells)]) from an xlsx (the sheet named `sheet_name` when
    present, else the first) or csv file; FileError when unreadable."""
    if not content:
        raise FileError(_("文件是空的"))
    if len(content) > MAX_BYTES:
        raise FileError(_("文件过大（超过 %(mb)d MB），请分批导入") % {"mb": MAX_BYTES // (1024 * 1024)})
    read_as = spreadsheet_format(content, file_name)
    if read_as == "xlsx":
        rows = _xlsx_rows(content, sheet_name)
    elif read_as == "xls":
        raise FileError(_("不支持旧版.xls格式，请在Excel中另存为.xlsx或.csv后再上传"))
    elif read_as == "broken":
        raise FileError(_("无法读取 Excel 文件：文件可能已损坏、不完整或不是 .xlsx 格式"))
    elif file_name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
        rows = _csv_rows(content)
    else:
        raise FileError(_("只支持 .xlsx 和 .csv 文件"))
    header: list[str] | None = None
    data: list[tuple[int, list]] = []
    for number, cells in rows:
        if header is None:
            if any(text(c) for c in cells):
                header = [text(c).rstrip("*").strip() for c in cells]
            continue
        if not any(text(c) for c in cells):
            continue
        if len(data) >= max_rows:
            raise FileError(_("行数超过上限 %(n)d 行，请分批导入") % {"n": max_rows})
        data.append((number, list(cells)))
    if header is None:
        raise FileError(_("文件中没有表头行"))
    if not data:  # it would "import" nothing and say it had
        raise FileError(_("表头下面没有数据行：请在表头下逐行填写后再上传"))
    return header, data


def text(value) -> str:
    """A cell as text: None is empty, 12.0 is "12"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell(cells: list, i: int):
    """Cell `i` of a row: "" when empty, an int for a whole number (CSV's text too), else stripped text."""
    value = cells[i] if i < len(cells) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value
    stripped = str(value).strip()
    # CSV cells are all text: whole numbers are read as numbers, as Excel's are.
    return int(stripped) if WHOLE.fullmatch(stripped) else stripped


def header_index(header: list[str], cols: list[Column]) -> dict[str, int]:
    """{column key: position} for the columns found in a file's header. A column named twice is a
    FileError: which of the two the official meant is theirs to say, not ours to guess."""
    by_header = {c.header: c for c in cols}
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        col = by_header.get(name)
        if col is None:
            continue
        if col.key in index:
            raise FileError(
                _("表头“%(column)s”出现了两次（第 %(first)s 列和第 %(again)s 列）：请删去多余的一列")
                % {
                    "column": name,
                    "first": get_column_letter(index[col.key] + 1),
                    "again": get_column_letter(i + 1),
                }
            )
        index[col.key] = i
    return index


# The largest count a file may give: an integer column's (PostgreSQL's integer; SQLite is held to it).
COUNT_MAX = 2_147_483_647


def count_problem(value) -> str | None:
    """What is wrong with a count cell (a whole number of people, as `cell` reads it), or None."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:  # TRUE is no count
        return _("应为不小于0的整数")
    if value > COUNT_MAX:
        return _("应不超过 %(max)s") % {"max": COUNT_MAX}
    return None


def inert(sheet, values) -> list:
    """A row to append to `sheet` with every text written as text. openpyxl writes a string that starts
    with "=" as a formula: "=HYPERLINK(…)" typed into a station's or a person's name would become a live
    formula in the official's Excel (formula injection). Such a value goes as a cell typed string."""
    return [
        _as_text(sheet, value) if isinstance(value, str) and value.startswith("=") else value
        for value in values
    ]


def _as_text(sheet, value: str):
    cell = (WriteOnlyCell if isinstance(sheet, WriteOnlyWorksheet) else Cell)(sheet, value=value)
    cell.data_type = "s"
    return cell


def error_report(errors: list[dict]) -> bytes:
    """An xlsx listing problems (dicts with row, column, message)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("错误报告"))
    sheet.append([_("行号"), _("列"), _("问题")])
    for error in errors:
        sheet.append(inert(sheet, [error["row"], error["column"], error["message"]]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_rows(content: bytes, sheet_name: str | None):
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book[sheet_name] if sheet_name and sheet_name in book.sheetnames else book.worksheets[0]
        # Read everything now: a truncated archive fails here, not half-way through the import.
        rows = [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
        formula_at = _first_uncomputed(rows, formula_rows(content, sheet.title))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, EOFError) as exc:
        raise FileError(_("无法读取 Excel 文件：文件可能已损坏、不完整或不是 .xlsx 格式")) from exc
    except Exception as exc:  # openpyxl raises many kinds on malformed XML; none should become a 500.
        raise FileError(_("无法读取 Excel 文件：文件可能已损坏、不完整或不是 .xlsx 格式")) from exc
    if formula_at is not None:
        raise FileError(uncomputed_message(*formula_at))
    return rows


def _first_uncomputed(rows, formulas) -> tuple[int, str] | None:
    if formulas is None:
        return None
    for (number, cells), in_formulas in zip(rows, formulas, strict=False):
        if (column := uncomputed(cells, in_formulas)) is not None:
            return number, column
    return None


# A formula's element in a worksheet's XML (<f>, <f t="shared" …/>, with or without a prefix).
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def formula_rows(content: bytes, sheet_title: str):
    """None when no worksheet of the xlsx holds a formula (a scan of its XML, the usual case);
    else the sheet's rows as formulas ("=…") and values, for uncomputed()."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(_holds_formula(archive, name) for name in names):
            return None
    return _formulas_of(load_workbook(io.BytesIO(content), read_only=True, data_only=False), sheet_title)


def _formulas_of(book, sheet_title: str):
    try:
        yield from book[sheet_title].iter_rows(values_only=True)
    finally:
        book.close()


def _holds_formula(archive: zipfile.ZipFile, name: str) -> bool:
    with archive.open(name) as member:
        tail = b""
        while chunk := member.read(1 << 20):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-16:]  # an element split between two chunks
    return False


def uncomputed(values, formulas) -> str | None:
    """The column letter of the first cell of a row that is a formula with no computed value (`values`
    as read for the import, `formulas` the same row from formula_rows): such a cell reads as empty."""
    for index, value in enumerate(values):
        if value is None and index < len(formulas) and _is_formula(formulas[index]):
            return get_column_letter(index + 1)
    return None


def _is_formula(cell) -> bool:
    if isinstance(cell, str):
        return cell.startswith("=")
    return isinstance(cell, ArrayFormula | DataTableFormula)


def uncomputed_message(row: int, column: str) -> str:
    # A program that writes xlsx (not Excel or WPS) may store formulas without their results; their
    # cells would be imported as empty, though the official sees values on screen.
    return _(
        "第 %(row)d 行 %(column)s 列是公式，但文件中没有它的计算结果（文件可能由其他程序生成）："
        "请用 Excel 或 WPS 打开后保存再上传，或把公式粘贴为数值"
    ) % {"row": row, "column": column}


def _csv_rows(content: bytes):
    decoded = _decoded(content)
    if decoded is None:
        raise FileError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码"))
    if "\x00" in decoded:
        raise FileError(_("CSV 文件含有无效字符，可能不是文本文件"))
    # strict: a quote left open is an error at its row; read leniently, it swallowed every row after it
    # into one cell. Rows are counted as Excel shows them (a quoted line break stays in its row).
    rows = []
    try:
        for row in csv.reader(io.StringIO(decoded, newline=""), strict=True):
            rows.append((len(rows) + 1, row))
    except csv.Error as exc:
        raise FileError(
            _("CSV 文件第 %(n)d 行格式错误（引号不成对？）：%(error)s") % {"n": len(rows) + 1, "error": exc}
        ) from exc
    return rows
