"""Ledger pages: the live ledger of a source, task lists, a task's page, my tasks with batch reporting."""

from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import files, timeline
from taizhang.core.api import CappedPaginator
from taizhang.core.audit import history
from taizhang.core.errors import Conflict
from taizhang.core.filtering import filtered_page, whole_number
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.core.writes import VERSION_MISSING
from taizhang.rectification.models import Source
from taizhang.tasks import actions, assignees, signals, todo
from taizhang.tasks.filters import TaskFilter
from taizhang.tasks.forms import DecisionForm, ExtensionForm, ProgressForm, TransitionForm
from taizhang.tasks.models import (
    DONE,
    Evidence,
    Extension,
    ExtensionStatus,
    Schedule,
    Status,
    Step,
    Task,
    light_counts,
    schedule_q,
    today,
)
from taizhang.tasks.rows import ledger_body

LEDGER_PAGE = 200


def scoped_tasks(user):
    """Tasks in the user's scope with what a task's page shows (partners are fetched where shown)."""
    return Task.objects.restrict(user).select_related("lead_unit", "finding__category", "leader", "source")


def listed_tasks(user):
    """Tasks in the user's scope with what a list row shows: its lead unit and its source."""
    return Task.objects.restrict(user).select_related("lead_unit", "source")


def completed(counts: dict) -> dict:
    """Total, done and completion rate from a row of counts (`total`, `done`)."""
    total, done = counts["total"], counts["done"]
    return {"total": total, "done": done, "rate": round(100 * done / total, 1) if total else 0}


def _completion_counts() -> dict:
    return {"total": Count("pk"), "done": Count("pk", filter=Q(status__in=DONE))}


def _schedule_counts(on) -> dict:
    return {state: Count("pk", filter=schedule_q(state, on)) for state in Schedule.values}


def ledger_figures(queryset) -> tuple[dict, dict]:
    """Completion (total, done, rate) and light counts of a set of tasks, in one aggregate query."""
    counts = queryset.order_by().aggregate(**_completion_counts(), **_schedule_counts(today()))
    return completed(counts), light_counts({state: counts[state] for state in Schedule.values})


def completion(queryset) -> dict:
    return completed(queryset.order_by().aggregate(**_completion_counts()))


class CountedPaginator(Paginator):
    """A paginator told its count: the page's figures already counted the same rows."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def _error_text(exc: ValidationError) -> str:
    return "；".join(
        m for msgs in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]) for m in msgs
    )


@login_required
def source_list(request):
    """Every source in scope with its completion and lights: one grouped query, whatever the count."""
    sources = list(Source.objects.restrict(request.user).order_by("-feedback_date", "-pk"))
    totals = {
        row["source"]: row
        for row in Task.objects.restrict(request.user)
        .order_by()
        .values("source")
        .annotate(**_completion_counts(), **_schedule_counts(today()))
    }
    empty = {"total": 0, "done": 0} | dict.fromkeys(Schedule.values, 0)
    rows = []
    for source in sources:
        total = totals.get(source.pk, empty)
        rows.append((source, completed(total), light_counts({state: total[state] for state in Schedule.values})))
    return render(request, "tasks/source_list.html", {"rows": rows, "can_manage": grants(request.user, MANAGE_LEDGER)})


@login_required
def ledger(request, pk):
    """A source's ledger as the spreadsheet reads, but live: category → finding → its tasks."""
    source = get_object_or_404(Source.objects.restrict(request.user), pk=pk)
    # Every row is of this source: no join to it.
    base = Task.objects.restrict(request.user).select_related("lead_unit", "finding__category", "leader")
    base = base.filter(source=source)
    filterset = TaskFilter(request.GET, queryset=base, request=request)
    filterset.filters["category"].queryset = source.categories.order_by("position")  # this ledger's own
    filterset.filters["category"].extra["with_source"] = False
    rows = filtered_page(filterset)
    narrowed = filterset.is_bound and any(v not in (None, "", []) for v in filterset.form.cleaned_data.values())
    # The whole page shows the ledger's figures; a filter (an htmx swap of the table) its own count.
    summary, lights = (None, None) if request.htmx else ledger_figures(base)
    shown = completion(rows) if narrowed or summary is None else summary
    ordered = rows.order_by("finding__category__position", "finding__position", "position", "pk")
    # Bounded pages: a 2,000-measure ledger renders a page at a time, never all rows at once.
    page = CountedPaginator(ordered, LEDGER_PAGE, shown["total"]).get_page(request.GET.get("page"))
    groups = []
    for category, in_category in groupby(page, key=lambda t: t.finding.category if t.finding else None):
        findings = [(finding, list(items)) for finding, items in groupby(in_category, key=lambda t: t.finding)]
        groups.append((category, findings))
    context = {
        "source": source,
        "filter": filterset,
        "body": ledger_body(groups, request.user),
        "page": page,
        "summary": summary,
        "shown": shown,
        "lights": lights,
        "can_manage": grants(request.user, MANAGE_LEDGER)
        and Source.objects.managed_by(request.user).filter(pk=source.pk).exists(),
    }
    return render(request, "tasks/_ledger_table.html" if request.htmx else "tasks/ledger.html", context)


@login_required
def task_list(request):
    filterset = TaskFilter(request.GET, queryset=listed_tasks(request.user), request=request)
    paginator = CappedPaginator(filtered_page(filterset).order_by("deadline_date", "pk"), 50)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "count": min(paginator.count, paginator.COUNT_CAP),
        "capped": paginator.capped,
        "can_supervise": grants(request.user, MANAGE_LEDGER),
        "text_max": settings.TAIZHANG_TEXT_MAX_CHARS,
    }
    return render(request, "tasks/_task_table.html" if request.htmx else "tasks/task_list.html", context)


@login_required
def todo_page(request):
    """待办 / 已办: what waits for the user, each item linked to the form that acts on it, and what they did."""
    tab = "done" if request.GET.get("tab") == "done" else "todo"
    context = {"tab": tab, "sections": todo.sections(request.user) if tab == "todo" else [], "done": []}
    if tab == "done":
        context["done"] = todo.done(request.user)
    return render(request, "tasks/todo.html", context)


@login_required
def my_tasks(request):
    """The liaison's page: open tasks in scope, and one form to report progress on several at once."""
    tasks = list(listed_tasks(request.user).exclude(status__in=DONE).order_by("deadline_date", "pk")[:200])
    # (a failed submission comes back with what was ticked and typed)
    if request.method == "POST":
        chosen = [t for t in tasks if request.POST.get(f"report-{t.pk}")]
        entries = []
        for task in chosen:
            entries.append(
                {
                    "task": task,
                    "text": request.POST.get(f"text-{task.pk}") or request.POST.get("text", ""),
                    "percent": request.POST.get(f"percent-{task.pk}") or None,
                    "uploads": request.FILES.getlist("files"),
                    "version": request.POST.get(f"version-{task.pk}", ""),
                }
            )
        try:
            if any(whole_number(e["version"]) is None for e in entries):
                raise ValidationError(VERSION_MISSING)
            actions.report_progress_batch(entries, by=request.user)
        except (ValidationError, PermissionDenied, Conflict) as exc:
            messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Progress reported on %(n)d tasks.") % {"n": len(entries)})
            return redirect("tasks:mine")
    posted = request.POST if request.method == "POST" else {}
    rows = [(t, bool(posted.get(f"report-{t.pk}")), posted.get(f"text-{t.pk}", "")) for t in tasks]
    context = {
        "rows": rows,
        "text": posted.get("text", ""),
        "text_max": settings.TAIZHANG_TEXT_MAX_CHARS,
        "upload_mb": settings.TAIZHANG_UPLOAD_MAX_MB,
    }
    return render(request, "tasks/my_tasks.html", context)


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
        return STEP_SAID[step] % {"who": who} if "%(who)s" in str(STEP_SAID[step]) else str(STEP_SAID[step])

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


@login_required
def evidence_download(request, pk):
    """Served only through the task's scope, always as a download under its original name."""
    evidence = get_object_or_404(
        Evidence.objects.select_related("file", "progress"),
        pk=pk,
        progress__task__in=Task.objects.restrict(request.user),
    )
    response = FileResponse(
        files.open_stored(evidence.file),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


__all__ = ["Status"]
