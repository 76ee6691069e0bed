"""Census files: the xlsx template with dropdowns, and reading rows from xlsx or csv (UTF-8 or GBK).

The mechanics (template with dropdowns, reading, limits) are core.spreadsheets; this module says
which columns a census file has and what its coded columns offer.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheets
from core.spreadsheets import LIST_SHEET, MAX_BYTES, MAX_ROWS, Column, FileError

from ..choices import EmployerKind, EmploymentForm, Sector, UnionStatus
from ..models import Brand, CensusRound, Union
from .employers import regions_within

DATA_SHEET = gettext_lazy("普查数据")
__all__ = ["LIST_SHEET", "MAX_BYTES", "MAX_ROWS", "Column", "FileError", "build_template", "read_rows"]


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
    return spreadsheets.build_template(
        str(DATA_SHEET),
        columns(),
        template_lists(census, user),
        [
            _("带*的列必填；其余列可留空。"),
            _("统一社会信用代码为18位，系统会核对校验位；同一代码在文件中只能出现一次。"),
            _("单位类型、品牌、所属平台、行业、行政区划代码、覆盖工会请从下拉列表选择。"),
            _("各就业形态列填写人数；职工总数留空时按各列之和计算，填写时不得少于各列之和。"),
            _("覆盖工会留空表示不改变单位现有的覆盖工会。"),
            _("会员人数留空时，由系统按单位自身工会的在册会员计算。"),
            _("任何一行有错误时，整个文件都不导入，请按错误报告修改后重新上传。"),
        ],
    )


def read_rows(content: bytes, file_name: str) -> tuple[list[str], list[tuple[int, list]]]:
    """(header, [(spreadsheet row number, cells)]) from an xlsx or csv file; FileError when unreadable."""
    return spreadsheets.read_rows(content, file_name, str(DATA_SHEET))
