"""A background job's page (progress, then the download) and its file, for the person who asked only:
anyone else gets 404, as for any object outside their scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from taizhang.core import jobs, workers
from taizhang.core.models import JobStatus


def _job(request, uid):
    return get_object_or_404(jobs.visible(request.user), uid=uid)


@login_required
def job_page(request, uid):
    job = _job(request, uid)
    state = workers.job_state(job.task_id) if job.task_id and job.status != JobStatus.DONE else None
    context = {"job": job, "queued": state == "queued", "workers": bool(workers.live_workers()) if state else True}
    return render(request, "core/_job.html" if request.htmx else "core/job.html", context)


@login_required
def job_file(request, uid):
    job = _job(request, uid)
    if job.status != JobStatus.DONE or not job.storage_name:
        raise Http404
    try:
        handle = default_storage.open(job.storage_name, "rb")
    except FileNotFoundError:  # removed by housekeeping after TAIZHANG_IMPORT_KEEP_HOURS
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.title, content_type=job.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def job_retry(request, uid):
    job = _job(request, uid)
    try:
        again = jobs.retry(job, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("job", uid=job.uid)
    return redirect("job", uid=again.uid)
