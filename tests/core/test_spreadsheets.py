"""core.spreadsheets' CSV reading: a quote left open is said at its row (it swallowed the rest of the
file into one cell); a CSV under an .xlsx name is read as CSV; a broken workbook is still said so."""

import pytest

from core import spreadsheets


def test_a_quote_left_open_is_said_at_its_row():
    content = '身份证号,姓名\r\n1,甲\r\n2,"乙\r\n3,丙\r\n'.encode()
    with pytest.raises(spreadsheets.FileError, match="CSV 文件第 3 行格式错误（引号不成对？）"):
        spreadsheets.read_rows(content, "a.csv")


def test_rows_are_numbered_as_excel_shows_them():
    content = '身份证号,姓名\r\n1,"甲\r\n乙"\r\n2,丙\r\n'.encode()
    header, rows = spreadsheets.read_rows(content, "a.csv")
    assert header == ["身份证号", "姓名"] and [(n, cells[0]) for n, cells in rows] == [(2, "1"), (3, "2")]


def test_a_csv_named_xlsx_is_read_and_a_broken_workbook_is_said():
    header, rows = spreadsheets.read_rows("身份证号,姓名\r\n1,甲\r\n".encode(), "名单.xlsx")
    assert header == ["身份证号", "姓名"] and rows == [(2, ["1", "甲"])]
    with pytest.raises(spreadsheets.FileError, match="无法读取 Excel 文件"):
        spreadsheets.read_rows(b"\x00\x01garbage", "名单.xlsx")


def test_an_old_xls_is_told_to_be_saved_again_as_every_import_says():
    # The census and station imports said "只支持 .xlsx 和 .csv" of an .xls, the enrolment import
    # said what to do: now both, through one rule (spreadsheet_format).
    with pytest.raises(spreadsheets.FileError, match=r"不支持旧版\.xls格式，请在Excel中另存为\.xlsx或\.csv"):
        spreadsheets.read_rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "名单.xls")
    assert [
        spreadsheets.spreadsheet_format(c, n)
        for c, n in (
            (b"PK\x03\x04...", "a.csv"),
            ("身份证号\r\n".encode("gb18030"), "a.xlsx"),
            (b"\x00\x01garbage", "a.xlsx"),
            (b"\x00\x01garbage", "a.csv"),
        )
    ] == ["xlsx", "csv", "broken", "csv"]


def _workbook(rows, cached: dict[str, str] | None = None) -> bytes:
    """An xlsx as a program writes it (openpyxl: formulas without their results); `cached` gives
    cells their results as Excel or WPS store them on saving ({"C2": "4"})."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if not cached:
        return buffer.getvalue()
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                for ref, value in cached.items():
                    data = re.sub(rf'(<c r="{ref}">.*?)<v ?/>'.encode(), rf"\1<v>{value}</v>".encode(), data)
            target.writestr(item, data)
    return out.getvalue()


ROWS = [["姓名", "数量", "合计"], ["甲", 2, "=B2*2"], ["乙", 3, "=B3*2"]]


def test_a_formula_without_its_result_is_said_at_its_cell():
    # Read as it is, the cell is empty: the official sees 4 and 6 on screen, the import would get nothing.
    with pytest.raises(spreadsheets.FileError, match="第 2 行 C 列是公式，但文件中没有它的计算结果"):
        spreadsheets.read_rows(_workbook(ROWS), "名单.xlsx")
    # Saved by Excel (results stored), the results are read.
    header, rows = spreadsheets.read_rows(_workbook(ROWS, {"C2": "4", "C3": "6"}), "名单.xlsx")
    assert header == ["姓名", "数量", "合计"] and rows == [(2, ["甲", 2, 4]), (3, ["乙", 3, 6])]
    # One result missing: that cell is named.
    with pytest.raises(spreadsheets.FileError, match="第 3 行 C 列是公式"):
        spreadsheets.read_rows(_workbook(ROWS, {"C2": "4"}), "名单.xlsx")
