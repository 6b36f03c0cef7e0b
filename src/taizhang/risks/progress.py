"""A campaign's progress per unit: each return's state, in one definition for the table, the figures,
the campaign list's return rate and the dashboard.

States: 已采纳 accepted; 已报送 submitted; 已逾期 overdue (not yet submitted, its chased task overdue —
the engine's own overdue); 填报中 draft (risks entered, or sent back to be completed); 未开始 not started.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from taizhang.risks.models import Return, ReturnStatus, Risk, is_late
from taizhang.tasks.models import Schedule, schedule_q

STATES = {
    "not_started": _("Not started"),
    "draft": _("Being filled in"),
    "submitted": _("Submitted"),
    "accepted": _("Accepted"),
    "overdue": _("Overdue"),
}
WAITING = (ReturnStatus.DRAFT, ReturnStatus.SENT_BACK)


def _has_risks():
    through = Return.reassessed.through.objects.filter(return_id=OuterRef("pk"))
    return Exists(Risk.objects.filter(campaign_return=OuterRef("pk"))) | Exists(through)


def _overdue():
    return schedule_q(Schedule.OVERDUE, prefix="task__")  # the engine's overdue, on the return's own task


def state_q() -> dict[str, Q]:
    """Each state as a condition on returns annotated with `has_risks`: every return in exactly one."""
    waiting = Q(status__in=WAITING)
    return {
        "accepted": Q(status=ReturnStatus.ACCEPTED),
        "submitted": Q(status=ReturnStatus.SUBMITTED),
        "overdue": waiting & _overdue(),
        "draft": waiting & ~_overdue() & (Q(has_risks=True) | Q(status=ReturnStatus.SENT_BACK)),
        "not_started": Q(status=ReturnStatus.DRAFT) & ~_overdue() & Q(has_risks=False),
    }


def returns_in_scope(campaign, user):
    return Return.objects.restrict(user).filter(campaign=campaign)


def with_state(returns):
    """The returns annotated with `state` (the first condition of `state_q` that holds)."""
    whens = [When(q, then=Value(state)) for state, q in state_q().items()]
    return returns.annotate(has_risks=_has_risks()).annotate(state=Case(*whens, default=Value("not_started")))


def figures(returns) -> dict:
    """Counts per state, late and nil returns, and the return rate (submitted or accepted over all)."""
    counts = dict.fromkeys(STATES, 0)
    for row in with_state(returns).order_by().values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    made = returns.exclude(status__in=WAITING)
    counts["late"] = made.filter(submitted_on__gt=F("campaign__due_on")).count()
    counts["nil"] = made.filter(nil=True).count()
    counts["total"] = sum(counts[s] for s in STATES)
    done = counts["submitted"] + counts["accepted"]
    counts["rate"] = round(100 * done / counts["total"], 1) if counts["total"] else 0
    return counts


@dataclass(frozen=True)
class UnitName:
    name: str
    short_name: str

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class ReturnRow:
    """What a campaign's table shows of one return (plain values: a campaign over 3,000 units builds
    3,000 of these, and model instances with their relations cost three times the query)."""

    pk: int
    unit: UnitName
    status: str
    nil: bool
    submitted_on: object
    due_on: object
    decision_note: str

    @property
    def late(self) -> bool:
        return is_late(self.submitted_on, self.due_on)


ROW_FIELDS = (
    "pk",
    "unit__name",
    "unit__short_name",
    "status",
    "nil",
    "submitted_on",
    "campaign__due_on",
    "decision_note",
)


def unit_table(returns) -> list[dict]:
    """The per-unit rows of a campaign page: each return with its state and the number of its risks."""
    rows = with_state(returns).order_by("unit__path").values_list(*ROW_FIELDS, "state")
    counts = dict(
        Risk.objects.filter(campaign_return__in=returns.values("pk"))
        .order_by()
        .values_list("campaign_return")
        .annotate(n=Count("pk"))
    )
    reassessed = dict(
        Return.reassessed.through.objects.filter(return_id__in=returns.values("pk"))
        .order_by()
        .values_list("return_id")
        .annotate(n=Count("pk"))
    )
    table = []
    for pk, name, short, status, nil, submitted_on, due_on, note, state in rows:
        ret = ReturnRow(pk, UnitName(name, short), status, nil, submitted_on, due_on, note)
        table.append(
            {"ret": ret, "state": state, "label": STATES[state], "risks": counts.get(pk, 0) + reassessed.get(pk, 0)}
        )
    return table


def return_rates(campaign_ids, user) -> dict[int, dict]:
    rows = (
        Return.objects.restrict(user)
        .filter(campaign_id__in=campaign_ids)
        .order_by()
        .values("campaign_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=~Q(status__in=WAITING)))
    )
    return {r["campaign_id"]: r | {"rate": round(100 * r["done"] / r["total"], 1) if r["total"] else 0} for r in rows}
