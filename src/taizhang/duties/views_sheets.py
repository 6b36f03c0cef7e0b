"""A responsibility list in and out as a workbook in the office's layout: the export, and the import
of items into a list (upload → preview: the items as read, every problem by its cell, nothing written
→ confirm: all or nothing). The upload waits in storage between the two under a signed name;
`taizhang cleanup` and the reminder loop delete what is left behind."""

import io
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import jobs, maintenance
from taizhang.core.downloads import XLSX, attachment
from taizhang.core.files import local_copy
from taizhang.core.forms import StyledFormMixin
from taizhang.core.permissions import EXPORT, grants
from taizhang.duties import sheets
from taizhang.duties.models import DutyList, ListKind
from taizhang.duties.views import manages_list
from taizhang.sheets.layout import problem_lines
from taizhang.sheets.reader import UnreadableFile

PREFIX = "duty-imports"
SALT = "taizhang.duties.import"
SUFFIXES = {".xlsx", ".xls", ".ods", ".csv", ".txt"}


class ListFileForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("list file (xlsx, xls, ods, csv)"))


def _list(request, pk) -> DutyList:
    return get_object_or_404(DutyList.objects.restrict(request.user).select_related("source"), pk=pk)


@login_required
def list_export(request, pk):
    duty_list = _list(request, pk)
    if not grants(request.user, EXPORT):
        raise PermissionDenied
    out = io.BytesIO()
    sheets.write_xlsx(duty_list, out)
    return attachment(out.getvalue(), f"{duty_list.source.title[:80]}.xlsx", XLSX)


@login_required
def list_import(request, pk):
    duty_list = _list(request, pk)
    if not manages_list(request.user, duty_list) or duty_list.kind != ListKind.LIST:
        raise PermissionDenied  # the letters and the 四纳入 have their fixed items
    if request.method == "POST" and request.POST.get("upload"):
        return _confirm(request, duty_list)
    form = ListFileForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "duties/list_import.html", {"form": form, "duty_list": duty_list})
    upload = form.cleaned_data["file"]
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SUFFIXES:
        form.add_error("file", _("Choose an xlsx, xls, ods or csv file."))
        return render(request, "duties/list_import.html", {"form": form, "duty_list": duty_list})
    name = default_storage.save(f"{PREFIX}/{uuid.uuid4().hex}{suffix}", upload)
    return _preview(request, duty_list, {"name": name, "file": upload.name, "list": duty_list.pk})


def _plan(duty_list, data) -> sheets.Plan:
    try:
        with local_copy(data["name"]) as path:
            return sheets.plan_file(path, duty_list, name=data["file"])
    except UnreadableFile as exc:
        plan = sheets.Plan()
        plan.errors.append({"where": "", "message": str(exc), "code": "unreadable"})
        return plan


def _preview(request, duty_list, data, plan=None):
    plan = plan or _plan(duty_list, data)
    read = [
        (key, sheets.FIELDS[key][0], plan.headers[col] if col < len(plan.headers) else "")
        for key, col in plan.columns.items()
        if key in sheets.FIELDS
    ]
    context = {
        "form": ListFileForm(),
        "duty_list": duty_list,
        "plan": plan,
        "read": read,
        "token": signing.dumps(data, salt=SALT),
        "file_name": data["file"],
        "sample": [item for _row, item in plan.rows[:50]],
    }
    return render(request, "duties/list_import.html", context)


def _confirm(request, duty_list):
    try:
        data = signing.loads(request.POST["upload"], salt=SALT, max_age=settings.TAIZHANG_IMPORT_KEEP_HOURS * 3600)
    except signing.BadSignature:
        data = None
    if data is None or data.get("list") != duty_list.pk or not default_storage.exists(data["name"]):
        messages.error(request, _("The preview has expired; choose the file again."))
        return redirect("duties:list_import", pk=duty_list.pk)
    title = _("Import of %(file)s") % {"file": data["file"]}
    back = reverse("duties:list_import", args=[duty_list.pk])
    job = jobs.start("duties.import", by=request.user, title=title, params=data, back_url=back)
    return redirect("job", uid=job.uid)


def run_import(job, user, progress):
    """The confirmed list, imported as `user` (all or nothing), its upload then removed."""
    data = job.params
    duty_list = DutyList.objects.get(pk=data["list"])
    if not default_storage.exists(data["name"]):
        raise ValidationError(_("The preview has expired; choose the file again."))
    try:
        with local_copy(data["name"]) as path:
            plan = sheets.import_file(path, duty_list, by=user, name=data["file"])
    except sheets.ListRefused as exc:  # the file changed since its preview: nothing was imported
        raise ValidationError(problem_lines(exc.plan.errors)) from exc
    default_storage.delete(data["name"])
    message = _("Imported %(n)d items: their occurrences are assigned to the units.") % {"n": len(plan.rows)}
    return jobs.Made(message=message, link=reverse("duties:list", args=[duty_list.pk]))


def expire_uploads(now=None, *, dry_run: bool = False) -> list[str]:
    """Uploads left behind by a preview nobody confirmed, after TAIZHANG_IMPORT_KEEP_HOURS."""
    return maintenance.expire_prefix(PREFIX, now, dry_run=dry_run)
