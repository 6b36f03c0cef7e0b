"""Importing a risk register in the browser: upload → preview (what the import would do, every problem
by its cell; nothing written) → confirm (all or nothing). The upload waits in storage between the two
steps under a signed name; `taizhang cleanup` and the reminder loop delete what is left behind."""

import datetime as dt
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import maintenance
from taizhang.core.forms import StyledFormMixin
from taizhang.core.permissions import MANAGE_LEDGER, REPORT_PROGRESS, Scope, grants, unrestricted
from taizhang.org.forms import UnitChoiceField
from taizhang.org.models import Unit
from taizhang.risks import sheets
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


def may_import(user) -> bool:
    roles = grants(user, REPORT_PROGRESS) or grants(user, MANAGE_LEDGER)
    return roles and (unrestricted(user) or user.scope != Scope.OWN)


@login_required
def register_import(request):
    if not may_import(request.user):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("upload"):
        return _confirm(request)
    form = UploadForm(request.POST or None, request.FILES or None, editor=request.user)
    if request.method != "POST" or not form.is_valid():
        return render(request, "risks/import.html", {"form": form})
    upload, unit = form.cleaned_data["file"], form.cleaned_data["unit"]
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SUFFIXES:
        form.add_error("file", _("Choose an xlsx, xls, ods or csv file."))
        return render(request, "risks/import.html", {"form": form})
    name = default_storage.save(f"{PREFIX}/{uuid.uuid4().hex}{suffix}", upload)
    plan = _plan(name, upload.name, unit)
    token = signing.dumps({"name": name, "file": upload.name, "unit": unit.pk if unit else None}, salt=SALT)
    return render(request, "risks/import.html", {"form": form, "plan": plan, "token": token, "file_name": upload.name})


def _plan(name, file_name, unit):
    try:
        return sheets.plan_file(Path(default_storage.path(name)), name=file_name, default_unit=unit)
    except UnreadableFile as exc:
        plan = sheets.Plan()
        plan.errors.append({"where": "", "message": str(exc), "code": "unreadable"})
        return plan


def _confirm(request):
    try:
        data = signing.loads(request.POST["upload"], salt=SALT, max_age=settings.TAIZHANG_IMPORT_KEEP_HOURS * 3600)
    except signing.BadSignature:
        messages.error(request, _("The preview has expired; choose the file again."))
        return redirect("risks:import")
    unit = Unit.objects.filter(pk=data["unit"]).first() if data["unit"] else None
    path = Path(default_storage.path(data["name"]))
    if not path.exists():
        messages.error(request, _("The preview has expired; choose the file again."))
        return redirect("risks:import")
    try:
        plan = sheets.import_file(path, by=request.user, name=data["file"], default_unit=unit)
    except sheets.RegisterRefused as exc:
        form = UploadForm(editor=request.user)
        context = {"form": form, "plan": exc.plan, "token": request.POST["upload"], "file_name": data["file"]}
        return render(request, "risks/import.html", context)
    default_storage.delete(data["name"])
    c = plan.counts
    messages.success(request, _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.") % c)
    return redirect("risks:register")


def expire_uploads(now=None, *, dry_run: bool = False) -> list[str]:
    """Uploads left behind by a preview nobody confirmed, after TAIZHANG_IMPORT_KEEP_HOURS."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.TAIZHANG_IMPORT_KEEP_HOURS)
    old = [n for n in maintenance.walk(PREFIX) if default_storage.get_modified_time(n) < cutoff]
    if not dry_run:
        for name in old:
            default_storage.delete(name)
    return old
