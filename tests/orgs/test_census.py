"""Census rounds: snapshots, coverage figures, 应建未建, the import template and imports, console and API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from core.models import HistoryEntry, Job
from members.models import Membership
from orgs.models import CensusEntry, CensusRound, Employer
from orgs.services import census as census_services
from orgs.services.census_files import build_template, columns
from orgs.services.census_import import import_file

from .. import factories
from .census_world import figures, uscc, world

pytestmark = pytest.mark.django_db

HEADER = [c.header for c in columns()]


@pytest.fixture
def census(tree):
    w = world(tree)
    # Members of site_a (which covers only E1): two active, one who left; site_b shares nothing either.
    for _n in range(2):
        factories.member(tree["site_a"])
    Membership.objects.filter(pk=factories.member(tree["site_a"]).memberships.get().pk).update(status="left")
    factories.member(tree["site_b"])
    round_ = census_services.create_round(tree["district"], "2026年普查", snapshot=True)
    return {"round": round_, **w}


def test_snapshot_records_every_employer(census, tree):
    entries = {e.employer.name: e for e in CensusEntry.objects.filter(census=census["round"])}
    assert sorted(entries) == ["中通华舍网点", "华舍环卫所", "美团柯桥站点", "顺丰华舍网点", "顺丰柯桥网点"]
    e1 = entries["顺丰柯桥网点"]
    assert (e1.headcount, e1.new_form_headcount, e1.members, e1.union) == (35, 30, 2, tree["site_a"])
    assert e1.headcounts == {"courier": 30, "other": 5}
    assert (entries["中通华舍网点"].members, entries["美团柯桥站点"].union) == (1, None)
    # Taking it again changes nothing.
    before = HistoryEntry.objects.count()
    assert census_services.take_snapshot(census["round"]) == 5
    assert CensusEntry.objects.filter(census=census["round"]).count() == 5
    assert HistoryEntry.objects.count() == before + 1  # the action itself


def test_coverage_figures_are_exact(census):
    round_ = census["round"]
    assert figures(census_services.coverage_totals(round_)) == (
        5,
        4,
        2,
        2,
        2,
        161,
        61,
        106,
        56,
        3,
        50.0,
        37.9,
        52.8,
    )
    by_region = {row["label"]: figures(row) for row in census_services.coverage(round_, "region")}
    assert by_region == {
        "柯桥街道": (2, 2, 1, 1, 1, 75, 35, 70, 30, 2, 50.0, 46.7, 42.9),
        "华舍街道": (3, 2, 1, 1, 1, 86, 26, 36, 26, 1, 50.0, 30.2, 72.2),
    }
    by_sector = {row["label"]: figures(row) for row in census_services.coverage(round_, "sector")}
    assert by_sector == {
        "快递物流": (3, 2, 2, 0, 2, 71, 61, 66, 56, 3, 100.0, 85.9, 84.8),
        "环境卫生": (1, 1, 0, 1, 0, 50, 0, 0, 0, 0, 0.0, 0.0, None),
        "外卖配送": (1, 1, 0, 1, 0, 40, 0, 40, 0, 0, 0.0, 0.0, 0.0),
    }
    by_brand = [(row["label"], figures(row)) for row in census_services.coverage(round_, "brand")]
    assert by_brand == [
        ("（无品牌）", (1, 1, 0, 1, 0, 50, 0, 0, 0, 0, 0.0, 0.0, None)),
        ("顺丰速运", (2, 1, 1, 0, 1, 45, 35, 40, 30, 2, 100.0, 77.8, 75.0)),
        ("美团", (1, 1, 0, 1, 0, 40, 0, 40, 0, 0, 0.0, 0.0, 0.0)),
        ("中通快递", (1, 1, 1, 0, 1, 26, 26, 26, 26, 1, 100.0, 100.0, 100.0)),
    ]


def test_coverage_is_one_query_per_table(census, django_assert_num_queries):
    with django_assert_num_queries(1):
        census_services.coverage(census["round"], "brand")
    with django_assert_num_queries(1):
        census_services.coverage_totals(census["round"])


def test_due_uncovered_list_and_threshold(census, tree):
    assert [e.employer.name for e in census_services.due_uncovered(census["round"])] == [
        "美团柯桥站点",
        "华舍环卫所",
    ]
    higher = census_services.create_round(tree["district"], "门槛45", threshold=45, snapshot=True)
    assert [e.employer.name for e in census_services.due_uncovered(higher)] == ["华舍环卫所"]
    assert census_services.coverage_totals(higher)["due"] == 1
    town = census_services.create_round(tree["town_a"], "柯桥街道普查", snapshot=True)
    assert [e.employer.name for e in census_services.due_uncovered(town)] == ["美团柯桥站点"]
    assert census_services.coverage_totals(town)["employers"] == 2


def _xlsx(rows, header=HEADER, census=None, user=None):
    if census is not None:
        book = load_workbook(io.BytesIO(build_template(census, user)))
        sheet = book.worksheets[0]
    else:
        book = Workbook()
        sheet = book.active
        sheet.append(header)
    for row in rows:
        sheet.append([row.get(h, "") for h in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [
    {
        "单位名称": "极兔柯桥网点",
        "统一社会信用代码": uscc("91330603MA2BC0002"),
        "单位类型": "站点/网点",
        "品牌": "中通快递",
        "行业": "快递物流",
        "行政区划代码": "330603001 柯桥街道",
        "快递员": 27,
        "其他职工": 2,
        "覆盖工会": "饿了么柯桥站工会",
    },
    {
        "单位名称": "美团柯桥站点",
        "行业": "外卖配送",
        "行政区划代码": "330603001",
        "外卖配送员": 44,
        "职工总数": 46,
        "会员人数": 7,
    },
    {
        "单位名称": "华舍家政",
        "单位类型": "企业",
        "行业": "家政服务",
        "行政区划代码": "330603003",
        "家政服务员": 12,
    },
]


def test_import_happy_path_and_reimport_changes_nothing(census, tree):
    user = factories.official("org-d", "organisation", tree["district"])
    round_ = census_services.create_round(tree["district"], "2026年导入")
    content = _xlsx(GOOD, census=round_, user=user)
    result = import_file(round_, user, content, "普查.xlsx")
    assert result == {"imported": True, "rows": 3, "created": 2, "updated": 1, "entries": 3}
    jitu = Employer.objects.get(name="极兔柯桥网点")
    assert (jitu.uscc, jitu.headcount, jitu.new_form_headcount, jitu.area_union, jitu.union) == (
        uscc("91330603MA2BC0002"),
        29,
        27,
        tree["town_a"],
        tree["site_a"],
    )
    meituan = census["e2"]
    meituan.refresh_from_db()
    assert (meituan.headcount, meituan.new_form_headcount, meituan.headcounts) == (
        46,
        44,
        {"delivery_rider": 44},
    )
    entries = {
        e.employer.name: (e.headcount, e.new_form_headcount, e.members, e.union) for e in round_.entries.all()
    }
    assert entries == {
        "极兔柯桥网点": (29, 27, 0, tree["site_a"]),
        "美团柯桥站点": (46, 44, 7, None),
        "华舍家政": (12, 12, 0, None),
    }
    assert Employer.objects.get(name="华舍家政").area_union == tree["town_b"]
    before = (HistoryEntry.objects.count(), Employer.objects.count(), CensusEntry.objects.count())
    again = import_file(round_, user, content, "普查.xlsx")
    assert again == {"imported": True, "rows": 3, "created": 0, "updated": 0, "entries": 0}
    assert (HistoryEntry.objects.count(), Employer.objects.count(), CensusEntry.objects.count()) == before


def _errors(result):
    assert result["imported"] is False
    return [(e["row"], e["column"], e["message"]) for e in result["errors"]]


def test_each_kind_of_bad_row_is_reported_and_nothing_written(census, tree):
    user = factories.official("org-d", "organisation", tree["district"])
    round_ = census_services.create_round(tree["district"], "坏文件")
    rows = [
        {**GOOD[0], "统一社会信用代码": "91330603MA2BC0002X"},
        {**GOOD[1], "行业": "航天"},
        {**GOOD[2], "行政区划代码": "330602001"},
        {**GOOD[2], "单位名称": "负数", "家政服务员": -3},
        {**GOOD[2], "单位名称": "少报", "家政服务员": 30, "职工总数": 20},
        {**GOOD[2], "单位名称": "", "品牌": "不存在快递"},
        {**GOOD[0], "单位名称": "重复甲", "统一社会信用代码": uscc("91330603MA2BC0003")},
        {**GOOD[0], "单位名称": "重复乙", "统一社会信用代码": uscc("91330603MA2BC0003")},
        {**GOOD[2], "单位名称": "无名工会", "覆盖工会": "不存在的工会"},
        {**GOOD[2], "单位名称": "类型错", "单位类型": "合作社", "职工总数": "很多"},
        # Found by fuzzing: the job failed on these with Python's own words and no row.
        {**GOOD[2], "单位名称": "是非", "家政服务员": True},
        {**GOOD[2], "单位名称": "天文数字", "家政服务员": 10**30},
    ]
    before = (HistoryEntry.objects.count(), Employer.objects.count(), CensusEntry.objects.count())
    errors = _errors(import_file(round_, user, _xlsx(rows), "bad.xlsx"))
    assert errors == [
        (2, "统一社会信用代码", "统一社会信用代码校验位错误"),
        (3, "行业", "不是可选的行业：航天"),
        (4, "行政区划代码", "区划代码 330602001 不在本次普查的范围内"),
        (5, "家政服务员", "应为不小于0的整数"),
        (6, "职工总数", "职工总数（20）少于各就业形态人数之和（30）"),
        (7, "单位名称", "必填"),
        (7, "品牌", "未登记的品牌：不存在快递"),
        (9, "统一社会信用代码", "与第8行重复"),
        (10, "覆盖工会", "找不到已建会的工会：不存在的工会"),
        (11, "单位类型", "不是可选的单位类型：合作社"),
        (11, "职工总数", "应为不小于0的整数"),
        (12, "家政服务员", "应为不小于0的整数"),
        (13, "家政服务员", "应不超过 2147483647"),
    ]
    assert (HistoryEntry.objects.count(), Employer.objects.count(), CensusEntry.objects.count()) == before


def test_missing_required_column(census, tree):
    user = factories.official("org-d", "organisation", tree["district"])
    header = [h for h in HEADER if h != "行业"]
    errors = _errors(import_file(census["round"], user, _xlsx([GOOD[2]], header=header), "x.xlsx"))
    assert errors == [(1, "行业", "缺少必填列“行业”")]


def test_code_of_an_employer_outside_the_round(census, tree):
    user = factories.official("org-a", "organisation", tree["town_a"])
    round_ = census_services.create_round(tree["town_a"], "柯桥街道普查")
    # E1's code, but E1 is in 柯桥街道: fine. A code of an employer in 华舍街道 is refused.
    outsider = census["e3"]
    outsider.uscc = uscc("91330603MA2BC0009")
    outsider.save()
    row = {**GOOD[0], "统一社会信用代码": outsider.uscc, "覆盖工会": ""}
    errors = _errors(import_file(round_, user, _xlsx([row]), "x.xlsx"))
    assert errors == [(2, "统一社会信用代码", "该统一社会信用代码已属于本次普查范围以外的单位")]
    outsider.refresh_from_db()
    assert outsider.name == "顺丰华舍网点"


def _csv(rows, encoding):
    lines = [",".join(HEADER)]
    for row in rows:
        lines.append(",".join(str(row.get(h, "")) for h in HEADER))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def test_gbk_and_utf8_csv(census, tree):
    user = factories.official("org-d", "organisation", tree["district"])
    round_ = census_services.create_round(tree["district"], "CSV")
    result = import_file(round_, user, _csv(GOOD, "gbk"), "普查.csv")
    assert result == {"imported": True, "rows": 3, "created": 2, "updated": 1, "entries": 3}
    assert Employer.objects.get(name="华舍家政").headcounts == {"domestic_worker": 12}
    again = import_file(round_, user, _csv(GOOD, "utf-8-sig"), "普查.csv")
    assert again["created"] == 0 and again["updated"] == 0


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "x.xlsx", "文件是空的"),
        (b"PK\x03\x04garbage", "x.xlsx", "无法读取 Excel 文件：文件可能已损坏、不完整或不是 .xlsx 格式"),
        (b"%PDF-1.4", "x.pdf", "只支持 .xlsx 和 .csv 文件"),
        (b"\xff\xfe\x00\x00\x81", "x.csv", "无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码"),
    ],
)
def test_broken_files_give_clear_errors(census, tree, content, name, message):
    from orgs.services.census_files import FileError

    user = factories.official("org-d", "organisation", tree["district"])
    with pytest.raises(FileError) as raised:
        import_file(census["round"], user, content, name)
    assert str(raised.value) == message


def test_truncated_xlsx(census, tree):
    from orgs.services.census_files import FileError

    user = factories.official("org-d", "organisation", tree["district"])
    content = _xlsx(GOOD)
    with pytest.raises(FileError) as raised:
        import_file(census["round"], user, content[: len(content) // 2], "x.xlsx")
    assert str(raised.value) == "无法读取 Excel 文件：文件可能已损坏、不完整或不是 .xlsx 格式"


def test_template_has_dropdowns_over_a_hidden_list_sheet(census, tree):
    user = factories.official("org-d", "organisation", tree["district"])
    book = load_workbook(io.BytesIO(build_template(census["round"], user)))
    data, lists = book["普查数据"], book["lists"]
    assert lists.sheet_state == "hidden"
    assert [c.value for c in data[1]][:8] == [
        "单位名称*",
        "统一社会信用代码",
        "单位类型",
        "品牌",
        "所属平台",
        "行业*",
        "行政区划代码*",
        "地址",
    ]
    rules = {
        str(v.sqref).split(":")[0]: v.formula1
        for v in data.data_validations.dataValidation
        if v.type == "list"
    }
    assert rules == {
        "C2": "'lists'!$A$2:$A$4",
        "D2": "'lists'!$B$2:$B$4",
        "E2": "'lists'!$C$2:$C$2",
        "F2": "'lists'!$D$2:$D$14",
        "G2": "'lists'!$E$2:$E$18",
        "U2": "'lists'!$F$2:$F$6",
    }
    # The district and its sixteen streets and towns (the regions ship with the app).
    regions = [c.value for c in lists["E"] if c.value][1:]
    assert (len(regions), regions[:3]) == (17, ["330603 柯桥区", "330603001 柯桥街道", "330603002 柯岩街道"])
    assert [c.value for c in lists["F"] if c.value][1:] == [
        "柯桥区总工会",
        "柯桥街道总工会",
        "饿了么柯桥站工会",
        "华舍街道总工会",
        "顺丰华舍网点工会",
    ]
    assert [c.value for c in lists["B"] if c.value][1:] == ["中通快递", "美团", "顺丰速运"]
    whole = [v for v in data.data_validations.dataValidation if v.type == "whole"]
    assert len(whole) == 1 and "I2:I100001" in str(whole[0].sqref)


def test_console_import_runs_as_a_job_and_reports_errors(census, tree, login):
    client = login(factories.official("org-d", "organisation", tree["district"]))
    round_ = census["round"]
    template = client.get(f"/console/census/{round_.pk}/template/")
    assert template.status_code == 200
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = SimpleUploadedFile("bad.xlsx", _xlsx([{**GOOD[1], "行业": "航天"}]))
    response = client.post(f"/console/census/{round_.pk}/import/", {"file": bad})
    job = Job.objects.get(kind="census_import")
    assert response.status_code == 302
    assert response["Location"] == f"/console/census/{round_.pk}/import/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "发现 1 处错误，未导入任何数据，请下载错误报告" in page
    assert "不是可选的行业：航天" in page
    report = load_workbook(io.BytesIO(client.get(f"/console/jobs/{job.pk}/download/").getvalue()))
    assert [[c.value for c in row] for row in report.active.iter_rows()] == [
        ["行号", "列", "问题"],
        [2, "行业", "不是可选的行业：航天"],
    ]
    good = SimpleUploadedFile("good.csv", _csv(GOOD, "gbk"))
    response = client.post(f"/console/census/{round_.pk}/import/", {"file": good})
    page = client.get(response["Location"]).content.decode()
    assert "已导入 3 行：新增单位 2 家，更新 1 家" in page
    broken = SimpleUploadedFile("broken.xlsx", b"PK\x03\x04broken")
    response = client.post(f"/console/census/{round_.pk}/import/", {"file": broken})
    assert "无法读取 Excel 文件" in client.get(response["Location"]).content.decode()
    wrong = client.post(f"/console/census/{round_.pk}/import/", {"file": SimpleUploadedFile("a.doc", b"x")})
    assert wrong.status_code == 200 and "只支持 .xlsx 和 .csv 文件" in wrong.content.decode()
    huge = SimpleUploadedFile("huge.csv", b"a" * (20 * 1024 * 1024 + 1))
    refused = client.post(f"/console/census/{round_.pk}/import/", {"file": huge})
    assert refused.status_code == 200 and "文件过大（超过 20 MB），请分批导入" in refused.content.decode()
    # A name longer than a file system takes (it was a 500); the job goes by its extension.
    named = SimpleUploadedFile("名" * 296 + ".csv", _csv(GOOD, "gbk"))
    response = client.post(f"/console/census/{round_.pk}/import/", {"file": named})
    assert "已导入 3 行" in client.get(response["Location"]).content.decode()
    assert Job.objects.filter(kind="census_import").count() == 4


def test_census_pages_and_scoping(census, tree, login):
    round_ = census["round"]
    district = login(factories.official("org-d", "organisation", tree["district"]))
    page = district.get(f"/console/census/{round_.pk}/")
    assert page.status_code == 200
    assert page.context["totals"]["new_form"] == 106
    assert page.context["brands"] == 3
    assert [e.employer.name for e in page.context["due"]] == ["美团柯桥站点", "华舍环卫所"]
    due = district.get(f"/console/census/entries/?census={round_.pk}&due_uncovered=true")
    assert [obj.employer.name for obj, _c in due.context["rows"]] == ["华舍环卫所", "美团柯桥站点"]
    export = district.get(f"/console/census/entries/?census={round_.pk}&due_uncovered=true&format=xlsx")
    assert export.status_code == 302
    job = Job.objects.get(kind="export")
    book = load_workbook(io.BytesIO(district.get(f"/console/jobs/{job.pk}/download/").getvalue()))
    assert [row[0].value for row in book.active.iter_rows()][1:] == [
        f"{round_} · 华舍环卫所",
        f"{round_} · 美团柯桥站点",
    ] or [row[0].value for row in book.active.iter_rows()][1:] == ["华舍环卫所", "美团柯桥站点"]
    response = district.post(f"/console/census/{round_.pk}/coverage/export/")
    job = Job.objects.filter(kind="export").order_by("-id").first()
    assert response["Location"] == f"/console/jobs/{job.pk}/"
    book = load_workbook(io.BytesIO(district.get(f"/console/jobs/{job.pk}/download/").getvalue()))
    assert book.sheetnames == ["合计", "按镇街", "按行业", "按品牌", "应建未建"]
    assert [c.value for c in book["合计"][2]][:4] == [5, 4, 2, 2]
    town = login(factories.official("org-a", "organisation", tree["town_a"]))
    assert town.get(f"/console/census/{round_.pk}/").status_code == 404
    assert town.get(f"/console/census/{round_.pk}/import/").status_code == 404
    assert town.post(f"/console/census/{round_.pk}/snapshot/").status_code == 404
    assert town.get("/console/census/").context["rows"] == []
    viewer = login(factories.official("viewer-d", "viewer", tree["district"]))
    assert viewer.get(f"/console/census/{round_.pk}/").status_code == 200
    assert viewer.get(f"/console/census/{round_.pk}/import/").status_code == 404


def test_console_create_round_with_snapshot(census, tree, login):
    client = login(factories.official("org-a", "organisation", tree["town_a"]))
    response = client.post(
        "/console/census/add/",
        {
            "union": tree["town_a"].pk,
            "name": "柯桥街道2026",
            "taken_on": "2026-11-01",
            "threshold": "25",
            "snapshot": "on",
        },
    )
    assert response.status_code == 302
    made = CensusRound.objects.get(name="柯桥街道2026")
    assert sorted(made.entries.values_list("employer__name", flat=True)) == ["美团柯桥站点", "顺丰柯桥网点"]
    refused = client.post(
        "/console/census/add/",
        {"union": tree["district"].pk, "name": "越权", "taken_on": "2026-11-01", "threshold": "25"},
    )
    assert refused.status_code == 200
    assert not CensusRound.objects.filter(name="越权").exists()


def test_api_coverage_and_entries(census, tree, login):
    round_ = census["round"]
    client = login(factories.official("org-d", "organisation", tree["district"]))
    data = client.get(f"/api/v1/census-rounds/{round_.pk}/coverage/").json()
    assert figures(data["totals"]) == (5, 4, 2, 2, 2, 161, 61, 106, 56, 3, 50.0, 37.9, 52.8)
    assert [row["label"] for row in data["brand"]] == ["（无品牌）", "顺丰速运", "美团", "中通快递"]
    assert [row["employer_name"] for row in data["due_uncovered"]] == ["美团柯桥站点", "华舍环卫所"]
    entries = client.get(f"/api/v1/census-entries/?census={round_.pk}&due_uncovered=true").json()
    assert sorted(row["employer_name"] for row in entries["results"]) == ["华舍环卫所", "美团柯桥站点"]
    made = client.post(
        "/api/v1/census-rounds/",
        {"union": tree["district"].pk, "name": "API普查", "taken_on": "2026-11-02"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    snapshot = client.post(f"/api/v1/census-rounds/{made.json()['id']}/snapshot/")
    assert snapshot.json() == {"employers": 5}
    assert CensusRound.objects.get(name="API普查").entries.count() == 5
    town = login(factories.official("org-a", "organisation", tree["town_a"]))
    assert town.get(f"/api/v1/census-rounds/{round_.pk}/coverage/").status_code == 404
    assert town.post(f"/api/v1/census-rounds/{round_.pk}/snapshot/").status_code == 404
    assert town.get(f"/api/v1/census-entries/?census={round_.pk}").json()["results"] == []
    before = CensusRound.objects.count()
    refused = town.post(
        "/api/v1/census-rounds/",
        {"union": tree["district"].pk, "name": "越权", "taken_on": "2026-11-02"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert CensusRound.objects.count() == before
