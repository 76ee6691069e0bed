"""Importing a census file into a round: every row checked first, then all written or nothing.

All-or-nothing: a single bad row means nothing is written, and the error report lists every
problem by row and column, so the official fixes the file and uploads it again. Re-importing the
same file changes nothing (employers are matched by their code, else by name and region).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from core import jobs
from core.codes import normalise_uscc
from core.scoping import CHANGE
from core.spreadsheets import Problem, count_problem, error_report, header_index
from core.spreadsheets import cell as _cell

from ..choices import EmployerKind, Sector, UnionStatus
from ..models import Brand, CensusEntry, CensusRound, Employer, Union
from .census import _members_of_own_unions, employers_of
from .census_files import FileError, columns, read_rows
from .employers import area_union_for, regions_within, save_employer, settle_counts

MAX_REPORTED = 1000


@dataclass
class Checked:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _by_label(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[str(label)] = value
        lookup[value] = value
    return lookup


class _Lookups:
    """Everything the rows refer to, read once for the whole file."""

    def __init__(self, census: CensusRound, user, data: list[tuple[int, dict]]):
        self.census = census
        self.kinds = _by_label(EmployerKind.choices)
        # "站点/网点" is one label; officials write either half.
        for part in str(EmployerKind.SITE.label).split("/"):
            self.kinds[part] = EmployerKind.SITE
        self.sectors = _by_label(Sector.choices)
        self.brands = {b.name: b for b in Brand.objects.all()}
        self.regions = {r.code: r for r in regions_within(census.union)}
        unions: dict[str, list[Union]] = {}
        names = {str(row["union"]) for _n, row in data if row.get("union")}
        for union in Union.objects.restrict(user).filter(name__in=names, status=UnionStatus.ACTIVE):
            unions.setdefault(union.name, []).append(union)
        self.unions = unions
        self.area_unions: dict[str, Union | None] = {}
        in_scope = employers_of(census.union)
        codes = {str(row["uscc"]).upper() for _n, row in data if row.get("uscc")}
        self.by_uscc = {e.uscc: e for e in Employer.objects.filter(uscc__in=codes)}
        self.in_scope = set(in_scope.filter(uscc__in=codes).values_list("pk", flat=True))
        self.by_name = {
            (e.name, e.region_id): e
            for e in in_scope.filter(name__in={str(row["name"]) for _n, row in data if row.get("name")})
        }

    def area_union(self, region) -> Union | None:
        if region.code not in self.area_unions:
            self.area_unions[region.code] = area_union_for(region, self.census.union)
        return self.area_unions[region.code]


def check(census: CensusRound, user, header: list[str], data: list[tuple[int, list]]) -> Checked:
    """Validate every row against the round's area; collect every problem with its row and column."""
    result = Checked()
    cols = columns()
    index = header_index(header, cols)
    missing = [c.header for c in cols if c.required and c.key not in index]
    for name in missing:
        result.problems.append(Problem(1, name, _("缺少必填列“%(column)s”") % {"column": name}))
    if missing:
        return result
    if not any(c.key.startswith("form:") or c.key == "headcount" for c in cols if c.key in index):
        result.problems.append(Problem(1, _("职工总数"), _("至少需要一列人数（各就业形态人数或职工总数）")))
        return result
    rows = [(n, {key: _cell(cells, i) for key, i in index.items()}) for n, cells in data]
    lookups = _Lookups(census, user, rows)
    seen: dict[tuple, int] = {}
    by_key = {c.key: c for c in cols}
    for number, raw in rows:
        row = _check_row(number, raw, lookups, result.problems, by_key)
        if row is None:
            continue
        key = ("uscc", row["uscc"]) if row["uscc"] else ("name", row["name"], row["region"].code)
        if row["employer"] is not None and ("pk", row["employer"].pk) in seen:
            key = ("pk", row["employer"].pk)
        if key in seen:
            column = _("统一社会信用代码") if row["uscc"] else _("单位名称")
            result.problems.append(Problem(number, column, _("与第%(row)d行重复") % {"row": seen[key]}))
            continue
        seen[key] = number
        if row["employer"] is not None:
            seen[("pk", row["employer"].pk)] = number
        result.rows.append(row)
    return result


def _check_row(number, raw, lookups: _Lookups, problems: list[Problem], by_key) -> dict | None:
    errors_before = len(problems)

    def problem(key, message):
        problems.append(Problem(number, by_key[key].header, message))

    name = str(raw.get("name", ""))
    if not name:
        problem("name", _("必填"))
    elif len(name) > 100:
        problem("name", _("不能超过100个字"))
    uscc = None
    if raw.get("uscc"):
        try:
            uscc = normalise_uscc(str(raw["uscc"]))
        except ValidationError as error:
            problem("uscc", " ".join(error.messages))
    kind = EmployerKind.SITE
    if raw.get("kind"):
        kind = lookups.kinds.get(str(raw["kind"]))
        if kind is None:
            problem("kind", _("不是可选的单位类型：%(value)s") % {"value": raw["kind"]})
    brand = platform = None
    if raw.get("brand"):
        brand = lookups.brands.get(str(raw["brand"]))
        if brand is None:
            problem("brand", _("未登记的品牌：%(value)s") % {"value": raw["brand"]})
    if raw.get("platform"):
        platform = lookups.brands.get(str(raw["platform"]))
        if platform is None or not platform.is_platform:
            problem("platform", _("不是已登记的平台：%(value)s") % {"value": raw["platform"]})
    sector = lookups.sectors.get(str(raw.get("sector", "")))
    if not raw.get("sector"):
        problem("sector", _("必填"))
    elif sector is None:
        problem("sector", _("不是可选的行业：%(value)s") % {"value": raw["sector"]})
    region = area = None
    code = str(raw.get("region", "")).split(" ")[0]
    if not code:
        problem("region", _("必填"))
    else:
        region = lookups.regions.get(code)
        if region is None:
            problem("region", _("区划代码 %(value)s 不在本次普查的范围内") % {"value": code})
        else:
            area = lookups.area_union(region)
            if area is None:
                problem("region", _("该区划没有对应的属地工会"))
    counts, total = {}, None
    for key, value in raw.items():
        if not (key.startswith("form:") or key in ("headcount", "members")) or value == "":
            continue
        if wrong := count_problem(value):
            problem(key, wrong)
        elif key == "headcount":
            total = value
        elif key.startswith("form:"):
            counts[key.removeprefix("form:")] = value
    union = None
    if raw.get("union"):
        matches = lookups.unions.get(str(raw["union"]), [])
        if not matches:
            problem("union", _("找不到已建会的工会：%(value)s") % {"value": raw["union"]})
        elif len(matches) > 1:
            problem("union", _("有多个同名工会，请在系统中为该单位指定"))
        else:
            union = matches[0]
    if len(problems) > errors_before:
        return None
    try:
        counts, total, new_form = settle_counts(counts, total)
    except ValidationError:
        by_form = sum(counts.values())
        problems.append(
            Problem(
                number,
                by_key["headcount"].header,
                _("职工总数（%(total)d）少于各就业形态人数之和（%(sum)d）")
                % {"total": total, "sum": by_form},
            )
        )
        return None
    existing = lookups.by_uscc.get(uscc) if uscc else None
    if existing is not None and existing.pk not in lookups.in_scope:
        problem("uscc", _("该统一社会信用代码已属于本次普查范围以外的单位"))
        return None
    if existing is None:
        # Without a code (or a code not yet recorded) the same name in the same region is the same unit,
        # unless that unit carries another code.
        candidate = lookups.by_name.get((name, region.code))
        if candidate is not None and (not uscc or not candidate.uscc):
            existing = candidate
    members = raw.get("members")
    return {
        "number": number,
        "employer": existing,
        "name": name,
        "uscc": uscc,
        "kind": kind,
        "brand": brand,
        "platform": platform,
        "sector": sector,
        "region": region,
        "area_union": area,
        "address": str(raw.get("address", ""))[:200],
        "headcounts": counts,
        "headcount": total,
        "new_form_headcount": new_form,
        "union": union,
        "members": None if members in ("", None) else members,
    }


@transaction.atomic
def apply(census: CensusRound, user, rows: list[dict], progress=None) -> dict:
    """Write the checked rows: employers created or updated, one entry each in the round."""
    created = updated = 0
    employers = []
    for done, row in enumerate(rows, 1):
        employer = row["employer"] or Employer()
        before = (
            None
            if employer.pk is None
            else (
                employer.name,
                employer.uscc,
                employer.kind,
                employer.brand_id,
                employer.platform_id,
                employer.sector,
                employer.region_id,
                employer.address,
                employer.headcounts,
                employer.headcount,
                employer.union_id,
            )
        )
        employer.name, employer.uscc, employer.kind = row["name"], row["uscc"] or employer.uscc, row["kind"]
        employer.brand, employer.platform, employer.sector = row["brand"], row["platform"], row["sector"]
        employer.region, employer.area_union = row["region"], row["area_union"]
        if row["address"]:
            employer.address = row["address"]
        if row["union"] is not None:
            employer.union = row["union"]
        after = (
            employer.name,
            employer.uscc,
            employer.kind,
            employer.brand_id,
            employer.platform_id,
            employer.sector,
            employer.region_id,
            employer.address,
            row["headcounts"],
            row["headcount"],
            employer.union_id,
        )
        if before is None:
            save_employer(employer, headcounts=row["headcounts"], headcount=row["headcount"])
            created += 1
        elif before != after:
            save_employer(employer, headcounts=row["headcounts"], headcount=row["headcount"])
            updated += 1
        employers.append((employer, row["members"]))
        if progress and done % 500 == 0:
            progress.advance(done)
    # Every employer written must be one the user may change: otherwise roll everything back.
    ids = [e.pk for e, _m in employers]
    if Employer.objects.restrict(user, CHANGE).filter(pk__in=ids).count() != len(set(ids)):
        raise PermissionDenied
    computed = _members_of_own_unions([e for e, m in employers if m is None])
    existing = {e.employer_id: e for e in CensusEntry.objects.filter(census=census, employer_id__in=ids)}
    entries = 0
    for employer, members in employers:
        values = {
            "headcounts": dict(employer.headcounts),
            "headcount": employer.headcount,
            "new_form_headcount": employer.new_form_headcount,
            "members": computed.get(employer.pk, 0) if members is None else members,
            "union": employer.union
            if employer.union_id and employer.union.status == UnionStatus.ACTIVE
            else None,
        }
        entry = existing.get(employer.pk)
        if entry is None:
            CensusEntry.objects.create(census=census, employer=employer, **values)
            entries += 1
        elif any(getattr(entry, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(entry, key, value)
            entry.save()
            entries += 1
    return {"rows": len(rows), "created": created, "updated": updated, "entries": entries}


def _covering(employer: Employer) -> Union | None:
    return employer.union if employer.union_id and employer.union.status == UnionStatus.ACTIVE else None


def import_file(census: CensusRound, user, content: bytes, file_name: str, progress=None) -> dict:
    """Read, check and (when every row is good) write a census file. Raises FileError."""
    header, data = read_rows(content, file_name)
    if progress:
        progress.total(len(data))
    checked = check(census, user, header, data)
    if checked.problems:
        return {
            "rows": len(data),
            "imported": False,
            "error_count": len(checked.problems),
            "errors": [p.__dict__ for p in checked.problems[:MAX_REPORTED]],
        }
    outcome = apply(census, user, checked.rows, progress)
    if progress:
        progress.advance(len(data))
    return {"imported": True, **outcome}


def start_import(census: CensusRound, user, upload) -> "jobs.Job":
    """Keep the upload where the worker can read it and queue the import; returns the Job."""
    # Stored under a name of ours (the upload's may be longer than a file system takes, a 500, or say
    # more than it should); its end is kept for the job, whose reading goes by the extension.
    name = default_storage.save(f"imports/census/{census.pk}.bin", upload)
    return jobs.start(
        "census_import",
        _("普查导入：%(name)s") % {"name": census.name},
        user,
        run_import,
        census.pk,
        name,
        upload.name[-100:],
    )


@task()
def run_import(job_id: int, census_id: int, stored_name: str, file_name: str) -> None:
    def work(job, progress):
        census = CensusRound.objects.select_related("union").get(pk=census_id)
        try:
            with default_storage.open(stored_name, "rb") as stored:
                content = stored.read()
        finally:
            default_storage.delete(stored_name)
        try:
            result = import_file(census, job.created_by, content, file_name, progress)
        except FileError as error:
            progress.advance(0, str(error))
            return {"imported": False, "file_error": str(error), "error_count": 1, "errors": []}
        if result["imported"]:
            progress.advance(
                result["rows"],
                _("已导入 %(rows)d 行：新增单位 %(created)d 家，更新 %(updated)d 家")
                % {"rows": result["rows"], "created": result["created"], "updated": result["updated"]},
            )
        else:
            progress.advance(
                0, _("发现 %(n)d 处错误，未导入任何数据，请下载错误报告") % {"n": result["error_count"]}
            )
            job.result_file.save(
                f"census-errors-{job.pk}.xlsx", ContentFile(error_report(result["errors"])), save=False
            )
        return result

    jobs.run(job_id, work)
