"""Ledger pages: the live ledger of a source, task lists, a task's page, my tasks with batch reporting."""

from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from taizhang.core import files
from taizhang.core.api import CappedPaginator
from taizhang.core.errors import Conflict
from taizhang.core.filtering import filtered_page, whole_number
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.core.writes import VERSION_MISSING
from taizhang.tasks import actions, kinds, tally, todo
from taizhang.tasks.filters import TaskFilter
from taizhang.tasks.models import (
    DONE,
    Evidence,
    Schedule,
    Status,
    Task,
    light_counts,
    schedule_q,
    today,
)
from taizhang.tasks.origins import Source
from taizhang.tasks.rows import ledger_body, task_list_body

LEDGER_PAGE = 200


def scoped_tasks(user):
    """Tasks in the user's scope with what a task's page shows (partners are fetched where shown)."""
    return Task.objects.restrict(user).select_related("lead_unit", "origin__category", "leader", "source")


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


def source_figures(user, sources, on=None, *, counted: bool = False) -> list[tuple[dict, dict]]:
    """Each source's completion counts and schedule states among what `user` sees: read from the
    maintained counts for everyone's view (a province's million tasks), else (or `counted`) one
    grouped count of the tasks."""
    on = on or today()
    if not counted and tally.view_of(user) == "A" and tally.usable(tally.state()):  # (state: only for "A")
        found = tally.by_source("A", on)
        empty = (dict.fromkeys(tally.COLUMNS, 0), dict.fromkeys(Schedule.values, 0))
        rows = [found.get(source.pk, empty) for source in sources]
        return [({"total": whole["n"], "done": whole["done"]}, schedule) for whole, schedule in rows]
    totals = {
        row["source"]: row
        for row in Task.objects.restrict(user)
        .order_by()
        .values("source")
        .annotate(**_completion_counts(), **_schedule_counts(on))
    }
    empty = {"total": 0, "done": 0} | dict.fromkeys(Schedule.values, 0)
    rows = [totals.get(source.pk, empty) for source in sources]
    return [({"total": t["total"], "done": t["done"]}, {state: t[state] for state in Schedule.values}) for t in rows]


@login_required
def source_list(request):
    """Every source in scope with its completion and lights: one grouped query, whatever the count."""
    sources = list(Source.objects.restrict(request.user).order_by("-feedback_date", "-pk"))
    rows = []
    for source, (total, schedule) in zip(sources, source_figures(request.user, sources), strict=True):
        rows.append((source, completed(total), light_counts(schedule)))
    context = {"rows": rows, "can_manage": grants(request.user, MANAGE_LEDGER), "creators": kinds.creators()}
    return render(request, "tasks/source_list.html", context)


@login_required
def ledger(request, pk):
    """A source's ledger as the spreadsheet reads, but live: category → finding → its tasks."""
    source = get_object_or_404(Source.objects.restrict(request.user), pk=pk)
    # Every row is of this source: no join to it.
    base = Task.objects.restrict(request.user).select_related("lead_unit", "origin__category", "leader")
    base = base.filter(source=source)
    filterset = TaskFilter(request.GET, queryset=base, request=request)
    filterset.filters["category"].queryset = source.categories.order_by("position")  # this ledger's own
    filterset.filters["category"].extra["with_source"] = False
    rows = filtered_page(filterset)
    narrowed = filterset.is_bound and any(v not in (None, "", []) for v in filterset.form.cleaned_data.values())
    # The whole page shows the ledger's figures; a filter (an htmx swap of the table) its own count.
    summary, lights = (None, None) if request.htmx else ledger_figures(base)
    shown = completion(rows) if narrowed or summary is None else summary
    ordered = rows.order_by("origin__category__position", "origin__position", "position", "pk")
    # Bounded pages: a 2,000-measure ledger renders a page at a time, never all rows at once.
    page = CountedPaginator(ordered, LEDGER_PAGE, shown["total"]).get_page(request.GET.get("page"))
    groups = []
    for category, in_category in groupby(page, key=lambda t: t.origin.category if t.origin else None):
        findings = [(finding, list(items)) for finding, items in groupby(in_category, key=lambda t: t.origin)]
        groups.append((category, findings))
    context = {
        "source": source,
        "pages": kinds.pages_for(source.kind),
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
    can_supervise = grants(request.user, MANAGE_LEDGER)
    context = {
        "filter": filterset,
        "page": page,
        "body": task_list_body(page, choosable=can_supervise),
        "count": min(paginator.count, paginator.COUNT_CAP),
        "capped": paginator.capped,
        "can_supervise": can_supervise,
        "text_max": settings.TAIZHANG_TEXT_MAX_CHARS,
    }
    return render(request, "tasks/_task_table.html" if request.htmx else "tasks/task_list.html", context)


@login_required
def todo_page(request):
    """待办 / 已办: what waits for the user, each item linked to the form that acts on it, and what they did."""
    tab = "done" if request.GET.get("tab") == "done" else "todo"
    context = {"tab": tab, "sections": todo.sections_of(request) if tab == "todo" else [], "done": []}
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
