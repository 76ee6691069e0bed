"""Pages that follow background jobs; a job is visible to the user who started it."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from . import access
from .models import Job


def _mine(request):
    return Job.objects.filter(created_by=request.user)


@access.requires(access.SIGNED_IN)
def job_list(request):
    return render(request, "core/job_list.html", {"jobs": _mine(request)[:100]})


@access.requires(access.SIGNED_IN)
def job_detail(request, pk):
    job = get_object_or_404(_mine(request), pk=pk)
    template = "core/job_progress.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


@access.requires(access.SIGNED_IN)
def job_download(request, pk):
    job = get_object_or_404(_mine(request), pk=pk)
    if not job.result_file:
        raise Http404
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=job.result_file.name.split("/")[-1]
    )
