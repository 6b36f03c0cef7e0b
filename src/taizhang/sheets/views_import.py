"""Import pages: upload → preview (mapping, counts, every problem with its cell) → confirm → progress."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl.utils import get_column_letter

from taizhang.core.downloads import attachment
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.sheets import actions
from taizhang.sheets.export import write_refused
from taizhang.sheets.forms import UploadForm
from taizhang.sheets.layout import SYNONYMS, clean
from taizhang.sheets.models import ImportJob, ImportStatus
from taizhang.sheets.reader import UnreadableFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELD_LABELS = {key: words[0] for key, words in SYNONYMS.items()}


def _job(request, pk) -> ImportJob:
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied
    return get_object_or_404(ImportJob, pk=pk, created_by=request.user)


@login_required
def upload(request):
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = actions.start_import(
                data["file"],
                by=request.user,
                source=data["source"],
                title=data["title"],
                kind=data["kind"],
                feedback_date=data["feedback_date"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("sheets:preview", pk=job.pk)
    return render(request, "sheets/upload.html", {"form": form})


def _header_row(sheet, plan) -> list[str]:
    if not plan.columns:
        return []
    for row in sheet.head[:30]:
        cells = [clean(v) for v in row]
        if any(
            cells[c] == plan.labels.get(k) and plan.labels.get(k) for k, c in plan.columns.items() if c < len(cells)
        ):
            return cells
    return []


@login_required
def preview(request, pk):
    job = _job(request, pk)
    if job.status != ImportStatus.UPLOADED:
        return redirect("sheets:progress_page", pk=job.pk)
    if job.file_removed:
        expired = _("This upload was not imported within %(hours)s hours and has been deleted; upload it again.")
        context = {"job": job, "unreadable": expired % {"hours": settings.TAIZHANG_IMPORT_KEEP_HOURS}}
        return render(request, "sheets/preview.html", context)
    try:
        sheet, plan = actions.load(job)
    except UnreadableFile as exc:
        return render(request, "sheets/preview.html", {"job": job, "unreadable": str(exc)})
    header = _header_row(sheet, plan)
    if request.method == "POST":
        action = request.POST.get("do")
        try:
            if action == "mapping":
                columns = {key: request.POST.get(f"col-{key}") for key in SYNONYMS}
                actions.set_columns(job, columns, by=request.user)
                messages.success(request, _("Column mapping applied."))
            elif action == "template":
                actions.save_template(job, request.POST.get("template_name", ""), header, plan.columns, by=request.user)
                messages.success(request, _("Mapping saved as a template."))
            elif action == "use_template":
                template = actions.matching_template(header)
                if template:
                    actions.set_columns(job, template.columns, by=request.user)
            elif action == "confirm":
                if plan.errors:
                    raise ValidationError(_("Fix the problems listed before importing."))
                actions.run_import(job, by=request.user)
                return redirect("sheets:progress_page", pk=job.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("sheets:preview", pk=job.pk)
    width = max((len(r) for r in sheet.head), default=0)
    column_choices = [(i, f"{get_column_letter(i + 1)} · {header[i] if i < len(header) else ''}") for i in range(width)]
    counts = actions.preview_counts(job, sheet, plan)
    context = {
        "job": job,
        "plan": plan,
        "summary": plan.summary(),
        "counts": counts,
        "fields": [(key, FIELD_LABELS[key], plan.columns.get(key)) for key in SYNONYMS],
        "column_choices": column_choices,
        "template": actions.matching_template(header) if header else None,
        "sample": plan.tasks[:20],
    }
    return render(request, "sheets/preview.html", context)


@login_required
def refused_rows(request, pk):
    job = _job(request, pk)
    sheet, plan = actions.load(job)
    buffer = io.BytesIO()
    write_refused(_header_row(sheet, plan), plan.refused_rows, buffer)
    return attachment(buffer.getvalue(), f"{job.file_name.rsplit('.', 1)[0]}-未导入的行.xlsx", XLSX)


@login_required
def progress_page(request, pk):
    job = _job(request, pk)
    context = {"job": job, "progress": actions.read_progress(job), "stale": actions.is_stale(job)}
    template = "sheets/_progress.html" if request.htmx else "sheets/progress.html"
    return render(request, template, context)


@require_POST
@login_required
def retry(request, pk):
    job = _job(request, pk)
    try:
        actions.retry_import(job, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("sheets:progress_page", pk=job.pk)
    return redirect("sheets:preview", pk=job.pk)
