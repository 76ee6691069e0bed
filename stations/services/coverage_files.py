"""Hot spot files: the import template, importing a file all or nothing, and the analysis as xlsx.

The spreadsheet mechanics (template with dropdowns, reading xlsx/csv in UTF-8 or GBK, limits,
cells, the error report) are core.spreadsheets, shared with the census import; this module says
which columns a hot spot file has and what a good row is.

A file is imported into one union: a row whose name is a hot spot of that union already
updates it, any other row makes a new one (source "imported"); importing the same file again
changes nothing. Every row is checked first and nothing is written when any row is wrong.
Coordinates are given in the system the row names (WGS-84, GCJ-02 as 高德/腾讯 show them, or
BD-09 as 百度 shows them) and stored as WGS-84 (core.geo.to_wgs84).
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import geo, spreadsheets
from core.history import record_bulk_created
from core.scoping import CHANGE
from core.spreadsheets import Column, FileError, Problem
from orgs.models import Union

from ..choices import HotSpotSource
from ..models import HotSpot
from .coverage import Analysis, instant_label

MAX_ROWS = 20_000
MAX_REPORTED = 1000
__all__ = ["MAX_ROWS", "FileError", "analysis_book", "build_template", "check", "import_file"]


def system_labels() -> dict[str, str]:
    """The dropdown's options: the system's code first, so "gcj02（高德/腾讯）" reads as gcj02."""
    return {
        geo.WGS84: _("wgs84（GPS、天地图）"),
        geo.GCJ02: _("gcj02（高德、腾讯地图）"),
        geo.BD09: _("bd09（百度地图）"),
    }


def columns() -> list[Column]:
    return [
        Column("name", _("名称"), required=True),
        Column("latitude", _("纬度"), required=True),
        Column("longitude", _("经度"), required=True),
        Column("system", _("坐标系"), required=True),
        Column("day_workers", _("白天人数"), required=True, number=True),
        Column("night_workers", _("夜间人数"), required=True, number=True),
    ]


def build_template() -> bytes:
    """The xlsx template: one row per hot spot, a dropdown of coordinate systems, an example row."""
    return spreadsheets.build_template(
        _("需求热点"),
        columns(),
        {"system": list(system_labels().values())},
        [
            _("每行一个需求热点（如专业市场、物流园区、外卖站点），带*的列必填。"),
            _("纬度、经度填写十进制度，如 30.088000、120.492000。"),
            _("坐标系请从下拉列表选择：GPS 设备为 wgs84；高德、腾讯地图的坐标为 gcj02；百度地图的为 bd09。"),
            _("系统统一换算为 WGS-84 保存。"),
            _("白天人数、夜间人数填写在此处工作的户外劳动者人数（不小于0的整数），夜间指 21:00 前后。"),
            _("名称与本工会已有热点相同时更新该热点，否则新增；同一名称在文件中只能出现一次。"),
            _("任何一行有错误时，整个文件都不导入，请按错误提示修改后重新上传。"),
        ],
        last_row=MAX_ROWS + 1,
        rows=[[_("示例：中国轻纺城东升路市场"), 30.101, 120.495, system_labels()[geo.GCJ02], 320, 40]],
    )


@dataclass
class Checked:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _system(value) -> str | None:
    text = str(value).strip().lower().replace("-", "").replace("_", "")
    for code in geo.SYSTEMS:
        if text.startswith(code):
            return code
    return None


def _degrees(value) -> Decimal | None:
    if value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def check(union: Union, header: list[str], data: list[tuple[int, list]]) -> Checked:
    """Every problem of the file by row and column; the good rows ready to write when there is none."""
    result = Checked()
    cols = columns()
    by_key = {c.key: c for c in cols}
    index = spreadsheets.header_index(header, cols)
    for col in cols:
        if col.key not in index:
            result.problems.append(
                Problem(1, col.header, _("缺少必填列“%(column)s”") % {"column": col.header})
            )
    if result.problems:
        return result
    existing = {spot.name: spot for spot in HotSpot.objects.filter(union=union)}
    seen: dict[str, int] = {}
    for number, cells in data:
        raw = {key: spreadsheets.cell(cells, i) for key, i in index.items()}
        before = len(result.problems)

        def problem(key, message, number=number):
            result.problems.append(Problem(number, by_key[key].header, message))

        name = str(raw["name"])
        if not name:
            problem("name", _("必填"))
        elif len(name) > 100:
            problem("name", _("不能超过100个字"))
        elif name in seen:
            problem("name", _("与第%(row)d行重复") % {"row": seen[name]})
        elif name in existing and existing[name].source == HotSpotSource.CENSUS:
            problem("name", _("与普查生成的热点同名，请换一个名称"))
        else:
            seen[name] = number
        degrees, position = {}, None
        for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
            value = _degrees(raw[key])
            if raw[key] == "":
                problem(key, _("必填"))
            elif value is None or not (low <= value <= high):
                problem(key, _("应为 %(low)d 到 %(high)d 之间的十进制度数") % {"low": low, "high": high})
            else:
                degrees[key] = value
        system = _system(raw["system"])
        if raw["system"] == "":
            problem("system", _("必填"))
        elif system is None:
            problem(
                "system",
                _("不是可选的坐标系：%(value)s（应为 wgs84、gcj02 或 bd09）") % {"value": raw["system"]},
            )
        elif len(degrees) == 2:
            try:
                position = geo.stored_position(degrees["latitude"], degrees["longitude"], system)
            except ValidationError as error:
                problem("latitude", error.messages[0])
        counts = {}
        for key in ("day_workers", "night_workers"):
            value = raw[key]
            if value == "":
                problem(key, _("必填"))
            elif wrong := spreadsheets.count_problem(value):
                problem(key, wrong)
            else:
                counts[key] = value
        if len(result.problems) > before:
            continue
        result.rows.append(
            {
                "number": number,
                "spot": existing.get(name),
                "name": name,
                "latitude": position[0],
                "longitude": position[1],
                **counts,
            }
        )
    return result


@transaction.atomic
def apply(union: Union, user, rows: list[dict]) -> dict[str, int]:
    """Write checked rows into `union`: new hot spots in bulk (each with its history entry),
    changed ones saved one by one, unchanged ones left alone."""
    new: list[HotSpot] = []
    written: list[int] = []
    for row in rows:
        values = {k: row[k] for k in ("latitude", "longitude", "day_workers", "night_workers")}
        spot = row["spot"]
        if spot is None:
            new.append(HotSpot(union=union, name=row["name"], source=HotSpotSource.IMPORTED, **values))
        elif any(getattr(spot, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(spot, key, value)
            spot.save()
            written.append(spot.pk)
    updated = len(written)
    # One INSERT per thousand rows: a file of 10^4 new hot spots is a second, not a request timing out.
    HotSpot.objects.bulk_create(new, batch_size=1000)
    record_bulk_created(new)
    written += [spot.pk for spot in new]
    # Every hot spot written must be one the user may change: otherwise everything rolls back.
    if HotSpot.objects.restrict(user, CHANGE).filter(pk__in=written).count() != len(written):
        raise PermissionDenied
    return {
        "rows": len(rows),
        "created": len(new),
        "updated": updated,
        "unchanged": len(rows) - len(new) - updated,
    }


def import_file(union: Union, user, content: bytes, file_name: str) -> dict:
    """Read, check and (when every row is good) write a hot spot file. Raises FileError."""
    header, data = spreadsheets.read_rows(content, file_name, str(_("需求热点")), max_rows=MAX_ROWS)
    checked = check(union, header, data)
    if not checked.problems:
        try:
            return {"imported": True, **apply(union, user, checked.rows)}
        except IntegrityError:
            # Someone added a hot spot of one of these names meanwhile; nothing was written.
            checked.problems.append(
                Problem(1, _("名称"), _("导入期间有同名热点被新增，未导入任何数据，请重新导入"))
            )
    return {
        "imported": False,
        "rows": len(data),
        "error_count": len(checked.problems),
        "errors": [p.__dict__ for p in checked.problems[:MAX_REPORTED]],
    }


def analysis_book(analysis: Analysis) -> bytes:
    """The figures, the ranked uncovered hot spots and the suggested sites as one xlsx."""
    book = Workbook(write_only=True)
    period = analysis.period_label
    summary = book.create_sheet(_("覆盖概况"))
    summary.append([_("工会"), str(analysis.union)])
    summary.append([_("服务半径（米）"), analysis.radius_m])
    summary.append([_("时段"), f"{period}（{instant_label(analysis.at[analysis.period])}）"])
    summary.append([])
    summary.append([_("时段"), _("户外劳动者人数"), _("已覆盖人数"), _("覆盖率（%）")])
    for key, label in (("day", _("白天")), ("night", _("夜间"))):
        figures = analysis.figures[key]
        summary.append([label, figures.workers, figures.covered, float(figures.share)])
    ranking = book.create_sheet(_("未覆盖热点排名"))
    ranking.append(
        [
            _("排名"),
            _("名称"),
            _("来源"),
            _("纬度（WGS-84）"),
            _("经度（WGS-84）"),
            _("%(period)s未覆盖人数") % {"period": period},
        ]
    )
    sources = dict(HotSpotSource.choices)
    for n, spot in enumerate(analysis.uncovered, 1):
        ranking.append(
            spreadsheets.inert(
                ranking,
                [
                    n,
                    spot.name,
                    str(sources.get(spot.source, spot.source)),
                    spot.lat,
                    spot.lon,
                    spot.workers[analysis.period],
                ],
            )
        )
    sites = book.create_sheet(_("建议新增站点"))
    sites.append(
        [
            _("顺序"),
            _("建议"),
            _("地点"),
            _("纬度（WGS-84）"),
            _("经度（WGS-84）"),
            _("新增覆盖人数"),
            _("累计覆盖人数"),
            _("累计覆盖率（%）"),
        ]
    )
    for s in analysis.suggestions:
        sites.append(
            spreadsheets.inert(
                sites, [s.rank, s.kind_label, s.name, s.lat, s.lon, s.gain, s.total, float(s.share)]
            )
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
