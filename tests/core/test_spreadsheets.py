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
