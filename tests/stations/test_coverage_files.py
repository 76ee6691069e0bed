"""Hot spot files: the template, all-or-nothing imports with row and column, coordinates converted."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from core import geo
from core.history import acting_as
from core.models import HistoryEntry
from core.spreadsheets import FileError
from stations.choices import HotSpotSource
from stations.models import HotSpot
from stations.services import coverage_files

from .. import factories

HEADER = "名称,纬度,经度,坐标系,白天人数,夜间人数\n"


def csv(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode(encoding)


def wgs(lat, lon, system):
    return geo.stored_position(lat, lon, system)


@pytest.fixture
def official(tree):
    return factories.official("svc", "service", tree["town_a"])


def test_template_has_the_columns_and_a_dropdown_of_coordinate_systems():
    book = load_workbook(io.BytesIO(coverage_files.build_template()))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["名称*", "纬度*", "经度*", "坐标系*", "白天人数*", "夜间人数*"]
    rules = {str(r.sqref).split(":")[0]: r.formula1 for r in sheet.data_validations.dataValidation}
    assert rules["D2"] == "'lists'!$A$2:$A$4"
    assert [book["lists"].cell(row=r, column=1).value[:5] for r in (2, 3, 4)] == ["wgs84", "gcj02", "bd09（"]
    assert book["lists"].sheet_state == "hidden"
    # The filled template imports as it is (its example row is valid).
    assert sheet.cell(row=2, column=4).value.startswith("gcj02")


def test_import_converts_coordinates_and_a_second_import_changes_nothing(tree, official):
    content = csv(
        "轻纺城东升路市场,30.101,120.495,gcj02（高德、腾讯地图）,320,40",
        "柯桥物流园,30.14,120.53,BD09,150,90",
        "外卖集合点,30.0881,120.4921,wgs84,60,45",
    )
    with acting_as(official, "web"):
        result = coverage_files.import_file(tree["town_a"], official, content, "hot.csv")
    assert result == {"imported": True, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    rows = {
        s.name: (s.union, s.source, s.latitude, s.longitude, s.day_workers, s.night_workers)
        for s in HotSpot.objects.all()
    }
    assert rows == {
        "轻纺城东升路市场": (tree["town_a"], "imported", *wgs(30.101, 120.495, "gcj02"), 320, 40),
        "柯桥物流园": (tree["town_a"], "imported", *wgs(30.14, 120.53, "bd09"), 150, 90),
        "外卖集合点": (tree["town_a"], "imported", Decimal("30.088100"), Decimal("120.492100"), 60, 45),
    }
    # GCJ-02 is offset by hundreds of metres in 柯桥: the conversion really happened.
    market = HotSpot.objects.get(name="轻纺城东升路市场")
    assert 300 < geo.distance_m(30.101, 120.495, float(market.latitude), float(market.longitude)) < 800
    # Made in bulk, each still has its history entry, attributed to the importer.
    entry = HistoryEntry.objects.for_object(market).get()
    assert (entry.kind, entry.actor, entry.changes["day_workers"]) == ("created", official, [None, 320])

    history = HistoryEntry.objects.count()
    again = coverage_files.import_file(tree["town_a"], official, content, "hot.csv")
    assert again == {"imported": True, "rows": 3, "created": 0, "updated": 0, "unchanged": 3}
    assert HistoryEntry.objects.count() == history

    changed = csv("柯桥物流园,30.14,120.53,bd09,150,120")
    assert coverage_files.import_file(tree["town_a"], official, changed, "hot.csv")["updated"] == 1
    assert HotSpot.objects.get(name="柯桥物流园").night_workers == 120


def test_gbk_csv_and_xlsx_are_read(tree, official):
    gbk = csv("钱清轻纺原料市场,30.098,120.412,wgs84,80,10", encoding="gbk")
    assert coverage_files.import_file(tree["town_a"], official, gbk, "hot.csv")["created"] == 1
    book = Workbook()
    sheet = book.active
    sheet.append(["名称*", "纬度*", "经度*", "坐标系*", "白天人数*", "夜间人数*"])
    sheet.append(["华舍物流园", 30.112, 120.468, "wgs84（GPS、天地图）", 90, 30.0])
    buffer = io.BytesIO()
    book.save(buffer)
    assert coverage_files.import_file(tree["town_a"], official, buffer.getvalue(), "hot.xlsx")["created"] == 1
    assert HotSpot.objects.get(name="华舍物流园").night_workers == 30


def test_a_count_past_the_column_is_a_row_problem(tree, official):
    # Found by fuzzing: Excel's 1E+30 is a whole number to Python and overflowed the insert (a 500).
    book = Workbook()
    book.active.append(["名称", "纬度", "经度", "坐标系", "白天人数", "夜间人数"])
    book.active.append(["天文数字", 30.1, 120.4, "wgs84", 1e30, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    result = coverage_files.import_file(tree["town_a"], official, buffer.getvalue(), "hot.xlsx")
    assert result["errors"] == [{"row": 2, "column": "白天人数", "message": "应不超过 2147483647"}]
    assert not HotSpot.objects.exists()


def test_a_bad_row_means_nothing_is_written_and_every_problem_has_row_and_column(tree, official):
    HotSpot.objects.create(
        union=tree["town_a"], name="外卖集合点", latitude="30.08", longitude="120.49", day_workers=5
    )
    HotSpot.objects.create(
        union=tree["town_a"],
        name="普查站点",
        latitude="30.08",
        longitude="120.49",
        day_workers=5,
        source=HotSpotSource.CENSUS,
    )
    content = csv(
        "外卖集合点,30.0881,120.4921,wgs84,60,45",  # good: would update the existing one
        "新市场,91,120.49,wgs84,10,1",
        "坏经度,30.1,东经120,gcj02,10,1",
        "坏坐标系,30.1,120.4,mars,10,1",
        "负数,30.1,120.4,bd09,-3,1.5",
        ",30.1,120.4,wgs84,1,1",
        "外卖集合点,30.1,120.4,wgs84,1,1",
        "普查站点,30.1,120.4,wgs84,1,1",
        "缺人数,30.1,120.4,wgs84,,1",
        "没选点,0,0,wgs84,1,1",  # a map pick that never happened: off Africa
    )
    before = list(HotSpot.objects.order_by("pk").values_list())
    result = coverage_files.import_file(tree["town_a"], official, content, "hot.csv")
    assert result["imported"] is False
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (3, "纬度"),
        (4, "经度"),
        (5, "坐标系"),
        (6, "白天人数"),
        (6, "夜间人数"),
        (7, "名称"),
        (8, "名称"),
        (9, "名称"),
        (10, "白天人数"),
        (11, "纬度"),
    ]
    messages = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert messages[(8, "名称")] == "与第2行重复"
    assert messages[(3, "纬度")] == "应为 -90 到 90 之间的十进制度数"
    assert "mars" in messages[(5, "坐标系")]
    assert messages[(11, "纬度")].startswith("坐标不在中国境内")
    assert list(HotSpot.objects.order_by("pk").values_list()) == before


def test_missing_columns_and_broken_files(tree, official):
    result = coverage_files.import_file(
        tree["town_a"], official, csv("a,1,2", header="名称,纬度,经度\n"), "hot.csv"
    )
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (1, "坐标系"),
        (1, "白天人数"),
        (1, "夜间人数"),
    ]
    with pytest.raises(FileError):
        coverage_files.import_file(tree["town_a"], official, b"PK\x03\x04broken", "hot.xlsx")
    with pytest.raises(FileError):
        coverage_files.import_file(tree["town_a"], official, b"", "hot.csv")
    # Found by fuzzing: a column named twice took the first silently, and a header alone "imported".
    twice = csv("市场,30.1,120.4,wgs84,10,1,99", header=HEADER.strip() + ",白天人数\n")
    with pytest.raises(FileError, match="表头“白天人数”出现了两次（第 E 列和第 G 列）"):
        coverage_files.import_file(tree["town_a"], official, twice, "hot.csv")
    with pytest.raises(FileError, match="表头下面没有数据行"):
        coverage_files.import_file(tree["town_a"], official, csv(), "hot.csv")
    assert HotSpot.objects.count() == 0
