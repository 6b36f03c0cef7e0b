"""Adding a task to a source and editing it, for every kind of source (the office's pages; imports and
the modules' own pages call the same `save_task`)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from taizhang.core.deadlines import DeadlineKind
from taizhang.core.errors import Conflict
from taizhang.core.filtering import whole_number
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.org.views import _attach_errors
from taizhang.tasks import actions
from taizhang.tasks.forms import TaskForm
from taizhang.tasks.models import Task
from taizhang.tasks.origins import Origin, Source


def _unreadable(deadline: str, source) -> bool:
    return actions.read_deadline(deadline, source).kind == DeadlineKind.UNREAD


def _warn_unreadable(request, form, source):
    """Before saving a deadline the parser cannot read: say so beside it, and offer to keep it as written."""
    form.add_error(
        "deadline",
        _(
            "“%(text)s” cannot be read as a deadline (e.g. 2024年6月底前, 立行立改, 长期坚持). Correct it, or "
            "tick the box to keep it as written; the task will then need a date."
        )
        % {"text": form.cleaned_data["deadline"]},
    )
    form.fields["accept_unread"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
    return render(request, "form_page.html", {"form": form, "source": source, "title": _("task")})


def _started_from(request, source) -> dict:
    """A new task's form filled from the link that opened it: `origin` (the finding it answers) and
    `copy` (a task the reader may see, from another ledger: its measure as the start of this one)."""
    initial = {}
    origin = whole_number(request.GET.get("origin"))
    if origin and Origin.objects.filter(pk=origin, source=source).exists():
        initial["origin"] = origin
    copied = whole_number(request.GET.get("copy"))
    template = Task.objects.restrict(request.user).filter(pk=copied).first() if copied else None
    if template:
        initial |= {"measure": template.measure, "target": template.target}
    return initial


@login_required
def task_edit(request, source_pk, pk=None):
    """Add a task to a source, or edit one; editing carries the version read, so a stale form is a conflict."""
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied
    source = get_object_or_404(Source.objects.restrict(request.user), pk=source_pk)
    task = get_object_or_404(Task.objects.restrict(request.user), pk=pk, source=source) if pk else None
    initial = {}
    if task:
        initial = {
            "origin": task.origin_id,
            "measure": task.measure,
            "target": task.target,
            "lead_unit": task.lead_unit_id,
            "partner_units": list(task.partner_units.all()),
            "partner_groups": list(task.partner_groups.all()),
            "leader": task.leader_id,
            "leader_text": task.leader_text,
            "owner": task.owner_id,
            "owner_text": task.owner_text,
            "deadline": task.deadline_text,
            "note": task.note,
            "version": task.version,
        }
    else:
        initial = _started_from(request, source)
    form = TaskForm(request.POST or None, initial=initial, source=source, editing=task is not None, editor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        accept_unread = data.pop("accept_unread")
        if task and data["deadline"] == task.deadline_text:
            data.pop("deadline")  # unchanged text: keep the value (an extension may have set it)
        elif _unreadable(data["deadline"], source) and not accept_unread:
            return _warn_unreadable(request, form, source)
        try:
            saved = actions.save_task(task, data, by=request.user, source=source, version=version)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("tasks:detail", pk=saved.pk)
    return render(request, "form_page.html", {"form": form, "source": source, "title": _("task")})
