"""A finding's own page: what it says, its measures, the similar findings of other units and rounds
(举一反三), its repeat flags (屡查屡犯), and the lessons pushed from it; editing and deleting it."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core.errors import Conflict
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.org.views import _attach_errors
from taizhang.rectification import actions
from taizhang.rectification.forms import DeleteForm, FindingEditForm
from taizhang.rectification.models import Finding, Source
from taizhang.similar import panel
from taizhang.similar.actions import may_decide
from taizhang.similar.forms import DecideForm, PanelForm
from taizhang.tasks.models import Task


def _finding(request, pk) -> Finding:
    return get_object_or_404(
        Finding.objects.restrict(request.user).select_related("source__inspected_unit", "category", "found_in"),
        pk=pk,
    )


def _manages(user, finding) -> bool:
    return grants(user, MANAGE_LEDGER) and Source.objects.managed_by(user).filter(pk=finding.source_id).exists()


@login_required
def finding_detail(request, pk):
    finding = _finding(request, pk)
    options = PanelForm(request.GET or None)
    years, same_category = options.choice()
    manages = _manages(request.user, finding)
    flags = panel.flags_of(finding, request.user)
    context = {
        "finding": finding,
        "unit": finding.found_in or finding.source.inspected_unit,
        "tasks": Task.objects.restrict(request.user)
        .filter(origin=finding)
        .select_related("lead_unit")
        .order_by("position", "pk"),
        "similar": panel.similar_for(finding, request.user, years=years, same_category=same_category),
        "panel_form": options,
        "flags": [(f, may_decide(request.user, f)) for f in flags],
        "decide_form": DecideForm(),
        "can_manage": manages,
        "can_copy": manages,
        "lessons": finding.lessons.select_related("source").order_by("-source__feedback_date"),
        "can_push": grants(request.user, MANAGE_LEDGER),
    }
    return render(request, "rectification/finding.html", context)


@login_required
def finding_edit(request, pk):
    finding = _finding(request, pk)
    if not _manages(request.user, finding):
        raise PermissionDenied
    form = FindingEditForm(
        request.POST or None, instance=copy.copy(finding), source=finding.source, editor=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        new_category = data.pop("new_category", "").strip()
        try:
            if new_category:
                data["category"] = actions.ensure_category(finding.source, new_category, by=request.user)
            actions.save_finding(finding, data, by=request.user, version=version)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("rectification:finding", pk=finding.pk)
    return render(request, "form_page.html", {"form": form, "source": finding.source, "title": _("finding")})


@login_required
@require_POST
def finding_delete(request, pk):
    finding = _finding(request, pk)
    if not _manages(request.user, finding):
        raise PermissionDenied
    form = DeleteForm(request.POST)
    source = finding.source
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the finding is deleted."))
        actions.delete_finding(finding, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("rectification:finding", pk=pk)
    messages.success(request, _("The finding was deleted."))
    return redirect("tasks:ledger", pk=source.pk)
