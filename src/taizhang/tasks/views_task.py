"""A task's page and what is done on it: the close-out steps, progress, extensions, deletion.

Each write goes through `tasks.actions`; the page comes back with a refused form as it was typed, and a
step's message says who is next (`assignees`).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import timeline
from taizhang.core.audit import history
from taizhang.core.errors import Conflict
from taizhang.core.filtering import whole_number
from taizhang.tasks import actions, assignees, kinds, signals
from taizhang.tasks.forms import DecisionForm, ExtensionForm, ProgressForm, TransitionForm
from taizhang.tasks.models import DONE, Extension, ExtensionStatus, Step, Task
from taizhang.tasks.views import _error_text, scoped_tasks


def _detail_context(request, task, bound=None) -> dict:
    """The task page; `bound` holds the form that failed, filled as it was posted, beside its errors."""
    progress = list(task.progress_reports.prefetch_related("evidence").select_related("reported_by"))
    steps = list(task.steps.select_related("by__unit", "by__person"))
    version = {"version": task.version}
    forms = {
        "progress_form": ProgressForm(initial=version),
        "transition_form": TransitionForm(initial=version),
        "extension_form": ExtensionForm(initial=version),
    } | (bound or {})
    allowed = actions.allowed_steps(request.user, task)
    return {
        "task": task,
        "origin_pages": kinds.origin_pages(task.origin.kind) if task.origin else None,
        "source_pages": kinds.pages_for(task.source.kind),
        "progress": progress,
        "steps": steps,
        "extensions": task.extensions.select_related("requested_by", "decided_by"),
        "events": timeline.entries(history(task)),
        "allowed": allowed,
        "confirm_steps": [s for s in allowed if s in CONFIRMED_STEPS],
        "can_report": actions.may_report(request.user, task) and task.status not in DONE,
        "can_extend": actions.may_apply(request.user, task) and task.status not in DONE,
        "can_decide": actions.may_manage(request.user, task),
        # only a task with no record can go (delete_task says why otherwise)
        "can_delete": actions.may_manage(request.user, task) and not progress and not steps,
        "stage": assignees.stage(task),
        "returned": assignees.returned_step(task, steps),
        "latest_opinion": next((step for step in reversed(steps) if step.note), None),  # 审批意见 on top
        "pending": ExtensionStatus.PENDING,
        "done_statuses": DONE,
        "text_max": settings.TAIZHANG_TEXT_MAX_CHARS,
        **forms,
    }


# Steps asked twice (a dialog): they close a task or undo another person's step.
CONFIRMED_STEPS = {Step.VERIFY, Step.REOPEN, Step.CLOSE_DIRECTLY, Step.REJECT, Step.CONFIRM}


@login_required
def task_detail(request, pk):
    task = get_object_or_404(scoped_tasks(request.user).prefetch_related("partner_units", "partner_groups"), pk=pk)
    return render(request, "tasks/task_detail.html", _detail_context(request, task))


def _act(request, pk, form_name, form, run):
    """POST-only wrapper: fetch within scope (404 outside), run the action, say what happened and who is
    next. A refusal (403) goes back to the page; an error in what was typed, or a change by someone else
    meanwhile, brings the page back with the form as it was typed and the error beside its field."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    task = get_object_or_404(Task.objects.restrict(request.user), pk=pk)
    try:
        if not form.is_valid():
            raise ValidationError(_form_messages(form))
        said = run(task, form.cleaned_data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):  # the action's field errors, beside their fields
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this on this task."))
        return redirect("tasks:detail", pk=task.pk)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, said)
        return redirect("tasks:detail", pk=task.pk)
    task = get_object_or_404(scoped_tasks(request.user).prefetch_related("partner_units", "partner_groups"), pk=pk)
    if (
        isinstance(form.data, QueryDict) and "version" in form.fields
    ):  # a stale version stays stale: show the current one
        form.data = form.data.copy()
        form.data["version"] = task.version
    return render(request, "tasks/task_detail.html", _detail_context(request, task, {form_name: form}))


def _form_messages(form) -> list[str]:
    """A failed form's errors for the message on top: each visible field's by its label."""
    return [
        f"{form.fields[name].label}：{e['message']}"
        if name in form.fields and not form.fields[name].widget.is_hidden and form.fields[name].label
        else e["message"]
        for name, errs in form.errors.get_json_data().items()
        for e in errs
    ]


def _told(request, task, event: str, extension=None) -> str:
    people = [p for p in assignees.who_is_next(task, event, extension)[0] if p.pk != request.user.pk]
    return assignees.names(people)


STEP_SAID = {
    Step.START: gettext_lazy("Work on the task has started."),
    Step.APPLY_CLOSE: gettext_lazy("Close-out applied for; waiting for %(who)s to confirm."),
    Step.CONFIRM: gettext_lazy("Confirmed; waiting for %(who)s to verify and close."),
    Step.VERIFY: gettext_lazy("Verified; %(who)s have been told."),
    Step.REJECT: gettext_lazy("Returned; %(who)s have been told."),
    Step.REOPEN: gettext_lazy("Reopened; %(who)s have been told."),
    Step.CLOSE_DIRECTLY: gettext_lazy("Closed directly; %(who)s have been told."),
}


@login_required
def task_transition(request, pk, step):
    def run(task, data):
        task = actions.transition(
            task,
            step,
            by=request.user,
            note=data.get("note", ""),
            version=data["version"],
            next_review_date=data.get("next_review_date"),
        )
        who = _told(request, task, step) or _("nobody (no account to tell)")
        return STEP_SAID[step] % {"who": who}  # (a mapping leaves a text without %(who)s as it is)

    return _act(request, pk, "transition_form", TransitionForm(request.POST), run)


@login_required
def task_progress(request, pk):
    def run(task, data):
        actions.report_progress(
            task,
            by=request.user,
            text=data["text"],
            date=data.get("date"),
            percent=data.get("percent"),
            uploads=data["files"],
            version=data["version"],
        )
        return _("Progress reported.")

    return _act(request, pk, "progress_form", ProgressForm(request.POST, request.FILES), run)


@login_required
def task_extension(request, pk):
    def run(task, data):
        extension = actions.request_extension(task, by=request.user, **data)
        who = _told(request, task, signals.EXTENSION_REQUEST, extension) or _("the supervision office")
        return _("Extension requested; waiting for %(who)s to decide.") % {"who": who}

    return _act(request, pk, "extension_form", ExtensionForm(request.POST), run)


@login_required
def extension_decide(request, pk, extension_id):
    def run(task, data):
        extension = get_object_or_404(Extension, pk=extension_id, task=task)
        extension = actions.decide_extension(extension, by=request.user, **data)
        event = signals.EXTENSION_APPROVED if data["approve"] else signals.EXTENSION_REJECTED
        who = _told(request, task, event, extension) or _("nobody (no account to tell)")
        said = _("Extension approved; %(who)s told.") if data["approve"] else _("Extension refused; %(who)s told.")
        return said % {"who": who}

    return _act(request, pk, "decision_form", DecisionForm(request.POST), run)


@login_required
def task_delete(request, pk):
    """Delete a task entered by mistake (POST; the page asks first). Refusals go back to the task."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    task = get_object_or_404(Task.objects.restrict(request.user).select_related("source"), pk=pk)
    source_id, measure = task.source_id, task.measure
    try:
        actions.delete_task(
            task,
            by=request.user,
            reason=request.POST.get("reason", ""),
            version=whole_number(request.POST.get("version")),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except (PermissionDenied, Conflict) as exc:
        messages.error(request, str(exc) or _("You may not do this on this task."))
    else:
        messages.success(request, _("Deleted: %(measure)s") % {"measure": measure[:60]})
        return redirect("tasks:ledger", pk=source_id)
    return redirect("tasks:detail", pk=task.pk)
