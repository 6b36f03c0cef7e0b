"""Who acts next on a task: the people a step waits for, named on the task page and told by the
notification module (notify/steps.py). One rule for both, so the page never names someone the message
did not reach.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from taizhang.core.permissions import Role, Scope
from taizhang.org.models import PATH_STEP, Unit, User, unit_in_scope
from taizhang.tasks import kinds, signals
from taizhang.tasks.actions import may_manage, may_sign_off
from taizhang.tasks.models import Status, Step, TaskStep


def _ancestor_ids(unit: Unit) -> list[int]:
    paths = [unit.path[:end] for end in range(PATH_STEP, len(unit.path) + 1, PATH_STEP)]
    return list(Unit.objects.filter(path__in=paths).values_list("pk", flat=True))


def _nearest(users: list[User]) -> list[User]:
    """The accounts anchored deepest in the tree (a county's own office before the city's)."""
    if not users:
        return []

    def depth(user):
        return -1 if user.scope == Scope.ALL or not user.unit_id else len(user.unit.path)

    deepest = max(map(depth, users))
    return [u for u in users if depth(u) == deepest]


def _candidates(task, roles) -> list[User]:
    """Active accounts of these roles whose scope could hold the task's lead unit."""
    ancestors = _ancestor_ids(task.lead_unit)
    reach = (
        Q(scope=Scope.ALL)
        | Q(scope=Scope.SUBTREE, unit_id__in=ancestors)
        | Q(scope__in=[Scope.UNIT], unit_id=task.lead_unit_id)
    )
    return list(User.objects.filter(reach, is_active=True, role__in=roles).select_related("unit", "person"))


def sign_off_people(task) -> list[User]:
    heads = [u for u in _candidates(task, [Role.LEADER]) if u.scope != Scope.ALL]
    people = _nearest([u for u in heads if may_sign_off(u, task)])
    if task.leader_id:
        leader = User.objects.filter(person_id=task.leader_id, is_active=True).select_related("unit", "person").first()
        if leader and may_sign_off(leader, task):
            people.append(leader)
    return people


def office_people(task) -> list[User]:
    for roles in ([Role.OFFICE], [Role.ADMIN]):
        people = _nearest([u for u in _candidates(task, roles) if may_manage(u, task)])
        if people:
            return people
    return []


def ledger_office_people(task) -> list[User]:
    """The offices that own the task's ledger (its source's unit in their scope), nearest first: who
    takes up what a record fulfilling the task brings (a campaign's return goes to its launching office)."""
    unit = task.source.inspected_unit
    for roles in ([Role.OFFICE], [Role.ADMIN]):
        users = User.objects.filter(is_active=True, role__in=roles).select_related("unit", "person")
        owners = [
            u
            for u in users
            if u.scope == Scope.ALL or (unit is not None and u.scope != Scope.OWN and unit_in_scope(u, unit))
        ]
        if owners:
            return _nearest(owners)
    return []


def unit_people(task) -> list[User]:
    """The lead unit's liaisons, the person responsible, and who applied for the close-out."""
    people = list(
        User.objects.filter(is_active=True, role=Role.LIAISON, unit_id=task.lead_unit_id).select_related(
            "unit", "person"
        )
    )
    if task.owner_id:
        people += User.objects.filter(is_active=True, person_id=task.owner_id).select_related("unit", "person")
    applied = TaskStep.objects.filter(task=task, step=Step.APPLY_CLOSE).order_by("-at", "-pk").first()
    if applied and applied.by_id and applied.by.is_active:
        people.append(applied.by)
    return people


def who_is_next(task, event: str, extension) -> tuple[list[User], str]:
    """The people a step tells (each once), and the audience they are told as."""
    people, audience = _next(task, event, extension)
    return list({p.pk: p for p in people}.values()), audience


def _next(task, event: str, extension) -> tuple[list[User], str]:
    if event == Step.APPLY_CLOSE:
        people = sign_off_people(task)
        return (people, "unit_head") if people else (office_people(task), "office")
    if event in (Step.CONFIRM, signals.EXTENSION_REQUEST):
        return office_people(task), "office"
    if event == Step.FULFIL:  # a return submitted, a review recorded: the ledger's own office decides
        return ledger_office_people(task), "office"
    if event in (Step.VERIFY, Step.REJECT, Step.REOPEN, Step.CLOSE_DIRECTLY):
        return unit_people(task), "liaison"
    if event in (signals.EXTENSION_APPROVED, signals.EXTENSION_REJECTED):
        requester = extension.requested_by
        return ([requester] if requester and requester.is_active else []), "liaison"
    return [], ""  # started: nobody waits for it


def names(people: list[User], most: int = 3) -> str:
    shown = "、".join(p.signature for p in people[:most])
    return shown + (_("and %(n)d others") % {"n": len(people) - most} if len(people) > most else "")


def stage(task) -> str:
    """当前环节: what the task waits for now, and from whom."""
    if task.status in (Status.NOT_STARTED, Status.IN_PROGRESS):
        if kinds.closed_by_record(task):  # a self-check's reply, a campaign's return: no close-out steps
            return _("waiting for %(unit)s to submit what the task asks for") % {"unit": task.lead_unit.name}
        return _("waiting for %(unit)s to report progress or apply for close-out") % {"unit": task.lead_unit.name}
    if task.status == Status.APPLIED:
        people = sign_off_people(task)
        if people:
            return _("waiting for %(who)s to confirm the close-out") % {"who": names(people)}
        return _(
            "waiting for the head of %(unit)s to confirm (no account can confirm it: the office may return it)"
        ) % {"unit": task.lead_unit.name}
    if task.status == Status.CONFIRMED:
        people = office_people(task)
        return _("waiting for %(who)s to verify and close") % {"who": names(people) or _("the supervision office")}
    if task.status == Status.PHASE_DONE:
        review = task.next_review_date.isoformat() if task.next_review_date else "—"
        return _("phase completed; next review on %(date)s") % {"date": review}
    closed = task.closed_on.isoformat() if task.closed_on else ""
    return _("closed %(date)s") % {"date": closed}


def returned_step(task, steps=None) -> TaskStep | None:
    """The return (退回) or reopening the unit must answer: the latest step, while the task is back in
    progress. `steps`: the task's steps already read, oldest first."""
    if task.status != Status.IN_PROGRESS:
        return None
    if steps is not None:
        last = steps[-1] if steps else None
    else:
        last = task.steps.select_related("by__unit", "by__person").order_by("-at", "-pk").first()
    return last if last and last.step in (Step.REJECT, Step.REOPEN) else None
