"""The organisation's sync page (组织机构同步) for an administrator over every unit: read the directory
(LDAP, as configured) or an exported file → the preview of every change, nothing written → apply exactly
that preview (all or nothing), or be told the directory changed meanwhile. An uploaded file waits in
storage between the two steps under a signed name; the reminder loop deletes what a preview left."""

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

from taizhang.core import jobs, maintenance
from taizhang.core.files import local_copy
from taizhang.core.forms import StyledFormMixin
from taizhang.core.permissions import MANAGE_ACCOUNTS, grants, unrestricted
from taizhang.org import actions, sso, sync

PREFIX = "org-sync"
SALT = "taizhang.org.sync"
SUFFIXES = {".csv", ".txt", ".xlsx", ".xls", ".ods"}
TAB = {"slug": "sync"}  # the organisation pages' tab this page is


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("directory export (csv, xlsx, xls, ods)"))


def may_sync(user) -> bool:
    return grants(user, MANAGE_ACCOUNTS) and unrestricted(user)


@login_required
def sync_page(request):
    if not may_sync(request.user):
        raise PermissionDenied
    ldap_on = bool(sso.ldap_enabled() and _ldap_units_configured())
    form = UploadForm()
    if request.method == "POST":
        if request.POST.get("confirm"):
            return _apply(request)
        if request.POST.get("ldap") and ldap_on:
            return _preview(request, {"origin": "ldap"})
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            if suffix not in SUFFIXES:
                form.add_error("file", _("Choose a csv, xlsx, xls or ods file."))
            else:
                name = default_storage.save(f"{PREFIX}/{uuid.uuid4().hex}{suffix}", upload)
                return _preview(request, {"origin": "file", "name": name, "file": upload.name})
    return render(request, "org/sync.html", {"form": form, "ldap_on": ldap_on, "tab": TAB})


def _ldap_units_configured() -> bool:
    return bool(settings.TAIZHANG_LDAP_UNIT_BASE)


def _read(data: dict) -> sync.Directory:
    if data["origin"] == "ldap":
        return sync.read_ldap()
    with local_copy(data["name"]) as path:
        return sync.read_file(path, data["file"])


def _preview(request, data: dict):
    try:
        plan = sync.plan(_read(data))
    except sync.SyncError as exc:
        context = {"form": UploadForm(), "ldap_on": data["origin"] == "ldap", "tab": TAB, "error": str(exc)}
        return render(request, "org/sync.html", context, status=400)
    groups = [(sync.KIND_LABELS[kind], [c for c in plan.changes if c.kind == kind]) for kind in sync.KIND_LABELS]
    token = signing.dumps(data | {"digest": plan.digest}, salt=SALT)
    context = {"plan": plan, "groups": [g for g in groups if g[1]], "token": token, "tab": TAB}
    return render(request, "org/sync_preview.html", context)


def _apply(request):
    """Apply the preview as a job of the queue (a province's first sync is tens of thousands of changes)."""
    try:
        data = signing.loads(request.POST.get("token", ""), salt=SALT, max_age=24 * 3600)
    except signing.BadSignature:
        data = None
    if data is None or (data.get("name") and not default_storage.exists(data["name"])):  # applied, or expired
        messages.error(request, _("This preview has expired. Read the directory again."))
        return redirect("org:sync")
    source = _("file %(name)s") % {"name": data["file"]} if data.get("file") else _("the directory")
    title = _("Sync with %(source)s") % {"source": source}
    job = jobs.start("org.sync", by=request.user, title=title, params=data, back_url=reverse("org:sync"))
    return redirect("job", uid=job.uid)


def run_sync(job, user, progress):
    """The previewed plan applied as `user`, all or nothing (core/jobs.py); the upload then removed."""
    data = job.params
    try:
        plan = actions.sync_directory(_read(data), by=user, digest=data["digest"])
    except FileNotFoundError as exc:
        raise ValidationError(_("This preview has expired. Read the directory again.")) from exc
    except sync.SyncError as exc:
        raise ValidationError(str(exc)) from exc
    finally:
        if data.get("name"):
            default_storage.delete(data["name"])
    message = _("The organisation now matches %(source)s: %(count)d changes.") % {
        "source": plan.directory.source,
        "count": len(plan.changes),
    }
    return jobs.Made(message=message, link=reverse("org:list", args=["units"]))


def expire_uploads(now, *, dry_run: bool = False) -> list[str]:
    return maintenance.expire_prefix(PREFIX, now, dry_run=dry_run)
