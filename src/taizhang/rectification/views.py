"""The office's pages for building a ledger by hand: sources and findings (a source's tasks: `tasks.views_edit`)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from taizhang.core.errors import Conflict
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.org.views import _attach_errors
from taizhang.rectification import actions
from taizhang.rectification.forms import FindingForm, SourceForm
from taizhang.rectification.models import Source


def _require_manager(request):
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied


@login_required
def source_edit(request, pk=None):
    _require_manager(request)
    source = get_object_or_404(Source.objects.restrict(request.user), pk=pk) if pk else None
    if source:
        actions.require_source_manager(request.user, source)  # seeing a ledger is not owning it
    # The form validates into its own copy; the action sees the ledger as stored (its audit "before").
    form = SourceForm(request.POST or None, instance=copy.copy(source), editor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or None  # a new ledger has none
        try:
            saved = actions.save_source(source, data, by=request.user, version=version)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("tasks:ledger", pk=saved.pk)
    return render(request, "form_page.html", {"form": form, "source": source, "title": _("Source")})


@login_required
def finding_add(request, source_pk):
    _require_manager(request)
    source = get_object_or_404(Source.objects.restrict(request.user), pk=source_pk)
    actions.require_source_manager(request.user, source)
    form = FindingForm(request.POST or None, source=source, editor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        new_category = data.pop("new_category", "").strip()
        try:
            if new_category:
                data["category"] = actions.ensure_category(source, new_category, by=request.user)
            actions.save_finding(None, data, by=request.user, source=source)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("tasks:ledger", pk=source.pk)
    return render(request, "form_page.html", {"form": form, "source": source, "title": _("finding")})
