"""待办 / 已办: what waits for a user to act, and what they did.

One definition of "waiting for me" for the header's count, the home page and the to-do page:
- to report: open tasks the user's unit leads (or they answer for) that were returned, are overdue, due
  soon or lagging — for those who report (liaisons), not for the office, which reports only by exception;
- to confirm: close-out applications a unit head or responsible leader may confirm;
- to verify: confirmed close-outs the office that manages the task verifies;
- extensions to decide: pending requests on tasks the office manages;
- and what modules above the engine register: lists (`register`: notices, 督办单, a unit has not yet
  answered with progress) and reasons a report is due (`register_due`: a long-term task's monthly
  report from the reminder rules' day).
Each item carries why it waits and the anchor of the form that acts on it.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.permissions import MANAGE_LEDGER, REPORT_PROGRESS, SIGN_OFF, grants
from taizhang.tasks.actions import answers_q
from taizhang.tasks.models import (
    Extension,
    ExtensionStatus,
    Progress,
    Schedule,
    Status,
    Step,
    Task,
    TaskStep,
    attention_q,
    today,
)

SHOWN = 20  # items a section lists; its count is the whole


@dataclass
class Section:
    key: str
    title: str
    count: int
    items: list  # (task, reason, anchor)
    links: list = field(default_factory=list)  # (url, text, meta, reason): a waiting list of no task


def _returned():
    return Exists(TaskStep.objects.filter(task=OuterRef("pk"), step__in=[Step.REJECT, Step.REOPEN]))


def conditions(user) -> dict[str, Q]:
    """Each waiting list the user has, as a condition on tasks (a role without a list has no key)."""
    answers = answers_q(user) or Q()
    found = {}
    if grants(user, REPORT_PROGRESS) and not grants(user, MANAGE_LEDGER):
        on = today()
        waiting = Q(_returned()) | attention_q(on)
        for due in REPORT_DUE:  # reports the modules above ask for (the monthly report of long-term tasks)
            waiting |= due(on)
        found["report"] = answers & Q(status__in=[Status.NOT_STARTED, Status.IN_PROGRESS]) & waiting
    if grants(user, SIGN_OFF):
        mine = answers | Q(leader_id=user.person_id) if user.person_id and answers else answers
        found["confirm"] = mine & Q(status=Status.APPLIED)  # a responsible leader confirms their own tasks
    if grants(user, MANAGE_LEDGER):
        found["verify"] = answers & Q(status=Status.CONFIRMED)
    return found


# Conditions (on → Q) under which a task's report is due besides the engine's own (see `register_due`).
REPORT_DUE: list = []


def register_due(condition) -> None:
    """A module's rule that a report is due (notify: the monthly report of long-term tasks)."""
    if condition not in REPORT_DUE:
        REPORT_DUE.append(condition)


@dataclass
class Extra:
    """A waiting list a module above the engine adds (the notification module: notices to answer):
    `rows(user)` is a queryset of objects with a `task`, or None when the user has no such list; or,
    with `link`, of objects that are no task's (a repeat flag to decide): `link(row)` gives the item's
    (url, text, meta)."""

    key: str
    title: str
    rows: object
    reason: object  # object → the words beside the item
    anchor: str
    link: object = None


def pending_extensions(user):
    """Extension requests waiting for the office that manages their task: read from their own (small)
    table, so an all-scope office's count never reads the tasks."""
    if not grants(user, MANAGE_LEDGER):
        return None
    rows = Extension.objects.filter(status=ExtensionStatus.PENDING)
    q = answers_q(user)
    if q is not None:
        rows = rows.filter(task__in=Task.objects.filter(q))
    return rows.select_related("task__lead_unit", "task__source").order_by("requested_at", "pk")


EXTRAS: list[Extra] = [
    Extra(
        "extensions",
        _("Extensions to decide"),
        pending_extensions,
        lambda x: _("extension to %(date)s") % {"date": x.new_date.isoformat()},
        "extensions",
    )
]


def register(extra: Extra) -> None:
    """Called from a module's AppConfig.ready (see notify/apps.py)."""
    if all(e.key != extra.key for e in EXTRAS):
        EXTRAS.append(extra)


def count(user) -> int:
    """The header's number: everything waiting for the user, one query a list the user has (none for a
    viewer)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    # A count per list, each on an index (status, or the lead unit), rather than one aggregate of
    # conditional counts, which reads every task in scope: the whole table for an all-scope office.
    total = sum(Task.objects.filter(q).count() for q in conditions(user).values())
    for extra in EXTRAS:
        rows = extra.rows(user)
        total += rows.count() if rows is not None else 0
    return total


def _reason(key: str, task, on) -> str:
    if key != "report":
        return task.get_status_display()
    if getattr(task, "was_returned", False):
        return str(_("returned to you"))
    state = task.schedule_on(on)
    return {
        Schedule.OVERDUE: str(_("overdue")),
        Schedule.DUE_SOON: str(_("due soon")),
        Schedule.LAGGING: str(_("no progress for a long time")),
    }.get(state, str(_("this month's progress is due")))


TITLES = {
    "report": _("To report"),
    "confirm": _("To confirm"),
    "verify": _("To verify and close"),
}
ANCHORS = {"report": "progress-form", "confirm": "act", "verify": "act"}


def sections(user) -> list[Section]:
    """The to-do centre: each non-empty list with its count and its first items, oldest first."""
    on, found = today(), []
    for key, q in conditions(user).items():
        tasks = Task.objects.filter(q).select_related("lead_unit", "source")
        if key == "report":
            tasks = tasks.annotate(was_returned=_returned()).order_by("-was_returned", "deadline_date", "pk")
        else:
            tasks = tasks.order_by("updated_at", "pk")
        items = list(tasks[:SHOWN])
        if not items:
            continue
        total = tasks.count() if len(items) == SHOWN else len(items)
        found.append(Section(key, TITLES[key], total, [(t, _reason(key, t, on), ANCHORS[key]) for t in items]))
    for extra in EXTRAS:
        rows = extra.rows(user)
        items = list(rows[:SHOWN]) if rows is not None else []
        if items:
            total = rows.count() if len(items) == SHOWN else len(items)
            if extra.link:
                links = [(*extra.link(r), extra.reason(r)) for r in items]
                found.append(Section(extra.key, extra.title, total, [], links))
                continue
            found.append(
                Section(extra.key, extra.title, total, [(r.task, extra.reason(r), extra.anchor) for r in items])
            )
    return found


def sections_of(request) -> list[Section]:
    """The signed-in user's sections, worked out once per request: a page that lists them (the home
    page, the to-do page) and the header's number, their sum, read the same counts."""
    if not hasattr(request, "_todo_sections"):
        request._todo_sections = sections(request.user)
    return request._todo_sections


def header_count(request) -> int:
    """The header's number: the sum of the sections when the page has listed them, else `count`."""
    listed = getattr(request, "_todo_sections", None)
    return sum(s.count for s in listed) if listed is not None else count(request.user)


def done(user, limit: int = 30) -> list[tuple]:
    """已办: the user's latest steps, reports, requests and decisions, newest first: (when, what, task)."""
    rows = []
    for s in TaskStep.objects.filter(by=user).select_related("task__lead_unit").order_by("-at", "-pk")[:limit]:
        rows.append((s.at, s.get_step_display(), s.task))
    for p in (
        Progress.objects.filter(reported_by=user)
        .select_related("task__lead_unit")
        .order_by("-created_at", "-pk")[:limit]
    ):
        rows.append((p.created_at, str(_("Reported progress")), p.task))
    for x in (
        Extension.objects.filter(requested_by=user).select_related("task__lead_unit").order_by("-requested_at")[:limit]
    ):
        rows.append((x.requested_at, str(_("Requested an extension")), x.task))
    for x in (
        Extension.objects.filter(decided_by=user).select_related("task__lead_unit").order_by("-decided_at")[:limit]
    ):
        word = _("Approved an extension") if x.status == ExtensionStatus.APPROVED else _("Refused an extension")
        rows.append((x.decided_at, str(word), x.task))
    rows.sort(key=lambda r: r[0], reverse=True)
    return rows[:limit]
