"""Import pages: upload → preview (mapping, counts, every problem with its cell) → confirm → progress."""

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl.utils import get_column_letter

from taizhang.core import workers
from taizhang.core.downloads import XLSX, attachment
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.sheets import actions
from taizhang.sheets.export import write_refused
from taizhang.sheets.forms import UploadForm
from taizhang.sheets.models import ImportJob, ImportStatus
from taizhang.sheets.pipeline import HIDDEN_CHOICES, BadOption, Options, header_cells, parse_header_rows
from taizhang.sheets.reader import UnreadableFile
from taizhang.sheets.vocabulary import FIELDS
from taizhang.similar import panel as similar_panel


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


def _posted_options(request, job):
    """The mapping form as pipeline options: columns, header rows (as numbered in the sheet), sheets, hidden."""
    options = actions.job_options(job)
    options.columns = {}
    for key in FIELDS:
        value = request.POST.get(f"col-{key}", "")
        if value.isdigit():
            options.columns[key] = int(value)
    rows = request.POST.get("header_rows", "").strip()
    options.header_rows = parse_header_rows(rows) if rows else []
    options.sheets = sorted({int(v) for v in request.POST.getlist("sheet") if v.isdigit()})
    hidden = request.POST.get("hidden", "include")
    options.hidden = hidden if hidden in HIDDEN_CHOICES else "include"
    return options


def _post(request, job):
    """The preview's buttons. Only those that need the plan read the file (a mapping change does not:
    the page it redirects to reads the file with the new mapping)."""
    action = request.POST.get("do")
    if action == "mapping":
        actions.set_options(job, _posted_options(request, job), by=request.user)
        messages.success(request, _("Column mapping applied."))
    elif action == "detect":
        actions.set_options(job, Options(), by=request.user)
        messages.success(request, _("The mapping is detected from the file again."))
    elif action == "template":
        prepared, plan, _counts = actions.load(job)
        options = actions.job_options(job)
        options.columns = dict(plan.columns)
        options.header_rows = options.header_rows or plan.header_rows
        name = request.POST.get("template_name", "")
        actions.save_template(job, name, header_cells(prepared), options, by=request.user)
        messages.success(request, _("Mapping saved as a template."))
    elif action == "use_template":
        prepared, _plan, _counts = actions.load(job)
        template = actions.matching_template(header_cells(prepared))
        if template:
            actions.apply_template(job, template, by=request.user)
    elif action == "feedback_date":
        field = forms.DateField(required=False, error_messages={"invalid": _("Enter a date such as 2024-01-15.")})
        day = field.clean(request.POST.get("feedback_date", "").strip())  # a bad date: told by the caller
        if day is None:
            raise ValidationError(_("Give the feedback date (反馈日期) of this ledger."))
        actions.set_feedback_date(job, day, by=request.user)
        messages.success(request, _("Feedback date set."))
    elif action == "confirm":
        if actions.load(job)[1].errors:
            raise ValidationError(_("Fix the problems listed before importing."))
        actions.run_import(job, by=request.user)
        return redirect("sheets:progress_page", pk=job.pk)
    return redirect("sheets:preview", pk=job.pk)


def _rows_text(rows: list[int]) -> str:
    if not rows:
        return ""
    return f"{rows[0] + 1}" if len(rows) == 1 else f"{rows[0] + 1}-{rows[-1] + 1}"


@login_required
def preview(request, pk):
    job = _job(request, pk)
    if job.status != ImportStatus.UPLOADED:
        return redirect("sheets:progress_page", pk=job.pk)
    if job.file_removed:
        expired = _("This upload was not imported within %(hours)s hours and has been deleted; upload it again.")
        context = {"job": job, "unreadable": expired % {"hours": settings.TAIZHANG_IMPORT_KEEP_HOURS}}
        return render(request, "sheets/preview.html", context)
    if request.method == "POST":
        try:
            return _post(request, job)
        except (BadOption, UnreadableFile) as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("sheets:preview", pk=job.pk)
    try:
        prepared, plan, counts = actions.load(job)
    except UnreadableFile as exc:
        return render(request, "sheets/preview.html", {"job": job, "unreadable": str(exc)})
    first = prepared.first
    head = first.sheet.head if first else []
    header = header_cells(prepared)
    width = max((len(r) for r in head), default=0)
    column_choices = [(i, f"{get_column_letter(i + 1)} · {header[i] if i < len(header) else ''}") for i in range(width)]
    options = actions.job_options(job)
    context = {
        "job": job,
        "plan": plan,
        "summary": plan.summary(),
        "counts": counts,
        "fields": [(key, label, plan.columns.get(key)) for key, (label, _word) in FIELDS.items()],
        "column_choices": column_choices,
        "template": actions.matching_template(header),
        "sample": plan.tasks[:20],
        "similar": similar_panel.for_texts((t.finding["text"] for t in plan.tasks), job.source, request.user),
        "choices": prepared.choices,
        "several_sheets": len(prepared.choices) > 1,
        "header_rows": _rows_text(options.header_rows or plan.header_rows),
        "header_detected": not options.header_rows,
        "hidden": options.hidden,
        "has_hidden_rows": any(item.sheet.hidden_rows for item in prepared.located),
        "mapped": bool(job.columns or job.options),
        "needs_feedback_date": any(e["code"] == "no_feedback_date" for e in plan.errors),
    }
    return render(request, "sheets/preview.html", context)


@login_required
def refused_rows(request, pk):
    job = _job(request, pk)
    prepared, plan, _counts = actions.load(job)
    buffer = io.BytesIO()
    write_refused(header_cells(prepared), plan.refused_rows, buffer)
    return attachment(buffer.getvalue(), f"{job.file_name.rsplit('.', 1)[0]}-未导入的行.xlsx", XLSX)


@login_required
def progress_page(request, pk):
    job = _job(request, pk)
    state = actions.running_state(job)
    queued = state == "queued"
    context = {"job": job, "progress": actions.read_progress(job), "stale": state == "stale", "queued": queued}
    context["workers"] = bool(workers.live_workers()) if queued else True
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
