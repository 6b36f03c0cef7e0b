"""Spreadsheet downloads and the import flow: upload → preview (mapping, problems) → confirm."""

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core import jobs
from taizhang.core.downloads import XLSX, attachment
from taizhang.core.permissions import EXPORT
from taizhang.sheets.export import write_csv, write_xlsx
from taizhang.tasks.origins import Source  # every ledger exports: findings, risks, decisions, occurrences


def _filename(source, ext):
    return f"{source.title}-{timezone.localdate():%Y%m%d}.{ext}"


def ledger_file(source, ext: str, user, month: str = "") -> tuple[bytes, str]:
    """The ledger as `user` sees it: xlsx, csv, or the monthly table (月度进展表) of `month`."""
    if ext == "monthly":
        from taizhang.documents import tables

        buffer = io.BytesIO()
        tables.write_monthly(source, month, buffer, user=user)
        return buffer.getvalue(), XLSX
    if ext == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(source, buffer, user=user)
        return buffer.getvalue(), XLSX
    text = io.StringIO()
    write_csv(source, text, user=user)
    return text.getvalue().encode("utf-8"), "text/csv; charset=utf-8"


@login_required
def export_ledger(request, pk, ext):
    """What the user sees, exported: the same scope as the ledger page."""
    source = get_object_or_404(Source.objects.restrict(request.user, EXPORT), pk=pk)
    content, content_type = ledger_file(source, ext, request.user)
    return attachment(content, _filename(source, ext), content_type)


@require_POST
@login_required
def export_job(request, pk):
    """The ledger page's export and monthly table: made by the queue's worker (a ledger of 100,000 rows
    takes seconds), then offered on the job's page. The plain addresses still answer a script at once."""
    source = get_object_or_404(Source.objects.restrict(request.user, EXPORT), pk=pk)
    ext = request.POST.get("ext", "xlsx")
    if ext not in ("xlsx", "csv", "monthly"):
        raise Http404
    month = timezone.localdate().strftime("%Y-%m")
    title = f"{source.title}-{month}.xlsx" if ext == "monthly" else _filename(source, ext)
    job = jobs.start(
        "sheets.export",
        by=request.user,
        title=title,
        params={"source": source.pk, "ext": ext, "month": month},
        back_url=request.POST.get("back", "")[:300] if request.POST.get("back", "").startswith("/") else "",
    )
    return redirect("job", uid=job.uid)


def make_export(job, user, progress):
    """A ledger exported as `user` sees it (core/jobs.py)."""
    source = Source.objects.restrict(user, EXPORT).get(pk=job.params["source"])
    return jobs.Made(*ledger_file(source, job.params["ext"], user, job.params["month"]))
