"""xlsx exports of console lists, built in the background through restrict(user, "export")."""

import io
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task
from openpyxl import Workbook

from . import jobs
from .scoping import EXPORT
from .spreadsheets import inert


def start_export(view) -> HttpResponseRedirect:
    cls = type(view)
    query = view.request.GET.copy()
    query.pop("format", None)
    job = jobs.start(
        "export",
        _("导出：%(name)s") % {"name": view.model._meta.verbose_name_plural},
        view.request.user,
        export_list,
        f"{cls.__module__}.{cls.__qualname__}",
        query.urlencode(),
    )
    return HttpResponseRedirect(reverse("core:job-detail", args=[job.pk]))


def _plain(value):
    if value is None or isinstance(value, int | float | str):
        return value
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if hasattr(value, "isoformat"):
        return value
    return str(value)


@task()
def export_list(job_id: int, view_path: str, querystring: str) -> None:
    def work(job, progress):
        view = import_string(view_path)()
        user = get_user_model().objects.get(pk=job.created_by_id)
        view.action = EXPORT
        view.request = SimpleNamespace(user=user, GET=QueryDict(querystring))
        queryset = view.get_queryset()
        progress.total(queryset.count())
        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(view.model._meta.verbose_name_plural)[:30])
        sheet.append([view.heading(column) for column in view.columns])
        done = 0
        for obj in queryset.iterator(chunk_size=2000):
            sheet.append(inert(sheet, [_plain(view.cell(obj, column)) for column in view.columns]))
            done += 1
            if done % 2000 == 0:
                progress.advance(done)
        progress.advance(done)
        buffer = io.BytesIO()
        book.save(buffer)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        job.result_file.save(
            f"{view.model._meta.model_name}-{stamp}.xlsx", ContentFile(buffer.getvalue()), save=False
        )
        return {"rows": done}

    jobs.run(job_id, work)
