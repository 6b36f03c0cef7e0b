"""Importing a risk register in the browser: upload → preview (the column mapping as read, the first
risks as they would be written, every problem by its cell; nothing written; the mapping can be
corrected and saved as a template, applied to the next file with the same header) → confirm (all or
nothing). The upload waits in storage between the steps under a signed name, with the mapping;
`taizhang cleanup` and the reminder loop delete what is left behind."""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from taizhang.core import jobs, maintenance
from taizhang.core.files import local_copy
from taizhang.core.forms import StyledFormMixin
from taizhang.core.permissions import MANAGE_LEDGER, REPORT_PROGRESS
from taizhang.org.forms import UnitChoiceField
from taizhang.org.models import Unit
from taizhang.risks import actions, sheets
from taizhang.sheets.layout import problem_lines
from taizhang.sheets.reader import UnreadableFile

PREFIX = "risk-imports"
SALT = "taizhang.risks.import"
SUFFIXES = {".xlsx", ".xls", ".ods", ".csv", ".txt"}


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("risk register file (xlsx, xls, ods, csv)"))
    unit = UnitChoiceField(
        queryset=Unit.objects.none(), required=False, label=gettext_lazy("responsible unit of rows that name none")
    )

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.restrict(editor, REPORT_PROGRESS) | Unit.objects.restrict(editor, MANAGE_LEDGER)
        ).distinct()


@login_required
def register_import(request):
    if not actions.may_import(request.user):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("upload"):
        return _step(request)
    form = UploadForm(request.POST or None, request.FILES or None, editor=request.user)
    if request.method != "POST" or not form.is_valid():
        return render(request, "risks/import.html", {"form": form})
    upload, unit = form.cleaned_data["file"], form.cleaned_data["unit"]
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SUFFIXES:
        form.add_error("file", _("Choose an xlsx, xls, ods or csv file."))
        return render(request, "risks/import.html", {"form": form})
    name = default_storage.save(f"{PREFIX}/{uuid.uuid4().hex}{suffix}", upload)
    data = {"name": name, "file": upload.name, "unit": unit.pk if unit else None, "columns": None}
    return _preview(request, form, data)


def _plan(data: dict, unit) -> sheets.Plan:
    try:
        with local_copy(data["name"]) as path:
            return sheets.plan_file(path, name=data["file"], default_unit=unit, columns=data["columns"])
    except UnreadableFile as exc:
        plan = sheets.Plan()
        plan.errors.append({"where": "", "message": str(exc), "code": "unreadable"})
        return plan


def _preview(request, form, data: dict, plan=None):
    """The preview page: the plan, the mapping it read (to correct), the token the next step posts."""
    unit = Unit.objects.filter(pk=data["unit"]).first() if data["unit"] else None
    plan = plan or _plan(data, unit)
    data = data | {"columns": plan.columns or data["columns"]}  # confirming imports exactly what was shown
    choices = [(i, f"{get_column_letter(i + 1)} · {text}") for i, text in enumerate(plan.headers)]
    context = {
        "form": form,
        "plan": plan,
        "token": signing.dumps(data, salt=SALT),
        "file_name": data["file"],
        "fields": [(key, sheets.FIELDS[key][0], plan.columns.get(key)) for key in sheets.READ],
        "column_choices": choices,
        "sample": plan.rows[:20],
    }
    return render(request, "risks/import.html", context)


def _posted_columns(request, shown: dict | None) -> dict:
    """The mapping as corrected on the page; what the page does not offer (the hidden 风险ID) stays."""
    kept = {k: v for k, v in (shown or {}).items() if k not in sheets.READ}
    return kept | {key: int(v) for key in sheets.READ if (v := request.POST.get(f"col-{key}", "")).isdigit()}


def _step(request):
    """A button of the preview: apply a corrected mapping, save it as a template, detect again, confirm."""
    try:
        data = signing.loads(request.POST["upload"], salt=SALT, max_age=settings.TAIZHANG_IMPORT_KEEP_HOURS * 3600)
    except signing.BadSignature:
        data = None
    if data is None or not default_storage.exists(data["name"]):
        messages.error(request, _("The preview has expired; choose the file again."))
        return redirect("risks:import")
    form = UploadForm(editor=request.user)
    do = request.POST.get("do", "confirm")
    if do == "detect":
        return _preview(request, form, data | {"columns": None})
    if do in ("mapping", "template"):
        data = data | {"columns": _posted_columns(request, data["columns"])}
        if do == "template":
            plan = _plan(data, None)
            try:
                saved = actions.save_import_template(
                    request.POST.get("template_name", ""), plan.headers, data["columns"], by=request.user
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Mapping saved as the template “%(name)s”.") % {"name": saved.name})
        return _preview(request, form, data)
    return _confirm(request, form, data)


def _confirm(request, form, data: dict):
    """The import runs as a job of the queue (its page shows it running, then what was imported)."""
    title = _("Import of %(file)s") % {"file": data["file"]}
    job = jobs.start("risks.import", by=request.user, title=title, params=data, back_url=reverse("risks:import"))
    return redirect("job", uid=job.uid)


def run_import(job, user, progress):
    """The confirmed register, imported as `user` (all or nothing), its upload then removed."""
    data = job.params
    unit = Unit.objects.filter(pk=data["unit"]).first() if data["unit"] else None
    if not default_storage.exists(data["name"]):
        raise ValidationError(_("The preview has expired; choose the file again."))
    try:
        with local_copy(data["name"]) as path:
            plan = sheets.import_file(path, by=user, name=data["file"], default_unit=unit, columns=data["columns"])
    except sheets.RegisterRefused as exc:  # the file changed since its preview: nothing was imported
        raise ValidationError(problem_lines(exc.plan.errors)) from exc
    default_storage.delete(data["name"])
    message = _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.") % plan.counts
    return jobs.Made(message=message, link=reverse("risks:register"))


def expire_uploads(now=None, *, dry_run: bool = False) -> list[str]:
    """Uploads left behind by a preview nobody confirmed, after TAIZHANG_IMPORT_KEEP_HOURS."""
    return maintenance.expire_prefix(PREFIX, now, dry_run=dry_run)
