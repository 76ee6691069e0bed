"""Census files: the xlsx template with dropdowns, and reading rows from xlsx or csv (UTF-8 or GBK)."""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..choices import EmployerKind, EmploymentForm, Sector, UnionStatus
from ..models import Brand, CensusRound, Union
from .employers import regions_within

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
DATA_SHEET = gettext_lazy("普查数据")
LIST_SHEET = "lists"


class FileError(Exception):
    """The file as a whole cannot be read: its message says why, for the official to act on."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    number: bool = False


def columns() -> list[Column]:
    """The template's columns in order; the headers are what the reader matches."""
    cols = [
        Column("name", _("单位名称"), required=True),
        Column("uscc", _("统一社会信用代码")),
        Column("kind", _("单位类型")),
        Column("brand", _("品牌")),
        Column("platform", _("所属平台")),
        Column("sector", _("行业"), required=True),
        Column("region", _("行政区划代码"), required=True),
        Column("address", _("地址")),
    ]
    cols += [Column(f"form:{value}", str(label), number=True) for value, label in EmploymentForm.choices]
    cols += [
        Column("headcount", _("职工总数"), number=True),
        Column("union", _("覆盖工会")),
        Column("members", _("会员人数"), number=True),
    ]
    return cols


def region_label(region) -> str:
    return f"{region.code} {region.name}"


def template_lists(census: CensusRound, user) -> dict[str, list[str]]:
    """The values each coded column offers, keyed by column key."""
    unions = (
        Union.objects.restrict(user)
        .filter(path__subtree=census.union.path, status=UnionStatus.ACTIVE)
        .order_by("path")
        .values_list("name", flat=True)
    )
    return {
        "kind": [str(label) for _v, label in EmployerKind.choices],
        "brand": list(Brand.objects.values_list("name", flat=True)),
        "platform": list(Brand.objects.filter(is_platform=True).values_list("name", flat=True)),
        "sector": [str(label) for _v, label in Sector.choices],
        "region": [region_label(r) for r in regions_within(census.union)],
        "union": list(dict.fromkeys(unions)),
    }


def build_template(census: CensusRound, user) -> bytes:
    """An xlsx with the data sheet, a hidden sheet of lists behind the dropdowns, and a help sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(DATA_SHEET)
    cols = columns()
    sheet.append([c.header + ("*" if c.required else "") for c in cols])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE9D9")
    for i, col in enumerate(cols, 1):
        cell = sheet.cell(row=1, column=i)
        cell.font = bold
        if col.required:
            cell.fill = fill
        sheet.column_dimensions[get_column_letter(i)].width = max(10, len(col.header) * 2 + 4)
    sheet.freeze_panes = "A2"

    lists = book.create_sheet(LIST_SHEET)
    lists.sheet_state = "hidden"
    values = template_lists(census, user)
    last_row = MAX_ROWS + 1
    for n, (key, options) in enumerate(values.items(), 1):
        letter = get_column_letter(n)
        lists.cell(row=1, column=n, value=key)
        for r, option in enumerate(options, 2):
            lists.cell(row=r, column=n, value=option)
        if not options:
            continue
        target = get_column_letter(next(i for i, c in enumerate(cols, 1) if c.key == key))
        rule = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(LIST_SHEET)}!${letter}$2:${letter}${len(options) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("请从下拉列表中选择"),
            error=_("该值不在可选列表中"),
        )
        rule.add(f"{target}2:{target}{last_row}")
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
    for line in (
        _("带*的列必填；其余列可留空。"),
        _("统一社会信用代码为18位，系统会核对校验位；同一代码在文件中只能出现一次。"),
        _("单位类型、品牌、所属平台、行业、行政区划代码、覆盖工会请从下拉列表选择。"),
        _("各就业形态列填写人数；职工总数留空时按各列之和计算，填写时不得少于各列之和。"),
        _("覆盖工会留空表示不改变单位现有的覆盖工会。"),
        _("会员人数留空时，由系统按单位自身工会的在册会员计算。"),
        _("任何一行有错误时，整个文件都不导入，请按错误报告修改后重新上传。"),
    ):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_rows(content: bytes, file_name: str) -> tuple[list[str], list[tuple[int, list]]]:
    """(header, [(spreadsheet row number, cells)]) from an xlsx or csv file; FileError when unreadable."""
    if not content:
        raise FileError(_("文件是空的"))
    if len(content) > MAX_BYTES:
        raise FileError(_("文件过大（超过 %(mb)d MB），请分批导入") % {"mb": MAX_BYTES // (1024 * 1024)})
    lower = file_name.lower()
    if content[:4] == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(content)
    elif lower.endswith((".csv", ".txt")):
        rows = _csv_rows(content)
    else:
        raise FileError(_("只支持 .xlsx 和 .csv 文件"))
    header: list[str] | None = None
    data: list[tuple[int, list]] = []
    for number, cells in rows:
        if header is None:
            if any(_text(c) for c in cells):
                header = [_text(c).rstrip("*").strip() for c in cells]
            continue
        if not any(_text(c) for c in cells):
            continue
        if len(data) >= MAX_ROWS:
            raise FileError(_("行数超过上限 %(n)d 行，请分批导入") % {"n": MAX_ROWS})
        data.append((number, list(cells)))
    if header is None:
        raise FileError(_("文件中没有表头行"))
    return header, data


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(content: bytes):
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book[str(DATA_SHEET)] if str(DATA_SHEET) in book.sheetnames else book.worksheets[0]
        # Read everything now: a truncated archive fails here, not half-way through the import.
        return [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, EOFError) as exc:
        raise FileError(_("无法读取 Excel 文件：文件可能已损坏、不完整或不是 .xlsx 格式")) from exc
    except Exception as exc:  # openpyxl raises many kinds on malformed XML; none should become a 500.
        raise FileError(_("无法读取 Excel 文件：文件可能已损坏、不完整或不是 .xlsx 格式")) from exc


def _csv_rows(content: bytes):
    # Chinese Excel saves CSV as GBK; GB 18030 is its superset and decodes it too.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码"))
    if "\x00" in text:
        raise FileError(_("CSV 文件含有无效字符，可能不是文本文件"))
    try:
        return [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1)]
    except csv.Error as exc:
        raise FileError(_("CSV 文件格式错误：%(error)s") % {"error": exc}) from exc
