"""Inspecting the responsibility system: opening one over a set of units, its checklist (what each
unit's lists asked this year, lit, with the findings recorded there), and recording a finding."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.duties import inspection
from taizhang.duties.forms import FindingForm, InspectionForm
from taizhang.duties.models import Inspection
from taizhang.duties.pages import form_page
from taizhang.org.views import _attach_errors
from taizhang.tasks.origins import Source


def scoped_inspections(user):
    return Inspection.objects.filter(source__in=Source.objects.restrict(user)).select_related("source")


def _manages(user, found) -> bool:
    return grants(user, MANAGE_LEDGER) and Source.objects.managed_by(user).filter(pk=found.pk).exists()


@login_required
def inspection_list(request):
    rows = scoped_inspections(request.user).order_by("-year", "-pk")
    context = {"inspections": rows, "can_open": grants(request.user, MANAGE_LEDGER)}
    return render(request, "duties/inspection_list.html", context)


@login_required
def inspection_new(request):
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied

    def run(data):
        made = inspection.open_inspection(data, by=request.user)
        messages.success(request, _("Inspection opened: check each unit below and record what you find."))
        return redirect("duties:inspection", pk=made.pk)

    form = InspectionForm(request.POST or None, editor=request.user)
    title = _("Open a responsibility inspection")
    return form_page(request, form, run, title=title, back=reverse("duties:inspections"))


@login_required
def inspection_detail(request, pk, finding_form=None):
    found = get_object_or_404(scoped_inspections(request.user), pk=pk)
    manages = _manages(request.user, found)
    context = {
        "inspection": found,
        "rows": inspection.checklist(found, request.user),
        "finding_form": (finding_form or FindingForm(inspection=found)) if manages else None,
    }
    return render(request, "duties/inspection_detail.html", context)


@login_required
def finding_add(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    found = get_object_or_404(scoped_inspections(request.user), pk=pk)
    if not _manages(request.user, found):
        raise PermissionDenied
    form = FindingForm(request.POST, inspection=found)
    if form.is_valid():
        try:
            task = inspection.record_finding(found, form.cleaned_data, by=request.user)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Finding recorded in the ledger; its measure is a task of %(unit)s.") % {"unit": task.lead_unit.name},
            )
            return redirect("duties:inspection", pk=pk)
    messages.error(request, _("The finding was not recorded: see the reasons beside the fields."))
    return inspection_detail(request, pk, finding_form=form)
