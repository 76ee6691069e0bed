"""Stations as xlsx: the template's dropdowns, the all-or-nothing import, the export and a round trip."""

import io

from openpyxl import Workbook, load_workbook

from core import geo
from core.jobs import Job
from core.models import HistoryEntry
from orgs.models import Partner
from stations import hours as rules
from stations.models import Amenity, Station
from stations.services import station_files

from .. import factories
from .helpers import station

GCJ = (30.095300, 120.493800)


def book_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def header(*extra) -> list[str]:
    return [
        "名称",
        "类型",
        "所属工会",
        "依托单位",
        "地址",
        "纬度",
        "经度",
        "坐标系",
        "周一",
        "周二",
        "周三",
        "周四",
        "周五",
        "周六",
        "周日",
        *extra,
    ]


def row(name, **over) -> list:
    values = {
        "name": name,
        "kind": "爱心翼站",
        "union": "",
        "partner": "中国电信柯北营业厅",
        "address": "绍兴市柯桥区兴越路88号",
        "lat": GCJ[0],
        "lon": GCJ[1],
        "system": "GCJ-02",
        "hours": ["08:30-18:00"] * 5 + ["09:00-17:00", "休息"],
        "extra": [],
    }
    values.update(over)
    return [
        values["name"],
        values["kind"],
        values["union"],
        values["partner"],
        values["address"],
        values["lat"],
        values["lon"],
        values["system"],
        *values["hours"],
        *values["extra"],
    ]


def upload(client, content: bytes, name="stations.xlsx", union=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile(name, content)}
    if union is not None:
        data["union"] = union.pk
    return client.post("/console/stations/import/", data)


def test_template_has_dropdowns_for_coded_columns(tree, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = client.get("/console/stations/import/template/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["服务站点"]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["名称*", "类型*"]
    assert "坐标系" in headers and "周一" in headers and "饮用水" in headers
    lists = book["lists"]
    columns = {lists.cell(row=1, column=n).value: n for n in range(1, lists.max_column + 1)}
    values = {
        key: [lists.cell(row=r, column=n).value for r in range(2, lists.max_row + 1)]
        for key, n in columns.items()
    }
    assert [v for v in values["kind"] if v] == ["职工驿站", "爱心翼站", "小哥驿站", "户外劳动者服务站点"]
    assert [v for v in values["coordinate_system"] if v] == ["WGS-84", "GCJ-02", "BD-09"]
    assert [v for v in values["amenity"] if v] == ["是", "否"]
    letters = {h.rstrip("*"): sheet.cell(row=1, column=i).column_letter for i, h in enumerate(headers, 1)}
    ranges = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    covered = " ".join(ranges)
    for column in ("类型", "坐标系", "饮用水", "AED"):
        assert f"{letters[column]}2:" in covered, column


def test_import_creates_converts_and_is_repeatable(tree, login):
    Partner.objects.create(union=tree["district"], name="中国电信柯北营业厅", kind="telecom")
    client = login(factories.official("svc-d", "service", tree["district"]))
    content = book_bytes(
        [
            header("饮用水", "无线网络"),
            row("爱心翼站·柯北", union="柯桥街道总工会", extra=["是", "否"]),
            row(
                "爱心翼站·华舍",
                union="华舍街道总工会",
                lat=30.1180,
                lon=120.4720,
                system="wgs84",
                hours=["24小时"] * 7,
                extra=["是", "是"],
            ),
        ]
    )
    response = upload(client, content)
    assert response.status_code == 302, response.context["result"]
    kebei = Station.objects.get(name="爱心翼站·柯北")
    wgs = geo.to_wgs84(*GCJ, geo.GCJ02)
    assert (kebei.union, kebei.kind, kebei.partner.name) == (
        tree["town_a"],
        "telecom_care",
        "中国电信柯北营业厅",
    )
    assert (float(kebei.latitude), float(kebei.longitude)) == (round(wgs.lat, 6), round(wgs.lon, 6))
    assert kebei.hours[5] == [[540, 1020]] and kebei.hours[6] == []
    assert list(kebei.amenities.values_list("code", flat=True)) == ["drinking_water"]
    huashe = Station.objects.get(name="爱心翼站·华舍")
    assert (str(huashe.latitude), huashe.hours) == ("30.118000", rules.always_open())
    assert sorted(huashe.amenities.values_list("code", flat=True)) == ["drinking_water", "wifi"]
    # Again, with a change: the same stations are updated, none added.
    content = book_bytes(
        [
            header("饮用水", "无线网络"),
            row("爱心翼站·柯北", union="柯桥街道总工会", address="兴越路90号", extra=["否", "是"]),
        ]
    )
    assert upload(client, content).status_code == 302
    kebei.refresh_from_db()
    assert Station.objects.count() == 2
    assert kebei.address == "兴越路90号"
    assert list(kebei.amenities.values_list("code", flat=True)) == ["wifi"]


def test_import_is_all_or_nothing_with_row_and_column(tree, login):
    Partner.objects.create(union=tree["town_a"], name="中国电信柯北营业厅", kind="telecom")
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    content = book_bytes(
        [
            header("饮用水"),
            row("好站", extra=["是"]),
            row("坏坐标", system="火星"),
            row("坏时间", hours=["8点-5点"] + ["休息"] * 6),
            row("坏类型", kind="驿站"),
            row("别人的工会", union="华舍街道总工会"),
            row("一个坐标", lon=""),
            row("坏设施", extra=["也许"]),
            row("好站"),
            row("南纬", lat=-GCJ[0]),  # a minus sign too many: the Indian Ocean
            row("非数", lat="NaN"),  # a Decimal that compares to nothing: it was a 500
        ]
    )
    response = upload(client, content, union=tree["town_a"])
    assert response.status_code == 200
    errors = {(e["row"], e["column"]) for e in response.context["result"]["errors"]}
    assert errors == {
        (3, "坐标系"),
        (4, "周一"),
        (5, "类型"),
        (6, "所属工会"),
        (7, "经度"),
        (8, "饮用水"),
        (9, "名称"),
        (10, "纬度"),
        (11, "纬度"),
    }
    text = response.content.decode()
    assert "8点-5点" in text and "未导入任何数据" in text
    assert Station.objects.count() == 0


def test_import_file_problems_are_messages(tree, login):
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = upload(client, b"PK\x03\x04broken", union=tree["town_a"])
    assert "无法读取 Excel 文件" in str(response.context["form"].errors)
    response = upload(client, book_bytes([["名称", "地址"], ["甲", "乙"]]), union=tree["town_a"])
    assert "缺少必填列“类型”" in response.content.decode()
    csv_text = "名称,类型,地址,纬度,经度,坐标系\n柯迎社区小哥驿站,小哥驿站,柯迎社区,30.1,120.5,BD-09\n"
    response = upload(client, csv_text.encode("gb18030"), name="stations.csv", union=tree["town_a"])
    assert response.status_code == 302
    made = Station.objects.get()
    lat, lon = geo.from_wgs84(geo.Point(float(made.latitude), float(made.longitude)), geo.BD09)
    assert geo.distance_m(lat, lon, 30.1, 120.5) < 0.2
    assert made.kind == "rider"


def test_cannot_import_into_a_station_out_of_reach(tree, login):
    station(tree["town_b"], "华舍站")
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = upload(client, book_bytes([header(), row("华舍站", union="华舍街道总工会", partner="")]))
    assert response.status_code == 200
    assert Station.objects.get().union == tree["town_b"]
    keeper_only = login(factories.official("k", "keeper", tree["town_a"]))
    assert keeper_only.get("/console/stations/import/").status_code == 404


def test_export_has_import_columns_and_round_trips(tree, login):
    host = Partner.objects.create(union=tree["town_a"], name="瑞丰银行营业部", kind="bank")
    made = station(tree["town_a"], "柯桥职工驿站·瑞丰银行", partner=host, hours=rules.always_open())
    made.amenities.add(Amenity.objects.get(code="microwave"))
    station(tree["town_b"], "华舍站")  # out of scope
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    response = client.get("/console/stations/?format=xlsx")
    assert response.status_code == 302
    job = Job.objects.get(kind="export")
    with job.result_file.open("rb") as handle:
        content = handle.read()
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    head = rows[0]
    assert len(rows) == 2
    record = dict(zip(head, rows[1], strict=True))
    assert record["名称"] == "柯桥职工驿站·瑞丰银行"
    assert record["依托单位"] == "瑞丰银行营业部"
    assert (record["纬度"], record["经度"], record["坐标系"]) == (30.088, 120.492, "WGS-84")
    assert record["周一"] == "24小时" and record["周日"] == "24小时"
    assert (record["微波炉"], record["饮用水"]) == ("是", "否")
    assert record["类型"] == "职工驿站" and record["所属工会"] == "柯桥街道总工会"
    before = (made.latitude, made.longitude, made.hours, made.partner_id, made.address)
    history = HistoryEntry.objects.count()
    response = upload(client, content, name="export.xlsx")
    assert response.status_code == 302, response.context["result"]
    # Nothing changed, nothing written.
    assert HistoryEntry.objects.count() == history
    assert "0 个，更新 0 个，1 个无变化" in client.get("/console/stations/").content.decode()
    made.refresh_from_db()
    assert (made.latitude, made.longitude, made.hours, made.partner_id, made.address) == before
    assert list(made.amenities.values_list("code", flat=True)) == ["microwave"]
    assert Station.objects.count() == 2


def test_columns_follow_the_managed_list(db):
    Amenity.objects.filter(code="aed").update(active=False)
    headers = [c.header for c in station_files.columns()]
    assert "AED" not in headers and "饮用水" in headers


def test_large_files_import_in_the_background(tree, login, monkeypatch):
    monkeypatch.setattr(station_files, "INLINE_BYTES", 100)
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    good = book_bytes([header(), row("柯北站", partner="")])
    # The job's title carries the file's name, cut to the title's length (PostgreSQL refused it: a 500).
    response = upload(client, good, name="站" * 296 + ".xlsx", union=tree["town_a"])
    job = Job.objects.get(kind="station_import")
    assert len(job.title) == 200
    assert response["Location"] == f"/console/jobs/{job.pk}/"
    assert (job.status, job.result["created"]) == ("done", 1)
    assert Station.objects.get().name == "柯北站"
    bad = book_bytes([header(), row("坏站", partner="", kind="驿站")])
    upload(client, bad, union=tree["town_a"])
    job = Job.objects.filter(kind="station_import").latest("pk")
    assert job.result["imported"] is False and "错误报告" in job.message
    with job.result_file.open("rb") as handle:
        report = load_workbook(io.BytesIO(handle.read())).active
    assert [c.value for c in report[2]][:2] == [2, "类型"]
    assert Station.objects.count() == 1


def test_a_name_that_starts_like_a_formula_is_exported_as_text(tree, login):
    # Found by fuzzing: "=HYPERLINK(…)" typed into a name was kept, and openpyxl writes a string that
    # starts with "=" as a formula: it would run in the official's Excel (core.spreadsheets.inert).
    formula = '=HYPERLINK("http://evil.example/","点击")'
    station(tree["town_a"], formula)
    client = login(factories.official("svc-a", "service", tree["town_a"]))
    assert client.get("/console/stations/?format=xlsx").status_code == 302
    with Job.objects.get(kind="export").result_file.open("rb") as handle:
        cell = load_workbook(io.BytesIO(handle.read())).active["A2"]
    assert (cell.value, cell.data_type) == (formula, "s")
