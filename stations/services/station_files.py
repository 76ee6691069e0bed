"""Stations as xlsx: the import template (with dropdowns), the export's columns, and the import.

One set of columns serves both ways, so an exported file can be edited and imported again.
The import is all or nothing: every row is checked first and every problem reported with its row
and column; only a clean file is written. A row updates the station of the same union and name,
or creates it. Coordinates come with their system (WGS-84, GCJ-02 or BD-09) and are stored as WGS-84.
The mechanics (reading xlsx/csv, template dropdowns) are core.spreadsheets, shared with the census.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from core import geo, jobs, spreadsheets
from core.scoping import ADD, CHANGE, owners_for
from core.spreadsheets import Column, FileError, Problem
from orgs.choices import UnionStatus
from orgs.models import Partner, Region, Union

from .. import hours as rules
from ..choices import StationKind
from ..models import Amenity, Station
from . import registry as services

DATA_SHEET = "服务站点"
MAX_ROWS = 20_000
MAX_REPORTED = 500
YES, NO = "是", "否"
SYSTEM_LABELS = {geo.WGS84: "WGS-84", geo.GCJ02: "GCJ-02", geo.BD09: "BD-09"}

__all__ = ["FileError", "build_template", "columns", "import_file"]


def amenities() -> list[Amenity]:
    return list(Amenity.objects.filter(active=True).order_by("order", "code"))


def columns(amenity_list: list[Amenity] | None = None) -> list[Column]:
    """The file's columns in order; headers are what the reader matches."""
    cols = [
        Column("name", _("名称"), required=True),
        Column("kind", _("类型"), required=True),
        Column("union", _("所属工会")),
        Column("partner", _("依托单位")),
        Column("address", _("地址"), required=True),
        Column("region", _("行政区划代码")),
        Column("latitude", _("纬度")),
        Column("longitude", _("经度")),
        Column("coordinate_system", _("坐标系")),
        Column("phone", _("联系电话")),
    ]
    cols += [Column(f"hours:{day}", str(label)) for day, label in enumerate(rules.WEEKDAYS)]
    cols.append(Column("opening_note", _("开放时间说明")))
    cols += [Column(f"amenity:{a.code}", a.name) for a in (amenity_list or amenities())]
    cols.append(Column("active", _("开放中")))
    return cols


def addable_unions(user):
    """The active unions where `user` may add stations (an import's rows may go to any of them)."""
    return owners_for(user, Station, ADD, Union.objects.filter(status=UnionStatus.ACTIVE)).order_by("path")


def template_lists(user) -> dict[str, list[str]]:
    partners = Partner.objects.restrict(user).order_by("name").values_list("name", flat=True)
    return {
        "kind": [str(label) for _v, label in StationKind.choices],
        "union": list(dict.fromkeys(addable_unions(user).values_list("name", flat=True))),
        "partner": list(dict.fromkeys(partners)),
        "coordinate_system": list(SYSTEM_LABELS.values()),
        "amenity": [YES, NO],
        "active": [YES, NO],
    }


HELP = [
    "带*的列必填；其余列可留空。",
    "同一工会下名称相同的站点视为同一站点：已有则更新，没有则新增。",
    "所属工会留空时，使用导入页面上选择的工会；依托单位须是本工会或上级工会登记的合作单位。",
    "坐标须同时填写纬度和经度，并选择坐标系：高德、腾讯地图拾取的选 GCJ-02，百度地图选 BD-09，"
    "GPS 设备选 WGS-84。系统统一换算为 WGS-84 保存；导出的文件为 WGS-84。",
    "周一至周日各填一天的开放时段，如 08:30-17:00；多段用逗号分隔；全天写“24小时”，不开放写“休息”或留空。",
    "各设施服务列填“是”或“否”；文件中没有的列不改变站点现有的设置。",
    "任何一行有错误时，整个文件都不导入，请按错误提示修改后重新上传。",
]


def build_template(user) -> bytes:
    return spreadsheets.build_template(
        DATA_SHEET, columns(), template_lists(user), [_(line) for line in HELP], last_row=MAX_ROWS + 1
    )


# --- Export (the console list's xlsx job uses these per station) -------------------------------------


def export_value(station: Station, key: str):
    """The cell of `key` for `station`, as the import reads it back."""
    if key == "kind":
        return str(station.get_kind_display())
    if key == "union":
        return station.union.name
    if key == "partner":
        return station.partner.name if station.partner_id else ""
    if key == "region":
        return station.region_id or ""
    if key in ("latitude", "longitude"):
        value = getattr(station, key)
        return float(value) if value is not None else None
    if key == "coordinate_system":
        return SYSTEM_LABELS[geo.WGS84] if station.latitude is not None else ""
    if key.startswith("hours:"):
        hours = station.hours or [[] for _d in range(7)]
        return rules.format_day(hours[int(key.split(":")[1])])
    if key.startswith("amenity:"):
        code = key.split(":", 1)[1]
        return YES if any(a.code == code for a in station.amenities.all()) else NO
    if key == "active":
        return YES if station.active else NO
    return getattr(station, key)


# --- Import ------------------------------------------------------------------------------------------


def _system(value: str) -> str | None:
    text = str(value).strip().lower().replace("-", "").replace("_", "")
    return {"wgs84": geo.WGS84, "gcj02": geo.GCJ02, "bd09": geo.BD09}.get(text)


def _yes_no(value) -> bool | None:
    text = str(value).strip().lower()
    if text in ("是", "有", "y", "yes", "1", "true", "√", "✓"):
        return True
    if text in ("否", "无", "n", "no", "0", "false", "", "×"):
        return False
    return None


class _Lookups:
    """Everything the rows refer to, read once for the whole file."""

    def __init__(self, user, default_union: Union, rows: list[tuple[int, dict]]):
        self.kinds = {}
        for value, label in StationKind.choices:
            self.kinds[str(label)] = value
            self.kinds[value] = value
        self.default_union = default_union
        self.addable = {u.pk: u for u in addable_unions(user)}
        names = {str(row["union"]) for _n, row in rows if row.get("union")}
        self.unions: dict[str, list[Union]] = {}
        for union in self.addable.values():
            if union.name in names:
                self.unions.setdefault(union.name, []).append(union)
        partner_names = {str(row["partner"]) for _n, row in rows if row.get("partner")}
        self.partners: dict[str, list[Partner]] = {}
        for partner in Partner.objects.restrict(user).filter(name__in=partner_names).select_related("union"):
            self.partners.setdefault(partner.name, []).append(partner)
        codes = {str(row["region"]).split(" ")[0] for _n, row in rows if row.get("region")}
        self.regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        self.stations = {
            (s.union_id, s.name): s
            for s in Station.objects.filter(
                name__in={str(row["name"]) for _n, row in rows if row.get("name")}
            )
            .select_related("union", "partner")
            .prefetch_related("amenities")
        }
        self.changeable = set(
            Station.objects.restrict(user, CHANGE)
            .filter(pk__in=[s.pk for s in self.stations.values()])
            .values_list("pk", flat=True)
        )

    def partner_for(self, name: str, union: Union) -> Partner | None:
        """The partner of that name kept nearest above the station's union."""
        candidates = [p for p in self.partners.get(name, []) if union.is_within(p.union)]
        return max(candidates, key=lambda p: len(p.union.path), default=None)


def check(user, default_union: Union, header: list[str], data: list[tuple[int, list]]):
    """([row dicts ready to write], [Problem]) for a file's rows."""
    amenity_list = list(Amenity.objects.order_by("order", "code"))
    cols = columns(amenity_list)
    by_key = {c.key: c for c in cols}
    index = spreadsheets.header_index(header, cols)
    problems: list[Problem] = []
    missing = [c.header for c in cols if c.required and c.key not in index]
    for name in missing:
        problems.append(Problem(1, name, _("缺少必填列“%(column)s”") % {"column": name}))
    if ("latitude" in index) != ("longitude" in index):
        problems.append(Problem(1, by_key["latitude"].header, _("纬度和经度两列须同时提供")))
    if missing or problems:
        return [], problems
    rows = [(n, {key: spreadsheets.cell(cells, i) for key, i in index.items()}) for n, cells in data]
    lookups = _Lookups(user, default_union, rows)
    amenities_by_code = {a.code: a for a in amenity_list}
    checked, seen = [], {}
    for number, raw in rows:
        row = _check_row(number, raw, lookups, problems, by_key, amenities_by_code)
        if row is None:
            continue
        key = (row["union"].pk, row["name"])
        if key in seen:
            problems.append(
                Problem(
                    number,
                    by_key["name"].header,
                    _("与第%(row)d行重复（同一工会下同名）") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        checked.append(row)
    return checked, problems


def _check_row(number, raw, lookups: _Lookups, problems, by_key, amenities_by_code) -> dict | None:
    before = len(problems)

    def problem(key, message):
        problems.append(Problem(number, by_key[key].header, message))

    name = str(raw.get("name", ""))
    if not name:
        problem("name", _("必填"))
    elif len(name) > 100:
        problem("name", _("不能超过100个字"))
    kind = lookups.kinds.get(str(raw.get("kind", "")))
    if not raw.get("kind"):
        problem("kind", _("必填"))
    elif kind is None:
        problem("kind", _("不是可选的站点类型：%(value)s") % {"value": raw["kind"]})
    union = lookups.default_union
    if raw.get("union"):
        matches = lookups.unions.get(str(raw["union"]), [])
        if not matches:
            problem("union", _("不是您可以管理站点的工会：%(value)s") % {"value": raw["union"]})
        elif len(matches) > 1:
            problem("union", _("有多个同名工会，请分开导入"))
        else:
            union = matches[0]
    if union is None:
        problem("union", _("必填"))
    address = str(raw.get("address", ""))
    if not address:
        problem("address", _("必填"))
    elif len(address) > 200:
        problem("address", _("不能超过200个字"))
    region = None
    code = str(raw.get("region", "")).split(" ")[0]
    if code:
        region = lookups.regions.get(code)
        if region is None:
            problem("region", _("未知的行政区划代码：%(value)s") % {"value": code})
    position = _check_position(raw, problem)
    week = None
    if any(key.startswith("hours:") for key in raw):
        week = []
        for day in range(7):
            try:
                week.append(rules.parse_day(str(raw.get(f"hours:{day}", ""))))
            except ValidationError as error:
                problem(f"hours:{day}", " ".join(error.messages))
                week.append([])
    chosen = {}
    for key, value in raw.items():
        if key.startswith("amenity:"):
            flag = _yes_no(value)
            if flag is None:
                problem(key, _("请填写“是”或“否”"))
            else:
                chosen[key.split(":", 1)[1]] = flag
    active = None
    if "active" in raw:
        active = _yes_no(raw["active"]) if raw["active"] != "" else True
        if active is None:
            problem("active", _("请填写“是”或“否”"))
    if len(problems) > before or union is None:
        return None
    partner = None
    if raw.get("partner"):
        partner = lookups.partner_for(str(raw["partner"]), union)
        if partner is None:
            problem(
                "partner",
                _("%(union)s及其上级没有登记这个合作单位：%(value)s")
                % {"union": union, "value": raw["partner"]},
            )
            return None
    existing = lookups.stations.get((union.pk, name))
    if existing is not None and existing.pk not in lookups.changeable:
        problem("name", _("该站点不在您可以修改的范围内"))
        return None
    station = existing or Station(union=union, name=name)
    before = None if existing is None else _snapshot(existing)
    station.kind, station.address = kind, address
    if "partner" in raw:
        station.partner = partner
    if "region" in raw:
        station.region = region
    if position is not False:
        station.latitude, station.longitude = position or (None, None)
    if "phone" in raw:
        station.phone = str(raw["phone"])
    if "opening_note" in raw:
        station.opening_note = str(raw["opening_note"])
    if week is not None:
        station.hours = week
    if active is not None:
        station.active = active
    try:
        # The relations are the rows looked up above, the pair (union, name) was matched above and the
        # position checked: only the fields' own rules are left (a query per row each otherwise).
        station.full_clean(
            exclude=["union", "partner", "region", "keepers", "amenities"],
            validate_unique=False,
            validate_constraints=False,
        )
        services.check_partner(station)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            key = field if field in by_key else "name"
            for message in messages:
                problem(key, message)
        return None
    selected = None
    if chosen:
        current = set() if existing is None else {a.code for a in existing.amenities.all()}
        codes = {c for c in current if c not in chosen} | {c for c, flag in chosen.items() if flag}
        selected = [amenities_by_code[c] for c in sorted(codes) if c in amenities_by_code]
    if before is not None and _snapshot(station) == before:
        current = {a.code for a in existing.amenities.all()}
        if selected is None or {a.code for a in selected} == current:
            station = None  # the file says what is stored: nothing to write
    return {"number": number, "station": station, "name": name, "union": union, "amenities": selected}


_WRITTEN = ("kind", "address", "partner_id", "region_id", "latitude", "longitude", "phone", "opening_note")


def _snapshot(station: Station) -> tuple:
    return (*(getattr(station, name) for name in _WRITTEN), station.hours, station.active)


def _check_position(raw, problem):
    """(lat, lon) in WGS-84, None when both are empty, False when the file has no coordinate columns."""
    if "latitude" not in raw:
        return False
    lat, lon = str(raw.get("latitude", "")), str(raw.get("longitude", ""))
    if not lat and not lon:
        return None
    if not lat or not lon:
        problem("latitude" if not lat else "longitude", _("经纬度须同时填写或同时留空"))
        return None
    system = _system(raw.get("coordinate_system", ""))
    if system is None:
        problem("coordinate_system", _("请选择坐标系：WGS-84、GCJ-02 或 BD-09"))
        return None
    try:
        lat_value, lon_value = Decimal(lat), Decimal(lon)
    except InvalidOperation:
        lat_value = lon_value = Decimal("NaN")
    if not (lat_value.is_finite() and lon_value.is_finite()):  # "NaN" and "inf" are Decimals too
        problem("latitude", _("坐标须为十进制度数，如 30.088123"))
        return None
    if not (-90 <= lat_value <= 90):
        problem("latitude", _("纬度须在 -90 到 90 之间"))
        return None
    if not (-180 <= lon_value <= 180):
        problem("longitude", _("经度须在 -180 到 180 之间"))
        return None
    try:
        return geo.stored_position(lat_value, lon_value, system)
    except ValidationError as error:
        problem("latitude", error.messages[0])
        return None


@transaction.atomic
def apply(user, rows: list[dict]) -> dict:
    created = updated = 0
    written = [row for row in rows if row["station"] is not None]
    for row in written:
        is_new = row["station"].pk is None
        services.save_station(row["station"], amenities=row["amenities"], checked=True)
        created += is_new
        updated += not is_new
    ids = [row["station"].pk for row in written]
    if Station.objects.restrict(user, CHANGE).filter(pk__in=ids).count() != len(set(ids)):
        raise PermissionDenied
    return {"rows": len(rows), "created": created, "updated": updated, "unchanged": len(rows) - len(written)}


def import_file(user, default_union: Union | None, content: bytes, file_name: str) -> dict:
    """Read, check and (when every row is good) write a stations file. Raises FileError."""
    header, data = spreadsheets.read_rows(content, file_name, DATA_SHEET, max_rows=MAX_ROWS)
    rows, problems = check(user, default_union, header, data)
    if problems:
        return {
            "imported": False,
            "rows": len(data),
            "error_count": len(problems),
            "errors": [p.__dict__ for p in problems[:MAX_REPORTED]],
        }
    return {"imported": True, **apply(user, rows)}


# --- Large files: in the background ---------------------------------------------------------------------

# Files up to this size are imported while the official waits (errors listed on the page); larger ones
# (thousands of rows) go to a background job whose page follows the progress and offers the error report.
INLINE_BYTES = 256 * 1024


def start_import(user, default_union: Union | None, upload) -> "jobs.Job":
    """Keep the upload where the worker can read it and queue the import; returns the Job."""
    name = default_storage.save("imports/stations/upload.bin", upload)
    return jobs.start(
        "station_import",
        _("服务站点导入：%(name)s") % {"name": upload.name},
        user,
        run_import,
        default_union.pk if default_union else None,
        name,
        upload.name,
    )


@task()
def run_import(job_id: int, union_id: int | None, stored_name: str, file_name: str) -> None:
    def work(job, progress):
        try:
            with default_storage.open(stored_name, "rb") as stored:
                content = stored.read()
        finally:
            default_storage.delete(stored_name)
        union = Union.objects.filter(pk=union_id).first() if union_id else None
        try:
            result = import_file(job.created_by, union, content, file_name)
        except FileError as error:
            progress.advance(0, str(error))
            return {"imported": False, "file_error": str(error), "error_count": 1}
        except PermissionDenied:
            progress.advance(0, _("超出您的管理范围，未导入。"))
            return {"imported": False, "error_count": 1}
        if result["imported"]:
            progress.advance(
                result["rows"],
                _("已导入 %(rows)d 行：新增 %(created)d 个，更新 %(updated)d 个，%(unchanged)d 个无变化")
                % result,
            )
            return result
        progress.advance(
            0, _("发现 %(n)d 处错误，未导入任何数据，请下载错误报告") % {"n": result["error_count"]}
        )
        job.result_file.save(
            f"station-errors-{job.pk}.xlsx",
            ContentFile(spreadsheets.error_report(result["errors"])),
            save=False,
        )
        return {k: v for k, v in result.items() if k != "errors"}

    jobs.run(job_id, work)
