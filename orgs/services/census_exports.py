"""A census round's coverage tables and 应建未建 list as one xlsx, built in the background."""

import io

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from openpyxl import Workbook

from core import jobs
from core.scoping import EXPORT
from core.spreadsheets import inert

from ..models import CensusRound
from .census import coverage, coverage_totals, due_uncovered


def figure_headings() -> list[tuple[str, str]]:
    return [
        ("employers", _("单位数")),
        ("due", _("应建会单位")),
        ("due_covered", _("应建已建")),
        ("due_uncovered", _("应建未建")),
        ("employer_rate", _("单位覆盖率（%）")),
        ("workers", _("职工总数")),
        ("workers_covered", _("已覆盖职工")),
        ("worker_rate", _("职工覆盖率（%）")),
        ("new_form", _("新业态从业人数")),
        ("new_form_covered", _("已覆盖新业态从业人数")),
        ("new_form_rate", _("新业态覆盖率（%）")),
        ("members", _("会员人数")),
    ]


def coverage_book(census: CensusRound) -> bytes:
    book = Workbook(write_only=True)
    headings = figure_headings()
    totals = book.create_sheet(_("合计"))
    totals.append([label for _k, label in headings])
    figures = coverage_totals(census)
    totals.append([figures[key] for key, _l in headings])
    for by, title in (("region", _("按镇街")), ("sector", _("按行业")), ("brand", _("按品牌"))):
        sheet = book.create_sheet(title)
        sheet.append([title.removeprefix(_("按")), *(label for _k, label in headings)])
        for row in coverage(census, by):
            sheet.append(inert(sheet, [str(row["label"]), *(row[key] for key, _l in headings)]))
    due = book.create_sheet(_("应建未建"))
    due.append(
        [
            _("单位名称"),
            _("统一社会信用代码"),
            _("行政区划"),
            _("行业"),
            _("品牌"),
            _("职工总数"),
            _("新业态从业人数"),
        ]
    )
    for entry in due_uncovered(census).iterator(chunk_size=2000):
        employer = entry.employer
        due.append(
            inert(
                due,
                [
                    employer.name,
                    employer.uscc or "",
                    str(employer.region),
                    employer.get_sector_display(),
                    employer.brand.name if employer.brand else "",
                    entry.headcount,
                    entry.new_form_headcount,
                ],
            )
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@task()
def export_coverage(job_id: int, census_id: int) -> None:
    def work(job, progress):
        census = (
            CensusRound.objects.restrict(job.created_by, EXPORT).select_related("union").get(pk=census_id)
        )
        content = coverage_book(census)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        job.result_file.save(f"census-coverage-{census.pk}-{stamp}.xlsx", ContentFile(content), save=False)
        return {"census": census.pk}

    jobs.run(job_id, work)
